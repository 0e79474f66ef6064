from django.contrib.auth import views as auth_views
from django.urls import path

from communities import views

app_name = "communities"
urlpatterns = [
    path("compounds/", views.compound_list, name="compound_list"),
    path("compounds/<int:pk>/", views.compound_detail, name="compound_detail"),
    path("audit/", views.audit_log, name="audit_log"),
    path("exports/log/", views.export_log, name="export_log"),
    path("imports/roster/", views.roster_import, name="roster_import"),
    path("imports/roster/sample.xlsx", views.roster_sample, name="roster_sample"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:pk>/deactivate/", views.account_deactivate, name="account_deactivate"),
    path("accounts/<int:pk>/reactivate/", views.account_reactivate, name="account_reactivate"),
    path("claims/", views.claim_queue, name="claim_queue"),
    path("claims/<int:pk>/decide/", views.claim_decide, name="claim_decide"),
]

# Sign-in pages live at the root URLconf names Django expects ("login", "logout").
auth_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
