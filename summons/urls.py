"""Portal pages of the summons app."""

from django.urls import path

from summons import views

app_name = "summons"
urlpatterns = [
    path("", views.summons_list, name="list"),
    path("new/", views.summons_new, name="new"),
    path("<int:pk>/", views.summons_detail, name="detail"),
    path("commitments/<int:pk>/answer/", views.commitment_answer, name="answer"),
    path("commitments/<int:pk>/review/", views.commitment_review, name="review"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
]
