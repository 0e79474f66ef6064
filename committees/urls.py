"""Portal pages of the committees app."""

from django.urls import path

from committees import views

app_name = "committees"
urlpatterns = [
    path("", views.home, name="home"),
    path("compounds/<int:pk>/", views.compound, name="compound"),
    path("compounds/<int:pk>/votes/", views.vote_create, name="vote_create"),
    path("votes/<int:pk>/", views.vote_detail, name="vote"),
    path("votes/<int:pk>/paper-ballot/", views.paper_ballot, name="paper_ballot"),
    path("votes/<int:pk>/candidates/", views.candidate_create, name="candidate_create"),
    path("votes/<int:pk>/<slug:step>/", views.vote_action, name="vote_action"),
    path("candidates/<int:pk>/vet/", views.candidate_vet, name="candidate_vet"),
    path("ballots/<int:pk>/sign-off/", views.ballot_sign_off, name="ballot_sign_off"),
]
