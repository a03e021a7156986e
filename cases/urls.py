from django.urls import path

from . import reports, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("escalations/", views.escalation_list, name="escalations"),
    path("compliance/", reports.compliance_report, name="compliance"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/reply/", views.case_reply_view, name="reply"),
    path("<int:pk>/note/", views.case_note_view, name="note"),
    path("<int:pk>/status/", views.case_status_view, name="status"),
    path("<int:pk>/escalate/", views.case_escalate_view, name="escalate"),
    path("<int:pk>/contacts/", views.contact_log_view, name="log-contact"),
    path("escalations/<int:pk>/acknowledge/", views.escalation_acknowledge_view, name="acknowledge"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
