from django.urls import path

from . import reports, search, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("escalations/", views.escalation_list, name="escalations"),
    path("compliance/", reports.compliance_report, name="compliance"),
    path("search/", search.search_page, name="search"),
    path("<int:pk>/", views.case_detail, name="detail"),
    # The case page's actions: one view, one table (views.CASE_ACTIONS).
    path("<int:pk>/reply/", views.case_action, {"action": "reply"}, name="reply"),
    path("<int:pk>/note/", views.case_action, {"action": "note"}, name="note"),
    path("<int:pk>/status/", views.case_action, {"action": "status"}, name="status"),
    path("<int:pk>/escalate/", views.case_action, {"action": "escalate"}, name="escalate"),
    path("<int:pk>/contacts/", views.case_action, {"action": "contact"}, name="log-contact"),
    path("escalations/<int:pk>/acknowledge/", views.escalation_action.one("acknowledge"), name="acknowledge"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
