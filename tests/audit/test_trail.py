"""The audit trail: database triggers record who changed what, however the write was made."""

import datetime as dt

import psycopg2
import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.db.utils import DatabaseError

from accounts.models import Tier, User
from accounts.roles import Role
from accounts.services import user_set_roles
from audit.actors import acting_as_job
from audit.models import AuditEvent
from audit.triggers import audited_models
from cases.models import Case, Milestone
from cases.services import case_open
from cases.tasks import chase_sla


def trail(obj):
    return AuditEvent.objects.for_object(obj).order_by("id")


def test_every_audited_table_has_its_triggers():
    """The issue's list: tiers, calendars, SLA policies, contracts, TAM assignments, absences, events, cases,
    roles; each has a trigger on its table."""
    labels = {model._meta.label for model in audited_models()}
    for required in [
        "accounts.Tier",
        "accounts.BusinessCalendar",
        "accounts.OpenInterval",
        "cases.SlaPolicy",
        "cases.SlaTarget",
        "accounts.Contract",
        "accounts.TamAssignment",
        "accounts.TamAbsence",
        "maintenance.MaintenanceEvent",
        "cases.Case",
        "accounts.User_groups",
    ]:
        assert required in labels
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers WHERE trigger_name = 'ess_audit'"
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ess_audit_%'"
            )
        tables = {row[0] for row in cursor.fetchall()}
    assert tables == {model._meta.db_table for model in audited_models()}


def test_a_change_through_the_api_names_the_signed_in_user(client_for, ess, alice):
    response = client_for(alice).post(
        "/api/v1/cases/",
        {"subject": "Export fails", "description": "Since 10.2", "severity": 2},
        content_type="application/json",
    )
    assert response.status_code == 201
    case = Case.objects.get(pk=response.json()["id"])
    created = trail(case).get(action="insert")
    assert (created.actor, created.actor_label) == (alice, alice.email)
    assert created.before is None and created.after["subject"] == "Export fails"
    # The case's milestones were written in the same request, by the same person.
    milestones = AuditEvent.objects.filter(model="cases.milestone", after__case_id=case.pk)
    assert milestones.count() == Milestone.objects.filter(case=case).count() > 0
    assert set(milestones.values_list("actor_label", flat=True)) == {alice.email}


def test_bulk_writes_and_queryset_updates_are_recorded_row_by_row(ess, alice):
    enterprise = Tier.objects.get(name="Enterprise")
    with acting_as_job("nightly fix-up"):
        Tier.objects.filter(pk=enterprise.pk).update(store_discount_percent=25)
        Tier.objects.filter(pk=enterprise.pk).update(store_discount_percent=25)  # no change, no row
        cases = Case.objects.bulk_create(
            Case(
                account=ess,
                subject=f"Imported {n}",
                channel="email",
                opened_by=alice,
                created_at=dt.datetime.now(dt.UTC),
            )
            for n in range(3)
        )
    changed = trail(enterprise).get()
    assert changed.action == "update" and changed.actor is None and changed.actor_label == "job: nightly fix-up"
    assert [(name, after) for name, _, after in changed.changes()] == [("store_discount_percent", 25)]
    Case.objects.filter(pk__in=[c.pk for c in cases]).delete()
    for imported in cases:
        assert [event.action for event in trail(imported)] == ["insert", "delete"]


def test_the_set_based_sla_chaser_is_recorded_as_the_job(ess, alice, support, tam, backup_tam):
    monday_9 = dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)
    case = case_open(
        actor=alice, account=ess, subject="Scanner", description="", channel="portal", severity=1, at=monday_9
    )
    with time_machine.travel(monday_9 + dt.timedelta(days=3), tick=False):
        chase_sla.delay()
    chased = AuditEvent.objects.filter(model="cases.milestone", after__case_id=case.pk, action="update")
    assert chased.exists()
    assert set(chased.values_list("actor_label", flat=True)) == {"job: cases.chase_sla"}
    assert all({"warned_at", "breached_at"} & {name for name, _, _ in event.changes()} for event in chased)


