from django.contrib.auth import views as auth_views
from django.urls import path

from communities import views

app_name = "communities"
urlpatterns = [
    path("", views.home, name="home"),
    path("compounds/", views.compound_list, name="compound_list"),
    path("compounds/<int:pk>/", views.compound_detail, name="compound_detail"),
    path("audit/", views.audit_log, name="audit_log"),
    path("exports/log/", views.export_log, name="export_log"),
]

# Sign-in pages live at the root URLconf names Django expects ("login", "logout").
auth_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
