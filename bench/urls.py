"""The production URLs plus bench-only views. Loaded only through bench.settings."""

from django.urls import path

from bench import views
from config.urls import urlpatterns as production_urlpatterns

urlpatterns = [
    path("bench/bare-complaint/", views.bare_complaint, name="bench_bare_complaint"),
    *production_urlpatterns,
]
