"""API routes of the mediation app, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from mediation.api import views

router = DefaultRouter()
router.include_root_view = False
router.register("venues", views.VenueViewSet, basename="venue")
router.register("deliberation-rules", views.RuleViewSet, basename="deliberation-rule")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("action-items", views.ActionItemViewSet, basename="action-item")
router.register("disputes", views.DisputeViewSet, basename="dispute")
router.register("liaisons", views.LiaisonViewSet, basename="liaison")
router.register("consultations", views.ConsultationViewSet, basename="consultation")
router.register("police-cases", views.PoliceCaseViewSet, basename="police-case")
router.register("screenings", views.ScreeningViewSet, basename="screening")

urlpatterns = [
    path("mediation-counts/", views.CountsView.as_view(), name="mediation-counts"),
    *router.urls,
]
