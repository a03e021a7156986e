"""The performing TAM follows coverage: an absence recorded, changed or cancelled, or new TAMs for the account, give
each open event ahead to the acting TAM at its start (an invitation to them, a cancellation to the previous one,
the customer told), or flag it for the admins when that TAM is booked then or nobody is free. Through the services,
the absences page and the API alike; new TAMs through the service, the account's configuration page and the
configuration site alike."""

import datetime as dt
import re

import pytest
from django.core import mail

from accounts import services as accounts
from accounts.models import TamAbsence
from accounts.roles import Role
from core.outbox import outbox_deliver
from maintenance.models import MaintenanceEvent
from maintenance.selectors import events_needing_a_tam
from maintenance.services import event_confirm
from tests.factories import UserFactory, customer_user, flush_mail, tier
from tests.security.page_forms import admin_form_values

from .conftest import EVENING, NOW, book

pytestmark = pytest.mark.time_machine(NOW, tick=False)

AWAY = (EVENING - dt.timedelta(days=1), EVENING + dt.timedelta(days=1))  # the TAM is away around Acme's event


def fresh(event) -> MaintenanceEvent:
    return MaintenanceEvent.objects.select_related("performing_tam").get(pk=event.pk)


def record_absence(entry, client_for, tam, starts_at, ends_at) -> TamAbsence:
    """The TAM records their absence through ``entry``."""
    if entry == "service":
        return accounts.absence_record(actor=tam, tam=tam, starts_at=starts_at, ends_at=ends_at, note="Conference")
    client = client_for(tam)
    if entry == "page":
        local = "%Y-%m-%dT%H:%M"
        response = client.post(
            "/people/absences/",
            {"starts_at": starts_at.strftime(local), "ends_at": ends_at.strftime(local), "note": "Conference"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    else:
        body = {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), "note": "Conference"}
        response = client.post("/api/v1/absences/", body, content_type="application/json")
        assert response.status_code == 201, response.content
    return TamAbsence.objects.get(tam=tam, cancelled_at__isnull=True)


def mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def ics(message) -> str:
    content = message.attachments[0][1]
    return content.decode() if isinstance(content, bytes) else content


@pytest.fixture
def confirmed(banked, alice, tam):
    return event_confirm(actor=tam, event=book(banked, alice))


@pytest.mark.parametrize("entry", ["service", "page", "api"])
def test_an_absence_gives_the_event_to_the_backup_who_gets_the_invitation(
    entry, client_for, confirmed, alice, tam, backup_tam
):
    flush_mail()
    record_absence(entry, client_for, tam, *AWAY)
    event = fresh(confirmed)
    assert (event.performing_tam, event.sequence, event.staffing_problem) == (backup_tam, 1, None)
    outbox_deliver()
    invitation = next(m for m in mails_to(backup_tam) if m.subject.startswith("You now perform"))
    assert "METHOD:REQUEST" in ics(invitation) and "SEQUENCE:1" in ics(invitation)
    handed_over = next(m for m in mails_to(tam) if m.subject.startswith("Handed over"))
    assert "METHOD:CANCEL" in ics(handed_over) and "SEQUENCE:1" in ics(handed_over)
    assert f"UID:{event.uid}@ess-portal" in ics(handed_over)
    told = next(m for m in mails_to(alice) if m.subject == "Your planned maintenance has a new TAM")
    assert "Bianca Backup" in told.body and "in place of Terry Tamsin" in told.body
    assert re.search(r"ORGANIZER;CN=\"?Bianca Backup", ics(told))


def test_a_requested_event_moves_too_and_its_new_tam_is_asked_to_confirm(banked, alice, tam, backup_tam):
    event = book(banked, alice)
    flush_mail()
    accounts.absence_record(actor=tam, tam=tam, starts_at=AWAY[0], ends_at=AWAY[1])
    assert fresh(event).performing_tam == backup_tam
    outbox_deliver()
    assert "confirm it or propose another time" in mails_to(backup_tam)[-1].body
    assert not [m for m in mails_to(alice) if m.attachments]  # nothing to put in a calendar before confirmation


@pytest.mark.parametrize("entry", ["service", "api"])
def test_cancelling_the_absence_gives_the_event_back(entry, client_for, confirmed, tam, backup_tam):
    absence = accounts.absence_record(actor=tam, tam=tam, starts_at=AWAY[0], ends_at=AWAY[1])
    assert fresh(confirmed).performing_tam == backup_tam
    if entry == "service":
        accounts.absence_cancel(actor=tam, absence=absence)
    else:
        assert client_for(tam).delete(f"/api/v1/absences/{absence.pk}/").status_code == 204
    event = fresh(confirmed)
    assert (event.performing_tam, event.sequence) == (tam, 2)


@pytest.mark.parametrize("entry", ["service", "api"])
def test_moving_the_absence_off_the_event_gives_it_back(entry, client_for, confirmed, tam, backup_tam):
    absence = accounts.absence_record(actor=tam, tam=tam, starts_at=AWAY[0], ends_at=AWAY[1])
    later = (EVENING + dt.timedelta(days=3), EVENING + dt.timedelta(days=5))
    if entry == "service":
        accounts.absence_update(actor=tam, absence=absence, starts_at=later[0], ends_at=later[1])
    else:
        body = {"starts_at": later[0].isoformat(), "ends_at": later[1].isoformat()}
        response = client_for(tam).patch(f"/api/v1/absences/{absence.pk}/", body, content_type="application/json")
        assert response.status_code == 200, response.content
    assert fresh(confirmed).performing_tam == tam


def assign_tams(entry, client_for, admin, account, primary, backup) -> None:
    """An admin names the account's TAMs through ``entry``: the service, the account's configuration page, or the
    configuration site's add form."""
    if entry == "service":
        accounts.coverage_assign(actor=admin, account=account, primary=primary, backup=backup)
        return
    client = client_for(admin)
    if entry == "page":
        url, data = f"/configuration/accounts/{account.slug}/tams/", {"primary": primary.pk, "backup": backup.pk}
    else:
        url = "/config/accounts/tamassignment/add/"
        data = admin_form_values(client, url, account=account.pk, primary=primary.pk, backup=backup.pk)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.parametrize("entry", ["service", "page", "admin"])
def test_new_tams_for_the_account_take_its_events(entry, client_for, confirmed, alice, tam, admin_user):
    newcomer = UserFactory(email="nora@ess.example", first_name="Nora", last_name="New", roles=[Role.TAM])
    other = UserFactory(email="otto@ess.example", first_name="Otto", last_name="Other", roles=[Role.TAM])
    flush_mail()
    assign_tams(entry, client_for, admin_user, confirmed.account, newcomer, other)
    event = fresh(confirmed)
    assert (event.performing_tam, event.sequence, event.staffing_problem) == (newcomer, 1, None)
    outbox_deliver()
    invitation = next(m for m in mails_to(newcomer) if m.subject.startswith("You now perform"))
    assert "METHOD:REQUEST" in ics(invitation) and "SEQUENCE:1" in ics(invitation)
    handed_over = next(m for m in mails_to(tam) if m.subject.startswith("Handed over"))
    assert "METHOD:CANCEL" in ics(handed_over) and f"UID:{event.uid}@ess-portal" in ics(handed_over)
    told = next(m for m in mails_to(alice) if m.subject == "Your planned maintenance has a new TAM")
    assert "Nora New" in told.body and "in place of Terry Tamsin" in told.body


def test_with_the_tam_and_backup_away_a_tam_level_resource_takes_it(confirmed, tam, backup_tam, tam_level):
    accounts.absence_record(actor=backup_tam, tam=backup_tam, starts_at=AWAY[0], ends_at=AWAY[1])
    assert fresh(confirmed).performing_tam == tam  # the primary is there
    accounts.absence_record(actor=tam, tam=tam, starts_at=AWAY[0], ends_at=AWAY[1])
    assert fresh(confirmed).performing_tam == tam_level


def test_when_nobody_is_free_the_event_is_flagged_not_left_silently(
    client_for, confirmed, tam, backup_tam, tam_level, admin_user
):
    for person in (backup_tam, tam_level, tam):
        accounts.absence_record(actor=person, tam=person, starts_at=AWAY[0], ends_at=AWAY[1])
    event = fresh(confirmed)
    assert event.performing_tam == tam
    assert event.staffing_problem == "Nobody can perform it: the TAMs and every TAM-level resource are away then."
    assert events_needing_a_tam() == [event]
    page = client_for(tam).get(f"/maintenance/events/{event.pk}/").content.decode()
    assert 'data-testid="staffing-problem"' in page
    assert "needs a TAM" in client_for(tam).get("/maintenance/events/?show=all").content.decode()
    assert "needs a TAM" in client_for(admin_user).get("/").content.decode()
    # Someone comes back: the event goes to them and the flag is cleared.
    accounts.absence_cancel(actor=tam_level, absence=TamAbsence.objects.get(tam=tam_level))
    event = fresh(confirmed)
    assert (event.performing_tam, event.staffing_problem) == (tam_level, None)
    assert events_needing_a_tam() == []


def test_an_acting_tam_booked_on_another_event_then_is_never_double_booked(
    confirmed, globex, tam, backup_tam, admin_user
):
    """Globex's primary is Acme's backup, with an event at the same time: when Acme's TAM is away, the backup cannot
    take Acme's event as well; it is flagged instead, and clears when the clash goes."""
    accounts.coverage_assign(actor=None, account=globex, primary=backup_tam, backup=tam)
    accounts.contract_create(actor=admin_user, account=globex, tier=tier("Enterprise"), start_date=dt.date(2026, 1, 1))
    from maintenance.services import credit_adjust, event_cancel

    credit_adjust(actor=admin_user, account=globex, amount=1, reason="Test")
    clash = book(globex, customer_user(globex, email="gus@globex.example"), starts_at=EVENING + dt.timedelta(hours=1))
    assert clash.performing_tam == backup_tam
    accounts.absence_record(actor=tam, tam=tam, starts_at=AWAY[0], ends_at=AWAY[1])
    event = fresh(confirmed)
    assert event.performing_tam == tam
    assert event.staffing_problem == "Bianca Backup, the acting TAM then, is booked on another event at that time."
    event_cancel(actor=backup_tam, event=clash, on_behalf_of="vendor", reason="Rescheduling")
    accounts.absence_record(
        actor=backup_tam,
        tam=backup_tam,
        starts_at=EVENING + dt.timedelta(days=10),
        ends_at=EVENING + dt.timedelta(days=11),
    )
    event = fresh(confirmed)
    assert (event.performing_tam, event.staffing_problem) == (backup_tam, None)
    busy = MaintenanceEvent.objects.busy().filter(performing_tam=backup_tam)
    assert [e.pk for e in busy.overlapping(event.starts_at, event.ends_at)] == [event.pk]


def test_events_already_under_way_stay_with_their_tam(confirmed, tam, time_machine):
    time_machine.move_to(EVENING + dt.timedelta(minutes=30), tick=False)
    accounts.absence_record(actor=tam, tam=tam, starts_at=EVENING + dt.timedelta(hours=1), ends_at=AWAY[1])
    assert fresh(confirmed).performing_tam == tam
