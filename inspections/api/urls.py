"""API routes of the inspections app, mounted under /api/v1/."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
router.include_root_view = False

urlpatterns = [*router.urls]
