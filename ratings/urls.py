"""Portal pages of the ratings app."""

from django.urls import path, re_path

from ratings import views
from ratings.public import views as public_views

app_name = "ratings"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    re_path(r"^(?P<level>district|subdistrict|community|compound)/(?P<pk>[0-9]+)/$", views.area, name="area"),
    path("compound/<int:pk>/public/", public_views.publish, name="public_page_set"),
    path("company/", views.company, name="company"),
    path("company/stars/", views.company_stars, name="company_stars"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("stars/", views.star_round_list, name="star_rounds"),
    path("stars/<int:pk>/", views.star_round_detail, name="star_round_detail"),
    path("stars/<int:pk>/<slug:step>/", views.star_round_action, name="star_round_action"),
    path("companies/", views.companies, name="companies"),
    path("companies/boards/", views.boards, name="boards"),
    path("companies/<int:company_id>/", views.company_evaluation, name="company_evaluation"),
    path("companies/rounds/<int:pk>/<slug:step>/", views.evaluation_round_action, name="evaluation_round_action"),
    path("targets/", views.target_list, name="targets"),
    path("definitions/", views.definitions, name="definitions"),
]
