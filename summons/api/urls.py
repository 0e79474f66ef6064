from rest_framework.routers import DefaultRouter

from summons.api import views

router = DefaultRouter()
router.include_root_view = False
router.register("summonses", views.SummonsViewSet, basename="summons")
urlpatterns = router.urls
