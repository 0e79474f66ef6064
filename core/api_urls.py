"""API routes of `core`, mounted under /api/v1/: the user's notifications."""

from rest_framework.routers import DefaultRouter

from core import api_views

router = DefaultRouter()
router.include_root_view = False
router.register("notifications", api_views.NotificationViewSet, basename="notification")

urlpatterns = router.urls
