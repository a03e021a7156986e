"""Case pages (being built): list, detail and the actions on a case."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("Coming soon", status=501)


case_list = case_new = escalation_list = case_detail = case_reply_view = case_note_view = login_required(_todo)
case_status_view = case_escalate_view = contact_log_view = escalation_acknowledge_view = login_required(_todo)
attachment_download = login_required(_todo)
