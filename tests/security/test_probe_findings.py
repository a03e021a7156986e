"""Refusals and leaks found by probing: each stays fixed."""

import datetime as dt
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.services import case_escalate, case_open
from core.errors import DomainError
from maintenance.credits import quarter_roll_over
from maintenance.models import CalendarFeed
from maintenance.services import event_book

DENVER = zoneinfo.ZoneInfo("America/Denver")


@pytest.fixture
def acme_case(ess, alice):
    return case_open(actor=alice, account=ess, subject="Capture down", description="", channel="portal", severity=3)


def test_customers_see_only_their_cases_own_clocks(client_for, acme_case, alice, support):
    case_escalate(actor=support, case=acme_case)
    names = {m["name"] for m in client_for(alice).get(f"/api/v1/cases/{acme_case.pk}/milestones/").json()}
    assert "Escalation acknowledged" not in names
    assert names and all(name.startswith(("First response", "Resolution")) for name in names)
    staff_names = {m["name"] for m in client_for(support).get(f"/api/v1/cases/{acme_case.pk}/milestones/").json()}
    assert "Escalation acknowledged" in staff_names


def test_another_accounts_existence_is_not_revealed_by_field_errors(client_for, ess, bob, alice, standard):
    client = client_for(bob)
    for slug in ("acme", "no-such-account"):
        response = client.post(
            "/api/v1/events/",
            {
                "account": slug,
                "scope": "maintenance_release",
                "description": "x",
                "starts_at": "2027-01-01T20:00Z",
                "duration_minutes": 60,
            },
            content_type="application/json",
        )
        assert response.status_code == 400
    answers = [
        client.post("/api/v1/cases/", {"subject": "x", "contact": email}, content_type="application/json").json()
        for email in (alice.email, "ghost@acme.example")
    ]
    # The same refusal for a real user of another account as for nobody (only the echoed address differs).
    assert set(answers[0]) == set(answers[1]) == {"contact"}
    assert all("does not exist" in answer["contact"][0] for answer in answers)


def test_a_clash_with_another_accounts_event_does_not_tell_its_times(ess, alice, globex, tam, backup_tam, time_machine):
    from accounts.services import contract_create, coverage_assign
    from tests.factories import customer_user, tier

    time_machine.move_to(dt.datetime(2026, 5, 4, 10, tzinfo=DENVER), tick=False)
    coverage_assign(actor=None, account=globex, primary=tam, backup=backup_tam)
    contract_create(actor=None, account=globex, tier=tier("Enterprise"), start_date=dt.date(2026, 1, 1))
    quarter_roll_over(as_of=dt.date(2026, 5, 4))
    evening = dt.datetime(2026, 5, 26, 19, tzinfo=DENVER)
    event_book(
        actor=alice,
        account=ess,
        scope="maintenance_release",
        description="x",
        starts_at=evening,
        duration=dt.timedelta(hours=2),
    )
    gus = customer_user(globex, email="gus@globex.example")
    with pytest.raises(DomainError) as refused:
        event_book(
            actor=gus,
            account=globex,
            scope="maintenance_release",
            description="x",
            starts_at=evening,
            duration=dt.timedelta(hours=1),
        )
    assert "already booked at that time" in refused.value.message
    assert "19:00" not in refused.value.message


def test_a_feed_stops_when_its_maker_leaves(client, client_for, ess, alice, tam):
    client_for(alice).post("/maintenance/feed/")
    feed = CalendarFeed.objects.get(account=ess)
    assert client.get(f"/feeds/{feed.token}.ics").status_code == 200
    alice.is_active = False
    alice.save()
    assert client.get(f"/feeds/{feed.token}.ics").status_code == 404
    client_for(tam).post("/maintenance/feed/")
    tam_feed = CalendarFeed.objects.get(tam=tam)
    tam.is_active = False
    tam.save()
    assert client.get(f"/feeds/{tam_feed.token}.ics").status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/api/v1/cases/?status=a%00b", "/api/v1/events/?status=a%00b", "/feeds/a%00b.ics", "/maintenance/?account=a%00b"],
)
def test_a_nul_character_is_a_400_not_a_500(client_for, ess, alice, url):
    assert client_for(alice).get(url).status_code == 400


def test_a_long_attachment_name_is_kept_but_never_reaches_the_disk(client_for, acme_case, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    name = "x" * 240 + ".pdf"
    client = client_for(alice)
    for _ in range(2):
        response = client.post(
            f"/cases/{acme_case.pk}/reply/",
            {"body": "the file", "attachments": SimpleUploadedFile(name, b"%PDF-1.4", "application/pdf")},
        )
        assert response.status_code == 302
    attachments = list(acme_case.attachments.all())
    assert [a.name for a in attachments] == [name[:200]] * 2
    assert all(len(a.file.name.rsplit("/", 1)[-1]) < 50 for a in attachments)
