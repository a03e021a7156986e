from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("invite/", views.invite, name="invite"),
    path("profile/", views.profile, name="profile"),
]
