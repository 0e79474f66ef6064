"""Portal routes of the 12345 import; added to the `complaints` namespace by complaints/urls.py."""

from django.urls import path

from complaints import hotline_views

urlpatterns = [
    path("hotline/", hotline_views.hotline_import, name="hotline_import"),
    path("hotline/<int:pk>/", hotline_views.hotline_import_detail, name="hotline_import_detail"),
    path("hotline/<int:pk>/retry/", hotline_views.hotline_import_retry, name="hotline_import_retry"),
]
