import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import TamAbsence
from accounts.services import absence_cancel, absence_record, absence_update, coverage_assign
from core.errors import DomainError, NotAllowed
from tests.factories import customer_user

NOW = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


@pytest.fixture
def owned(acme, tam, backup_tam, alice):
    coverage_assign(actor=None, account=acme, primary=tam, backup=backup_tam, at=NOW - dt.timedelta(days=60))
    return acme


def _week(days_ahead=4, length_days=2):
    starts = NOW + dt.timedelta(days=days_ahead)
    return starts, starts + dt.timedelta(days=length_days)


def test_recording_an_absence_tells_each_customer_user_in_their_zone(
    owned, tam, alice, django_capture_on_commit_callbacks
):
    alice.time_zone = "America/Chicago"
    alice.save()
    london = customer_user(owned, email="lena@acme.example", first_name="Lena", time_zone="Europe/London")
    starts, ends = _week()
    with django_capture_on_commit_callbacks(execute=True):
        absence_record(actor=tam, tam=tam, starts_at=starts, ends_at=ends, note="Conference")
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"alice@acme.example", london.email}
    # 15:00 UTC is 09:00 in Chicago (Alice) and 15:00 in London.
    assert "Mon 30 Nov 2026 09:00" in by_recipient["alice@acme.example"].body
    assert "Mon 30 Nov 2026 15:00" in by_recipient[london.email].body
    assert "Bianca Backup" in by_recipient["alice@acme.example"].body
    assert "Conference" in by_recipient["alice@acme.example"].body


def test_customers_of_other_accounts_hear_nothing(owned, tam, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        absence_record(actor=tam, tam=tam, starts_at=_week()[0], ends_at=_week()[1])
    assert all(message.to != [bob.email] for message in mail.outbox)


def test_changing_and_cancelling_tell_the_customers_again(owned, tam, django_capture_on_commit_callbacks):
    starts, ends = _week()
    with django_capture_on_commit_callbacks(execute=True):
        absence = absence_record(actor=tam, tam=tam, starts_at=starts, ends_at=ends)
        absence_update(actor=tam, absence=absence, starts_at=starts, ends_at=ends + dt.timedelta(days=1), note="Longer")
        absence_cancel(actor=tam, absence=absence)
    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        "Your TAM's absence scheduled: Terry Tamsin",
        "Your TAM's absence changed: Terry Tamsin",
        "Your TAM's absence cancelled: Terry Tamsin",
    ]
    absence.refresh_from_db()
    assert absence.cancelled_at == NOW


def test_a_tam_records_only_their_own_absence(owned, tam, backup_tam):
    with pytest.raises(NotAllowed, match="only record your own"):
        absence_record(actor=tam, tam=backup_tam, starts_at=_week()[0], ends_at=_week()[1])
    assert not TamAbsence.objects.exists()


def test_an_admin_records_anyones(owned, admin_user, backup_tam):
    absence = absence_record(actor=admin_user, tam=backup_tam, starts_at=_week()[0], ends_at=_week()[1])
    assert absence.created_by == admin_user


@pytest.mark.parametrize(
    ("starts", "ends", "field", "message"),
    [
        (NOW + dt.timedelta(days=2), NOW + dt.timedelta(days=1), "ends_at", "ends after it starts"),
        (NOW - dt.timedelta(days=3), NOW - dt.timedelta(days=1), "ends_at", "already over"),
    ],
)
def test_bad_times_are_refused(owned, tam, starts, ends, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        absence_record(actor=tam, tam=tam, starts_at=starts, ends_at=ends)
    assert refused.value.field == field
    assert not TamAbsence.objects.exists()


def test_overlapping_absences_of_one_person_are_refused(owned, tam):
    starts, ends = _week()
    absence_record(actor=tam, tam=tam, starts_at=starts, ends_at=ends)
    with pytest.raises(DomainError, match="overlaps"):
        absence_record(
            actor=tam, tam=tam, starts_at=starts + dt.timedelta(hours=5), ends_at=ends + dt.timedelta(days=1)
        )
    assert TamAbsence.objects.count() == 1


def test_a_customer_or_support_cannot_record_absences(owned, alice, support):
    with pytest.raises(NotAllowed, match="Only TAMs, TAM-level resources and admins"):
        absence_record(actor=alice, tam=alice, starts_at=_week()[0], ends_at=_week()[1])
    with pytest.raises(NotAllowed, match="Only TAMs, TAM-level resources and admins"):
        absence_record(actor=support, tam=support, starts_at=_week()[0], ends_at=_week()[1])
    assert not TamAbsence.objects.exists()


def test_naive_times_are_refused(owned, tam):
    with pytest.raises(DomainError, match="time zone"):
        absence_record(actor=tam, tam=tam, starts_at=dt.datetime(2026, 12, 1, 9), ends_at=dt.datetime(2026, 12, 2, 9))


def test_absence_page_records_in_the_users_zone(client_for, owned, tam):
    client = client_for(tam)  # Terry's pages are in America/Denver
    response = client.post(
        "/people/absences/", {"starts_at": "2026-12-07T08:00", "ends_at": "2026-12-07T17:00", "note": "Dentist"}
    )
    assert response.status_code == 302
    absence = TamAbsence.objects.get()
    assert absence.starts_at == dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC)
    listing = client.get("/people/absences/").content.decode()
    assert "Dentist" in listing and "08:00" in listing


