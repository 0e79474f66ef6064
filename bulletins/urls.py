"""Portal pages of the bulletins app."""

from django.urls import path

from bulletins import views

app_name = "bulletins"
urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/pdf/", views.bulletin_pdf, name="pdf"),
    path("<int:pk>/xlsx/", views.bulletin_xlsx, name="xlsx"),
    path("<int:pk>/publish/", views.bulletin_publish, name="publish"),
    path("<int:pk>/regenerate/", views.bulletin_regenerate, name="regenerate"),
]