def test_role_changes_are_in_the_users_trail_without_the_password(client_for, admin_user, support):
    user_set_roles(actor=admin_user, user=support, roles={Role.SUPPORT, Role.TAM_LEVEL}, account=None)
    support.set_password("a new long passphrase")
    support.save()
    page = client_for(admin_user).get(f"/config/accounts/user/{support.pk}/history/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "accounts.user_groups" in body and "Audit trail" in body
    roles = AuditEvent.objects.for_object(support, (("accounts.user_groups", "user_id"),)).filter(
        model="accounts.user_groups"
    )
    assert {event.action for event in roles} >= {"insert"}
    for event in AuditEvent.objects.filter(model="accounts.user"):
        assert "password" not in (event.before or {}) and "password" not in (event.after or {})
    assert support.password not in body


def test_admins_filter_the_trail_and_nobody_else_reads_it(client_for, admin_user, support, alice):
    enterprise = Tier.objects.get(name="Enterprise")
    with acting_as_job("check"):
        Tier.objects.filter(pk=enterprise.pk).update(bank_cap=3)
    admin = client_for(admin_user)
    listing = admin.get("/config/audit/auditevent/", {"model": "accounts.tier", "object_pk": enterprise.pk})
    assert listing.status_code == 200 and "job: check" in listing.content.decode()
    assert admin.get("/config/audit/auditevent/", {"model": "cases.case"}).content.decode().count("job: check") == 0
    event = trail(enterprise).get()
    assert admin.get(f"/config/audit/auditevent/{event.pk}/change/").status_code == 200
    assert admin.post(f"/config/audit/auditevent/{event.pk}/delete/").status_code == 403

    api = admin.get("/api/v1/audit-events/", {"model": "accounts.tier", "object_pk": enterprise.pk, "action": "update"})
    assert api.status_code == 200
    assert [row["id"] for row in api.json()["results"]] == [event.pk]
    assert admin.get("/api/v1/audit-events/", {"since": "yesterday"}).status_code == 400
    assert admin.get("/api/v1/audit-events/", {"action": "rename"}).json().keys() == {"action"}

    for outsider in (support, alice):
        client = client_for(outsider)
        assert client.get("/api/v1/audit-events/").status_code == 403
        assert client.get(f"/api/v1/audit-events/{event.pk}/").status_code == 403
        assert client.get("/config/audit/auditevent/").status_code in (302, 403)
        assert "job: check" not in client.get("/config/audit/auditevent/", follow=True).content.decode()
    admin.logout()
    assert admin.get("/api/v1/audit-events/").status_code == 403


def test_the_trail_is_never_changed_from_the_application(admin_user):
    with acting_as_job("check"):
        Tier.objects.filter(name="Standard").update(store_discount_percent=7)
    event = AuditEvent.objects.latest("id")
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


@pytest.mark.postgres
def test_postgresql_refuses_to_change_the_trail():
    with acting_as_job("check"):
        Tier.objects.filter(name="Standard").update(store_discount_percent=7)
    assert AuditEvent.objects.exists()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().update(actor_label="someone else")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all()._raw_delete(connection.alias)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_edit_made_directly_in_the_database_is_recorded_as_such():
    enterprise = Tier.objects.get(name="Enterprise")
    params = settings.DATABASES["default"]
    direct = psycopg2.connect(
        dbname=connection.settings_dict["NAME"], user=params["USER"], host=params["HOST"], port=params["PORT"] or 5432
    )
    try:
        with direct, direct.cursor() as cursor:
            cursor.execute("UPDATE accounts_tier SET store_discount_percent = 30 WHERE id = %s", [enterprise.pk])
    finally:
        direct.close()
    # (A flush before this transactional test may have put the tier back, so its creation can be in the trail.)
    assert trail(enterprise).get(action="update").actor_label == "outside the portal"


def test_the_actor_follows_each_request_not_the_connection(client_for, ess, alice, support):
    """A write with no one acting (a command) after a request is not charged to the request's user."""
    client_for(alice).post(
        "/api/v1/cases/", {"subject": "One", "description": "", "severity": 3}, content_type="application/json"
    )
    Tier.objects.filter(name="Standard").update(bank_cap=1)
    assert trail(Tier.objects.get(name="Standard")).get().actor_label == "system"
    assert User.objects.filter(pk=alice.pk).exists()


def test_the_demo_data_is_signed_by_its_command_and_admins_find_the_trail(client, client_for, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    labels = set(AuditEvent.objects.values_list("actor_label", flat=True).distinct())
    assert "demo data (seed_demo)" in labels
    assert AuditEvent.objects.filter(model="cases.case", actor_label="demo data (seed_demo)").exists()
    admin = User.objects.get(email="admin@ess.example")
    assert "/config/audit/auditevent/" in client_for(admin).get("/").content.decode()
    client.logout()
    customer = User.objects.get(email="alice@acme.example")
    assert "/config/audit/auditevent/" not in client_for(customer).get("/").content.decode()


def test_migrations_may_drop_a_column_the_triggers_watch():
    """SQLite refuses to drop a column a trigger names, so migrate drops the SQLite triggers first and puts them
    back after; PostgreSQL's generic trigger names no column."""
    from django.core.management import call_command

    from audit import triggers

    if connection.vendor == "sqlite":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute('ALTER TABLE "accounts_holiday" DROP COLUMN "name"')
    triggers.uninstall()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute('ALTER TABLE "accounts_holiday" DROP COLUMN "name"')
        transaction.set_rollback(True)
    call_command("migrate", verbosity=0)  # pre_migrate, then post_migrate: every trigger is back
    test_every_audited_table_has_its_triggers()
