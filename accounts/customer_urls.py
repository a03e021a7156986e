from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("<slug:slug>/", views.account_detail, name="detail"),
]
