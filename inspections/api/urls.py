"""API routes of the inspections app, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from inspections.api import views

router = DefaultRouter()
router.include_root_view = False
router.register("checklist-templates", views.ChecklistTemplateViewSet, basename="checklist-template")
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("rectification-lists", views.RectificationListViewSet, basename="rectification-list")

urlpatterns = [
    *router.urls,
    path("inspection-photos/findings/<int:pk>/", views.finding_photo, name="inspection-finding-photo"),
    path("inspection-photos/report-actions/<int:pk>/", views.action_photo, name="inspection-action-photo"),
]
