from django.urls import path
from rest_framework.routers import DefaultRouter

from communities.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("subdistricts", views.SubdistrictViewSet, basename="subdistrict")
router.register("communities", views.CommunityViewSet, basename="community")
router.register("compounds", views.CompoundViewSet, basename="compound")
router.register("companies", views.CompanyViewSet, basename="company")
router.register("units", views.UnitViewSet, basename="unit")
router.register("my-units", views.MyUnitViewSet, basename="my-unit")
router.register("ownership-claims", views.ClaimViewSet, basename="ownership-claim")
router.register("accounts", views.AccountViewSet, basename="account")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("autocomplete/<str:kind>/", views.AutocompleteView.as_view(), name="autocomplete"),
    path("auth/register/", views.RegisterView.as_view(), name="register"),
    path("imports/roster/", views.RosterImportView.as_view(), name="roster-import"),
    *router.urls,
]
