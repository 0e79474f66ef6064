from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework_simplejwt.views import TokenRefreshView

from communities.urls import auth_urlpatterns
from core import views as core_views
from core.api_views import MyDataView, MyTasksView
from core.auth import TokenObtainView
from ratings.public.sitemaps import PublicCompoundSitemap

api_v1 = [
    path("auth/token/", TokenObtainView.as_view(), name="token_obtain_pair"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="token_refresh"),
    path("me/data/", MyDataView.as_view(), name="my_data"),
    path("me/tasks/", MyTasksView.as_view(), name="my_tasks"),
    # Complaints first: filing one is the busiest request, and URL resolution tries the patterns in order.
    path("", include("complaints.api.urls")),
    path("", include("core.api_urls")),
    path("", include("communities.api.urls")),
    path("", include("complaints.hotline.api")),
    path("", include("committees.api.urls")),
    path("", include("inspections.api.urls")),
    path("", include("mediation.api.urls")),
    path("", include("ratings.api.urls")),
    path("", include("summons.api.urls")),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Split view: Swagger UI's start-up script is served from a URL, not inline (CSP); its page keeps
    # one small inline <style>, allowed on this page only.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="swagger-ui",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("complaints/", include("complaints.urls")),
    path("open311/v2/", include("complaints.open311.urls")),
    path("committees/", include("committees.urls")),
    path("inspections/", include("inspections.urls")),
    path("mediation/", include("mediation.urls")),
    path("ratings/", include("ratings.urls")),
    path("summons/", include("summons.urls")),
    path("bulletins/", include("bulletins.urls")),
    # Public compound pages (no login) and their sitemap: published compounds only.
    path("p/", include("ratings.public.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": {"compounds": PublicCompoundSitemap}}, name="sitemap"),
    *auth_urlpatterns,
    path("", core_views.home, name="home"),
    path("desk/count/", core_views.desk_count, name="desk_count"),
    path("notifications/", include("core.urls")),
    path("downloads/", include("core.export_urls")),
    path("", include("communities.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler500 = "core.views.server_error"
