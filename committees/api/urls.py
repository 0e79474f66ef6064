"""API routes of the committees app, mounted under /api/v1/."""

from rest_framework.routers import DefaultRouter

from committees.api import views

router = DefaultRouter()
router.include_root_view = False
router.register("committees", views.CommitteeViewSet, basename="committee")
router.register("committee-members", views.CommitteeMemberViewSet, basename="committee-member")
router.register("elections", views.ElectionViewSet, basename="election")
router.register("decisions", views.DecisionViewSet, basename="decision")
router.register("candidates", views.CandidateViewSet, basename="candidate")
router.register("ballots", views.BallotViewSet, basename="ballot")

urlpatterns = [*router.urls]
