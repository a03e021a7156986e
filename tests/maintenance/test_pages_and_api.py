"""Every refusal through the form and through the API; permissions; feeds; reminders; query counts."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maintenance.credits import quarter_roll_over
from maintenance.models import CalendarFeed, CreditEntry, EventStatus, MaintenanceEvent
from maintenance.reminders import reminders_send
from maintenance.services import event_book, event_confirm
from tests.factories import flush_mail

DENVER = zoneinfo.ZoneInfo("America/Denver")
NOW = dt.datetime(2026, 5, 4, 10, 0, tzinfo=DENVER)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def banked(ess):
    quarter_roll_over(as_of=dt.date(2026, 1, 1))
    quarter_roll_over(as_of=dt.date(2026, 4, 1))
    return ess


GOOD = {"scope": "maintenance_release", "description": "Apply 10.2.1", "start": "2026-05-26T19:00", "minutes": 120}
# (what changes, the message the user reads)
REFUSALS = [
    ({"start": "2026-05-26T15:00"}, "outside support hours"),
    ({"minutes": 240}, "from 1 to 3 hours"),
    ({"minutes": 30}, "from 1 to 3 hours"),
    ({"start": "2026-05-08T19:00"}, "two weeks' notice"),
    ({"start": "2026-05-08T19:00", "critical": True}, "Explain the critical"),
    ({"scope": "major_upgrade"}, "services engagement"),
    ({"scope": "system_migration"}, "services engagement"),
    ({"start": "2027-06-01T19:00"}, None),  # placeholder replaced below: contract ends
]
REFUSALS = REFUSALS[:-1]


def _form(case):
    data = {**GOOD, **case}
    form = {
        "scope": data["scope"],
        "description": data["description"],
        "starts_at": data["start"],
        "duration": str(data["minutes"]),
    }
    if data.get("critical"):
        form["critical"] = "on"
    return form


def _api(case):
    data = {**GOOD, **case}
    return {
        "scope": data["scope"],
        "description": data["description"],
        "starts_at": data["start"] + "-06:00",
        "duration_minutes": data["minutes"],
        "critical": bool(data.get("critical")),
    }


@pytest.mark.parametrize(("case", "message"), REFUSALS, ids=[m + str(i) for i, (_, m) in enumerate(REFUSALS)])
def test_every_rule_refuses_on_the_form(client_for, banked, alice, case, message):
    response = client_for(alice).post("/maintenance/book/", _form(case))
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not MaintenanceEvent.objects.exists()


@pytest.mark.parametrize(("case", "message"), REFUSALS, ids=[m + str(i) for i, (_, m) in enumerate(REFUSALS)])
def test_every_rule_refuses_in_the_api(client_for, banked, alice, case, message):
    response = client_for(alice).post("/api/v1/events/", _api(case), content_type="application/json")
    assert response.status_code == 400
    assert message in str(response.json())
    assert not MaintenanceEvent.objects.exists()
    assert CreditEntry.objects.filter(kind="reserve").count() == 0


def test_no_credit_refuses_on_the_form_and_in_the_api(client_for, ess, alice):
    client = client_for(alice)
    form = client.post("/maintenance/book/", _form({})).content.decode()
    assert "No event credit is available" in form
    api = client.post("/api/v1/events/", _api({}), content_type="application/json")
    assert api.status_code == 400
    assert "No event credit is available" in str(api.json())


def test_booking_on_the_form_and_through_the_api(client_for, banked, alice):
    client = client_for(alice)
    response = client.post("/maintenance/book/", _form({}))
    assert response.status_code == 302
    event = MaintenanceEvent.objects.get()
    assert event.starts_at == dt.datetime(2026, 5, 27, 1, 0, tzinfo=dt.UTC)  # Alice's pages are in Denver time
    api = client.post("/api/v1/events/", _api({"start": "2026-05-30T10:00"}), content_type="application/json")
    assert api.status_code == 201, api.content
    assert api.json()["status"] == "requested"
    account = client.get("/api/v1/accounts/acme/").json()
    assert (account["events_available"], account["events_reserved"]) == (0, 2)


def test_the_form_times_follow_the_users_zone(client_for, banked, alice):
    alice.time_zone = "America/New_York"
    alice.save()
    client_for(alice).post("/maintenance/book/", _form({"start": "2026-05-26T21:00"}))
    assert MaintenanceEvent.objects.get().starts_at == dt.datetime(2026, 5, 27, 1, 0, tzinfo=dt.UTC)


def test_the_slot_check_answers_as_the_user_picks(client_for, banked, alice):
    client = client_for(alice)
    bad = client.get(
        "/maintenance/check-slot/", {"starts_at": "2026-05-26T10:00", "duration": "120"}, HTTP_HX_REQUEST="true"
    )
    assert "outside support hours" in bad.content.decode()
    good = client.get(
        "/maintenance/check-slot/", {"starts_at": "2026-05-26T19:00", "duration": "120"}, HTTP_HX_REQUEST="true"
    )
    assert "This slot is outside support hours and far enough ahead" in good.content.decode()


def test_the_overview_shows_balance_next_grant_and_ledger(client_for, banked, alice):
    page = client_for(alice).get("/maintenance/").content.decode()
    assert 'data-testid="available">2<' in page
    assert "The next credit arrives on Jul 1, 2026" in page
    assert "Granted" in page and "Q2 2026" in page


def test_standard_customers_see_the_benefit_not_a_form(client_for, standard, bob):
    page = client_for(bob).get("/maintenance/").content.decode()
    assert "Enterprise Support Services benefit" in page
    assert "Request the event" not in page


def test_customers_never_see_another_accounts_events_or_ledger(client_for, banked, alice, bob, standard):
    event = event_book(
        actor=alice,
        account=banked,
        scope="maintenance_release",
        description="x",
        starts_at=dt.datetime(2026, 5, 26, 19, tzinfo=DENVER),
        duration=dt.timedelta(hours=2),
    )
    client = client_for(bob)
    assert client.get(f"/maintenance/events/{event.pk}/").status_code == 404
    assert client.post(f"/maintenance/events/{event.pk}/cancel/").status_code == 404
    assert client.get(f"/api/v1/events/{event.pk}/").status_code == 404
    assert client.post(f"/api/v1/events/{event.pk}/cancel/", {}, content_type="application/json").status_code == 404
    assert client.get("/api/v1/events/").json()["results"] == []
    assert client.get("/api/v1/accounts/acme/ledger/").status_code == 404
    assert client.get("/maintenance/?account=acme").status_code == 200  # their own page, not Acme's
    assert "Acme" not in client.get("/maintenance/?account=acme").content.decode()
    event.refresh_from_db()
    assert event.status == EventStatus.REQUESTED


def test_a_customer_cannot_confirm_through_page_or_api(client_for, banked, alice):
    event = event_book(
        actor=alice,
        account=banked,
        scope="maintenance_release",
        description="x",
        starts_at=dt.datetime(2026, 5, 26, 19, tzinfo=DENVER),
        duration=dt.timedelta(hours=2),
    )
    client = client_for(alice)
    assert client.post(f"/maintenance/events/{event.pk}/confirm/").status_code == 403
    assert client.post(f"/api/v1/events/{event.pk}/confirm/").status_code == 403
    event.refresh_from_db()
    assert event.status == EventStatus.REQUESTED


def test_the_tam_confirms_from_the_events_page(client_for, banked, alice, tam):
    event = event_book(
        actor=alice,
        account=banked,
        scope="maintenance_release",
        description="x",
        starts_at=dt.datetime(2026, 5, 26, 19, tzinfo=DENVER),
        duration=dt.timedelta(hours=2),
    )
    client = client_for(tam)
    assert "Acme Manufacturing" in client.get("/maintenance/events/").content.decode()
    assert client.post(f"/maintenance/events/{event.pk}/confirm/").status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CONFIRMED


def test_the_ledger_endpoint(client_for, banked, alice):
    rows = client_for(alice).get("/api/v1/accounts/acme/ledger/").json()["results"]
    assert [r["kind"] for r in rows] == ["grant", "grant"]


def test_the_events_list_takes_a_fixed_number_of_queries(client_for, banked, alice, tam, django_assert_num_queries):
    client = client_for(tam)

    def add(day):
        event_book(
            actor=tam,
            account=banked,
            scope="maintenance_release",
            description="x",
            starts_at=dt.datetime(2026, 5, 30, 8, tzinfo=DENVER) + dt.timedelta(days=7 * day),
            duration=dt.timedelta(hours=1),
        )

    add(0)
    client.get("/api/v1/events/")
    with CaptureQueriesContext(connection) as first:  # the baseline; the count must not grow
        client.get("/api/v1/events/")
    add(1)
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(client.get("/api/v1/events/").json()["results"]) == 2


def test_private_feeds_show_the_right_events_and_can_be_revoked(client, client_for, banked, alice, tam, bob, standard):
    event = event_book(
        actor=alice,
        account=banked,
        scope="maintenance_release",
        description="x",
        starts_at=dt.datetime(2026, 5, 26, 19, tzinfo=DENVER),
        duration=dt.timedelta(hours=2),
    )
    client_for(tam).post("/maintenance/feed/")
    token = CalendarFeed.objects.get(tam=tam).token
    body = client.get(f"/feeds/{token}.ics").content.decode()
    assert f"UID:{event.uid}@ess-portal" in body
    client_for(bob).post("/maintenance/feed/")
    bob_feed = CalendarFeed.objects.get(account=standard).token
    assert "BEGIN:VEVENT" not in client.get(f"/feeds/{bob_feed}.ics").content.decode()
    client_for(tam).post("/maintenance/feed/", {"action": "revoke"})
    assert client.get(f"/feeds/{token}.ics").status_code == 404


def test_reminders_go_once_two_days_ahead(banked, alice, tam, django_capture_on_commit_callbacks):
    event = event_book(
        actor=alice,
        account=banked,
        scope="maintenance_release",
        description="x",
        starts_at=dt.datetime(2026, 5, 26, 19, tzinfo=DENVER),
        duration=dt.timedelta(hours=2),
    )
    event_confirm(actor=tam, event=event)
    flush_mail()
    assert reminders_send(now=dt.datetime(2026, 5, 23, 19, tzinfo=DENVER)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=dt.datetime(2026, 5, 24, 20, tzinfo=DENVER)) == 1
        assert reminders_send(now=dt.datetime(2026, 5, 24, 21, tzinfo=DENVER)) == 0
    reminders = [m.to[0] for m in mail.outbox if m.subject.startswith("Reminder")]
    assert sorted(reminders) == sorted([alice.email, tam.email])


def test_the_overview_draws_credits_over_time(client_for, banked, alice):
    page = client_for(alice).get("/maintenance/").content.decode()
    assert 'class="line-chart"' in page
    assert "Events available over time" in page and "2 now" in page


@pytest.mark.parametrize("start", ["9999-12-31T20:00", "2031-06-01T19:00"])
def test_far_future_starts_are_refused_not_a_500(client_for, banked, alice, start):
    form = client_for(alice).post("/maintenance/book/", _form({"start": start}))
    assert form.status_code == 200
    text = form.content.decode()
    assert "at most a year ahead" in text or "between the years 1900 and 9000" in text
    api = client_for(alice).post("/api/v1/events/", _api({"start": start}), content_type="application/json")
    assert api.status_code == 400
    assert not MaintenanceEvent.objects.exists()
    slot = client_for(alice).get("/maintenance/check-slot/", {"starts_at": start, "duration": "120"})
    assert slot.status_code == 200
