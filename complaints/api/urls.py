"""API routes of the complaints app, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from complaints.api import views

router = DefaultRouter()
router.include_root_view = False
router.register("categories", views.CategoryViewSet, basename="category")
router.register("complaints", views.ComplaintViewSet, basename="complaint")

urlpatterns = [
    path("complaint-photos/<int:pk>/", views.ComplaintPhotoView.as_view(), name="complaint-photo"),
    *router.urls,
]
