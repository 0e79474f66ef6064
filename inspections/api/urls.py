"""API routes of the inspections app, mounted under /api/v1/."""

from rest_framework.routers import DefaultRouter

from inspections.api import views

router = DefaultRouter()
router.include_root_view = False
router.register("checklist-templates", views.ChecklistTemplateViewSet, basename="checklist-template")
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("rectification-lists", views.RectificationListViewSet, basename="rectification-list")

urlpatterns = [*router.urls]
