"""Every refusal through the form and through the API; permissions; reminders; query counts."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maintenance.models import CreditEntry, EventStatus, MaintenanceEvent
from maintenance.reminders import reminders_send
from maintenance.services import event_book, event_confirm
from tests.factories import flush_mail

from .conftest import DENVER, NOW, booking_json

pytestmark = pytest.mark.time_machine(NOW, tick=False)


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
]


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
    picked = {"scope": "maintenance_release", "duration": "120"}
    bad = client.get("/maintenance/check-slot/", {**picked, "starts_at": "2026-05-26T10:00"}, HTTP_HX_REQUEST="true")
    assert "outside support hours" in bad.content.decode()
    good = client.get("/maintenance/check-slot/", {**picked, "starts_at": "2026-05-26T19:00"}, HTTP_HX_REQUEST="true")
    assert "the request would be accepted" in good.content.decode()


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
    assert client.post(f"/maintenance/events/{event.pk}/cancel/", {"on_behalf_of": "customer"}).status_code == 404
    assert client.get(f"/api/v1/events/{event.pk}/").status_code == 404
    cancel = {"on_behalf_of": "customer"}
    assert client.post(f"/api/v1/events/{event.pk}/cancel/", cancel, content_type="application/json").status_code == 404
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
    """A step chart with its axes, the bank limit line, a text alternative and its numbers as a table."""
    page = client_for(alice).get("/maintenance/").content.decode()
    chart = page[page.index('<figure class="chart-figure"') : page.index("</figure>")]
    assert '<title id="credit-chart-title">Events available over time</title>' in chart
    assert "2 now, at most 2, with a bank limit of 2." in chart
    assert 'class="cap-line"' in chart and "bank limit 2" in chart
    assert chart.count('class="axis"') >= 2 and ">May 2026</text>" in chart
    assert "<td>May 4, 2026</td><td>2</td>" in chart


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


def test_an_api_start_without_an_offset_is_read_in_the_users_zone_like_the_form(client_for, banked, alice):
    alice.time_zone = "America/New_York"
    alice.save()
    body = booking_json("2026-05-26T21:00", 120)
    response = client_for(alice).post("/api/v1/events/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert MaintenanceEvent.objects.get().starts_at == dt.datetime(2026, 5, 27, 1, 0, tzinfo=dt.UTC)


def test_the_schema_says_how_times_scopes_and_behalves_are_read(client_for, alice):
    components = client_for(alice).get("/api/schema/?format=json").json()["components"]["schemas"]
    booking = next(schema for name, schema in components.items() if name.startswith("EventBook"))["properties"]
    assert "read in the requesting user's own time zone" in booking["starts_at"]["description"]
    assert "refused (400)" in booking["starts_at"]["description"]

    def enum(field):
        return set(components[field["allOf"][0]["$ref"].rsplit("/", 1)[-1]]["enum"])

    assert {"major_upgrade", "system_migration", "maintenance_release"} <= enum(booking["scope"])
    cancel = next(schema for name, schema in components.items() if name.startswith("EventCancel"))["properties"]
    assert enum(cancel["on_behalf_of"]) == {"customer", "vendor"}
