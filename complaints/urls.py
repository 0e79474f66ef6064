"""Portal pages of the complaints app."""

from django.urls import path

from complaints import exports, views
from complaints.hotline.urls import urlpatterns as hotline_urlpatterns

app_name = "complaints"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("supervision/", views.supervision, name="supervision"),
    path("walk-in/", views.walk_in, name="walk_in"),
    path("export.<str:fmt>", exports.export, name="export"),
    path("target-problems/", views.target_problems, name="target_problems"),
    path("warnings/<int:pk>/", views.surge_detail, name="surge_detail"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:step>/", views.act, name="act"),
    *hotline_urlpatterns,
]
