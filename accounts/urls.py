from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("invite/", views.invite, name="invite"),
    path("profile/", views.profile, name="profile"),
    path("absences/", views.absence_list, name="absences"),
    path("absences/<int:pk>/edit/", views.absence_edit, name="absence-edit"),
    path("absences/<int:pk>/cancel/", views.absence_cancel, name="absence-cancel"),
]
