"""Portal pages of the complaints app."""

from django.urls import path  # noqa: F401

from complaints.hotline_urls import urlpatterns as hotline_urlpatterns

app_name = "complaints"
urlpatterns: list = []
urlpatterns += hotline_urlpatterns