def test_absence_page_shows_errors_and_changes_nothing(client_for, owned, tam):
    response = client_for(tam).post(
        "/people/absences/", {"starts_at": "2026-12-07T08:00", "ends_at": "2026-12-07T07:00"}
    )
    assert response.status_code == 200
    assert "ends after it starts" in response.content.decode()
    assert not TamAbsence.objects.exists()


def test_someone_elses_absence_is_refused_on_the_page(client_for, owned, tam, backup_tam):
    """Staff see every absence (customers are told of them), so another TAM's is refused (403), not hidden."""
    absence = absence_record(actor=backup_tam, tam=backup_tam, starts_at=_week()[0], ends_at=_week()[1])
    client = client_for(tam)
    edit = client.get(f"/people/absences/{absence.pk}/edit/")
    assert edit.status_code == 403 and "only change your own absences" in edit.content.decode()
    changed = client.post(
        f"/people/absences/{absence.pk}/edit/", {"starts_at": "2026-12-07T08:00", "ends_at": "2026-12-08T08:00"}
    )
    assert changed.status_code == 403
    cancelled = client.post(f"/people/absences/{absence.pk}/cancel/")
    assert cancelled.status_code == 403 and "only cancel your own absences" in cancelled.content.decode()
    absence.refresh_from_db()
    assert absence.cancelled_at is None and absence.starts_at == _week()[0]


def test_an_absence_customers_may_not_see_is_404_like_a_missing_one(client_for, owned, backup_tam, bob):
    absence = absence_record(actor=backup_tam, tam=backup_tam, starts_at=_week()[0], ends_at=_week()[1])
    client = client_for(bob)
    assert client.get(f"/people/absences/{absence.pk}/edit/").status_code == 404
    assert client.get("/people/absences/987654/edit/").status_code == 404


@pytest.mark.parametrize("persona", ["alice", "support"])
def test_the_absence_pages_are_refused_to_customers_and_plain_support(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/people/absences/").status_code == 403


def test_the_customer_home_shows_the_absence_and_who_covers(client_for, owned, tam, alice):
    absence_record(actor=tam, tam=tam, starts_at=_week()[0], ends_at=_week()[1], note="Summit")
    page = client_for(alice).get("/").content.decode()
    assert "Terry Tamsin is away" in page
    assert "Summit" in page
    assert "Bianca Backup covers" in page


def test_while_the_tam_is_away_the_home_says_who_covers_now(client_for, owned, tam, alice):
    absence_record(actor=tam, tam=tam, starts_at=timezone.now() - dt.timedelta(hours=1), ends_at=_week()[1])
    page = client_for(alice).get("/").content.decode()
    assert "Covering now" in page
    assert "away until" in page


def test_far_future_and_overflowing_times_are_refused_not_a_500(client_for, owned, tam):
    client = client_for(tam)
    page = client.post("/people/absences/", {"starts_at": "9999-12-31T20:00", "ends_at": "9999-12-31T23:00"})
    assert page.status_code == 200
    assert "between the years 1900 and 9000" in page.content.decode()
    later = client.post("/people/absences/", {"starts_at": "2031-01-01T08:00", "ends_at": "2031-01-02T08:00"})
    assert "up to two years ahead" in later.content.decode()
    api = client.post(
        "/api/v1/absences/",
        {"starts_at": "2031-01-01T00:00Z", "ends_at": "9999-12-31T23:59:59"},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert not TamAbsence.objects.exists()
    assert client.get("/api/v1/absences/").status_code == 200


def test_mail_is_plain_text_not_html_escaped(owned, tam, alice, django_capture_on_commit_callbacks):
    owned.name = "Smith & Sons"
    owned.save()
    with django_capture_on_commit_callbacks(execute=True):
        absence_record(actor=tam, tam=tam, starts_at=_week()[0], ends_at=_week()[1], note="O'Brien <summit>")
    body = mail.outbox[0].body
    assert "Smith & Sons" in body and "O'Brien <summit>" in body


def test_the_admin_role_given_in_the_configuration_site_opens_it(client_for, admin_user, support):
    from django.contrib.auth.models import Group

    client = client_for(admin_user)
    response = client.post(
        f"/config/accounts/user/{support.pk}/change/",
        {
            "email": support.email,
            "first_name": "Sam",
            "last_name": "Support",
            "time_zone": "America/Denver",
            "groups": [Group.objects.get(name="Admin").pk],
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    support.refresh_from_db()
    assert support.is_staff
