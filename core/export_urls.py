"""The user's export jobs, mounted at /downloads/ by the project's URL configuration."""

from django.urls import path

from core import export_views

urlpatterns = [
    path("", export_views.export_list, name="export_list"),
    path("<int:pk>/", export_views.export_job, name="export_job"),
    path("<int:pk>/file", export_views.export_download, name="export_download"),
    path("<int:pk>/queue/", export_views.export_requeue, name="export_requeue"),
]
