"""Portal pages of the inspections app."""

from django.urls import path

from inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("new/", views.inspection_create, name="inspection_create"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("<int:pk>/scores/", views.inspection_scores, name="inspection_scores"),
    path("<int:pk>/findings/", views.inspection_finding, name="inspection_finding"),
    path("<int:pk>/submit/", views.inspection_submit, name="inspection_submit"),
    path("<int:pk>/issue/", views.inspection_issue, name="inspection_issue"),
    path("lists/", views.list_list, name="list_list"),
    path("lists/<int:pk>/", views.list_detail, name="list_detail"),
    path("lists/<int:pk>/notice/", views.list_notice, name="list_notice"),
    path("lists/<int:pk>/report/", views.report_form, name="report_form"),
    path("lists/<int:pk>/review/", views.list_review, name="list_review"),
    path("review/", views.review_queue, name="review_queue"),
    path("figures/", views.figures, name="figures"),
]
