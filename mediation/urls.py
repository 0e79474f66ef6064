"""Portal pages of the mediation app."""

from django.urls import path

from mediation import views

app_name = "mediation"
urlpatterns = [
    path("", views.home, name="home"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/update/", views.meeting_update, name="meeting_update"),
    path("meetings/<int:pk>/attendees/", views.meeting_attendee, name="meeting_attendee"),
    path("meetings/<int:pk>/topics/", views.meeting_topic, name="meeting_topic"),
    path("meetings/<int:pk>/action-items/", views.meeting_action_item, name="meeting_action_item"),
    path("topics/<int:pk>/decide/", views.topic_decide, name="topic_decide"),
    path("action-items/", views.action_item_list, name="action_item_list"),
    path("action-items/<int:pk>/status/", views.action_item_status, name="action_item_status"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/<int:pk>/generate/", views.rule_generate, name="rule_generate"),
    path("venues/", views.venue_list, name="venue_list"),
    path("disputes/", views.dispute_list, name="dispute_list"),
    path("disputes/new/", views.dispute_create, name="dispute_create"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute_detail"),
    path("disputes/<int:pk>/parties/", views.dispute_party, name="dispute_party"),
    path("disputes/<int:pk>/mediators/", views.dispute_mediator, name="dispute_mediator"),
    path("disputes/<int:pk>/sessions/", views.dispute_session, name="dispute_session"),
    path("disputes/<int:pk>/close/", views.dispute_close, name="dispute_close"),
    path("liaisons/", views.liaison_list, name="liaison_list"),
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("screenings/", views.screening_list, name="screening_list"),
    path("screenings/<int:pk>/", views.screening_detail, name="screening_detail"),
    path("hazards/<int:pk>/resolve/", views.hazard_resolve, name="hazard_resolve"),
    path("counts/", views.counts, name="counts"),
]
