from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("triage/", views.triage_list, name="triage"),
    path("triage/<int:pk>/", views.triage_item, name="item"),
    path("triage/<int:pk>/assign/", views.triage_action.one("assign"), name="assign"),
    path("triage/<int:pk>/discard/", views.triage_action.one("discard"), name="discard"),
    path("triage/<int:pk>/message.eml", views.triage_original, name="original"),
]
