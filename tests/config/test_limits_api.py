"""The notice periods and limits in the API: everyone signed in reads what the rules apply; administrators change
them with a recently entered password (a token never counts as one); the booking rule applies the new notice."""

import datetime as dt

import pytest

from audit.models import AuditEvent
from core.models import Limits
from integrations.tokens import token_create
from tests.conftest import signed_in_with_password
from tests.integrations.conftest import bearer

NOW = dt.datetime(2026, 12, 14, 19, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)
URL = "/api/v1/limits/"


def patch(client, body):
    return client.patch(URL, body, content_type="application/json")


@pytest.mark.parametrize("who", ["alice", "tam", "support", "admin_user"])
def test_everyone_signed_in_reads_the_limits_in_force(who, request, client_for):
    answer = client_for(request.getfixturevalue(who)).get(URL)
    assert answer.status_code == 200
    assert answer.json() | {"updated_at": None} == {
        "event_notice_days": 14,
        "event_free_cancellation_hours": 48,
        "event_shortest_hours": 1,
        "event_longest_hours": 3,
        "renewal_reminder_days": [90, 60, 30, 7],
        "updated_at": None,
    }


def test_nobody_signed_out_reads_them(client):
    assert client.get(URL).status_code == 403


def test_an_admin_changes_only_what_they_name_and_it_is_audited(admin_user, client_for):
    answer = patch(client_for(admin_user), {"event_notice_days": 21, "renewal_reminder_days": [30, 90, 30]})
    assert answer.status_code == 200, answer.content
    assert answer.json()["renewal_reminder_days"] == [90, 30]
    limits = Limits.current()
    assert (limits.event_notice_days, limits.event_longest_hours, limits.renewal_reminder_days) == (21, 3, [90, 30])
    assert AuditEvent.objects.filter(model="core.limits", actor=admin_user).exists()


@pytest.mark.parametrize("who", ["alice", "tam", "support"])
def test_no_one_else_changes_them(who, request, client_for):
    answer = patch(client_for(request.getfixturevalue(who)), {"event_notice_days": 1})
    assert answer.status_code == 403
    assert answer.json()["detail"] == "Only administrators change the configuration."
    assert not Limits.objects.exists()


def test_a_change_needs_a_recent_password_and_a_token_is_not_one(admin_user, client):
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    signed_in_with_password(client, admin_user, seconds_ago=20 * 60)
    stale = patch(client, {"event_notice_days": 21})
    assert stale.status_code == 403 and stale.json()["code"] == "reauthentication_required"
    _, value = token_create(actor=None, user=admin_user, name="script", scopes=["read", "write"], days=None)
    by_token = patch(bearer(value), {"event_notice_days": 21})
    assert by_token.status_code == 403 and by_token.json()["code"] == "reauthentication_required"
    assert not Limits.objects.exists()


def test_bad_values_are_field_errors_and_change_nothing(admin_user, client_for):
    client = client_for(admin_user)
    typed = patch(client, {"event_notice_days": "soon", "renewal_reminder_days": "90"})
    assert typed.status_code == 400
    assert set(typed.json()) == {"event_notice_days", "renewal_reminder_days"}
    too_short = patch(client, {"event_longest_hours": 0})
    assert too_short.status_code == 400 and "event_longest_hours" in too_short.json()
    assert not Limits.objects.exists()
