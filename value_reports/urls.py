from django.urls import path

from . import views

app_name = "value_reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("mail/<str:action>/", views.mail_choice, name="mail-choice"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/pdf/", views.report_download, name="pdf"),
]
