"""API routes of the ratings app, mounted under /api/v1/."""

from rest_framework.routers import DefaultRouter

from ratings.api import views

router = DefaultRouter()
router.include_root_view = False
router.register("metrics", views.MetricViewSet, basename="metric")
router.register("surveys", views.SurveyViewSet, basename="survey")
router.register("star-rating-rounds", views.StarRatingRoundViewSet, basename="star-rating-round")
router.register("star-ratings", views.StarRatingViewSet, basename="star-rating")
router.register("evaluations", views.EvaluationViewSet, basename="evaluation")
router.register("targets", views.TargetViewSet, basename="target")
router.register("indicators", views.IndicatorViewSet, basename="indicator")

urlpatterns = [*router.urls]
