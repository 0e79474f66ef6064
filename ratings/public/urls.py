"""The public compound pages, mounted at /p/ (no login)."""

from django.urls import path

from ratings.public import views

app_name = "public"
urlpatterns = [
    path("<str:public_id>/", views.page, name="page"),
    path("<str:public_id>/notice/", views.notice, name="notice"),
]
