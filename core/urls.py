"""Portal pages of `core`, mounted at /notifications/ (the home page is mounted at / by the project's URL configuration)."""

from django.urls import path

from core import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
    path("read-all/", views.notification_read_all, name="notifications_read_all"),
]
