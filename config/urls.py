from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from communities.urls import auth_urlpatterns
from communities.views import home
from core import views as core_views

api_v1 = [
    path("auth/token/", TokenObtainPairView.as_view(), name="token_obtain_pair"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="token_refresh"),
    path("", include("communities.api.urls")),
    path("", include("complaints.api.urls")),
    path("", include("complaints.hotline_api")),
    path("", include("committees.api.urls")),
    path("", include("inspections.api.urls")),
    path("", include("mediation.api.urls")),
    path("", include("ratings.api.urls")),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("complaints/", include("complaints.urls")),
    path("open311/v2/", include("complaints.open311.urls")),
    path("committees/", include("committees.urls")),
    path("inspections/", include("inspections.urls")),
    path("mediation/", include("mediation.urls")),
    path("ratings/", include("ratings.urls")),
    *auth_urlpatterns,
    path("", home, name="home"),
    path("", include("communities.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
