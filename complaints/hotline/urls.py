"""Portal routes of the 12345 import; added to the `complaints` namespace by complaints/urls.py."""

from django.urls import path

from complaints.hotline import views

urlpatterns = [
    path("hotline/", views.hotline_import, name="hotline_import"),
    path("hotline/<int:pk>/", views.hotline_import_detail, name="hotline_import_detail"),
    path("hotline/<int:pk>/retry/", views.hotline_import_retry, name="hotline_import_retry"),
]
