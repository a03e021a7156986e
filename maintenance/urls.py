from django.urls import path

from . import views

app_name = "maintenance"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("book/", views.book, name="book"),
    path("check-slot/", views.check_slot_view, name="check-slot"),
    path("suggested-slots/", views.suggested_slots_view, name="suggested-slots"),
    path("events/", views.event_list, name="events"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/<str:action>/", views.event_action, name="event-action"),
    path("feed/", views.feed_settings, name="feed"),
]
