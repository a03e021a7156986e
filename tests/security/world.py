"""The world the security tests probe: the demo data (two customer accounts, staff of every role) plus one
object of every kind Acme owns, each in a state where its owner's actions are allowed.

Built once per test module and committed (the API fuzzing calls the WSGI application, which cannot see a
test's uncommitted rows); each module flushes the database when it is done.
"""

import datetime as dt
import json
import os
import secrets
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from tests.factories import PASSWORD

ACME = "acme"
MISSING = 987654321
STAFF_NOTE = "staff-only diagnosis of the capture service"
STAFF_FILE = b"internal stack trace of the capture service"
PUBLIC_FILE = b"capture service log sent by the customer"

# Personas by the part they play; every one exists in the demo data except the roleless user.
PERSONAS = {
    "customer": "alice@acme.example",  # Acme's customer user
    "roleless": "nobody@acme.example",  # a user of Acme who holds no portal role
    "outsider": "bob@globex.example",  # Globex's customer user: the other tenant
    "support": "support@ess.example",
    "tam": "tam@ess.example",  # Acme's primary TAM
    "admin": "admin@ess.example",
}


@dataclass
class World:
    """Primary keys (or slugs and tokens) of Acme's objects, by kind, and text that only Acme's data carries."""

    ids: dict[str, object]
    acme_markers: list[str] = field(default_factory=list)


def _next_evening(days: int) -> dt.datetime:
    """A Saturday at 10:00 in Denver, at least ``days`` ahead: outside support hours, with enough notice."""
    from accounts.quarters import vendor_today, vendor_zone

    day = vendor_today() + dt.timedelta(days=days)
    day += dt.timedelta(days=(5 - day.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(10), tzinfo=vendor_zone())


def build_world(media_root: str) -> World:
    """The demo data plus what the probes need; returns the ids. Runs in one transaction."""
    from django.apps import apps
    from django.db import transaction

    from accounts.models import Account, BusinessCalendar, Contract, TamAbsence, Tier, User
    from cases.models import Attachment, Case
    from cases.services import case_escalate, case_note, case_reply
    from intake.models import PhoneCall, TriageItem
    from integrations.models import WebhookEndpoint, WebhookMessage
    from integrations.tokens import token_create
    from maintenance.models import CalendarFeed, MaintenanceEvent
    from maintenance.services import event_book
    from reviews.models import PreviewSession, ProactiveReview, Release, ReleaseItem, ReviewStatus
    from reviews.services import finding_add, inventory_set_row, recommendation_add, release_create
    from value_reports.models import ValueReport

    with override_settings(DEBUG=True, MEDIA_ROOT=media_root):
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    with override_settings(MEDIA_ROOT=media_root), transaction.atomic():
        acme = Account.objects.get(slug=ACME)
        people = {role: User.objects.filter(email=email).first() for role, email in PERSONAS.items()}
        people["roleless"] = User.objects.create_user(
            email=PERSONAS["roleless"], password=PASSWORD, account=acme, first_name="Nora"
        )
        alice, support, tam, admin = people["customer"], people["support"], people["tam"], people["admin"]

        event = event_book(
            actor=alice,
            account=acme,
            scope="maintenance_release",
            description="Apply the 10.2.1 patch to the Acme capture servers.",
            starts_at=_next_evening(30),
            duration=dt.timedelta(hours=2),
        )
        down = Case.objects.filter(account=acme, subject__startswith="Invoice capture").get()
        voicemail = Case.objects.filter(account=acme, subject__startswith="Question about").get()
        case_reply(
            actor=alice,
            case=down,
            body="Here is the capture log.",
            attachments=[SimpleUploadedFile("capture.log", PUBLIC_FILE, content_type="text/plain")],
        )
        case_note(
            actor=support,
            case=down,
            body=STAFF_NOTE,
            attachments=[SimpleUploadedFile("trace.log", STAFF_FILE, content_type="text/plain")],
        )
        escalation = case_escalate(actor=support, case=voicemail, reason="The customer waits for the TAM")

        review = ProactiveReview.objects.filter(account=acme).exclude(status=ReviewStatus.PUBLISHED).first()
        finding = finding_add(
            actor=tam, review=review, source="Application event log", level="warning", count=3, summary="Disk 91% full"
        )
        row = inventory_set_row(actor=tam, review=review, extension="tif", file_count=1200, bytes=3_000_000)
        recommendation = recommendation_add(actor=tam, review=review, text="Archive 2019 images", priority="high")
        published = ProactiveReview.objects.filter(account=acme, status=ReviewStatus.PUBLISHED).first()

        release = Release.objects.filter(kind="patch", published=True).order_by("planned_date").last()
        preview = PreviewSession.objects.filter(account=acme).first()
        if preview is None:  # the demo plans one only when the calendar allows; the probes need one
            preview = PreviewSession.objects.create(
                release=release,
                account=acme,
                tam=tam,
                scheduled_at=_next_evening(7).replace(hour=9),
                created_by=tam,
            )
        unplanned = release_create(
            actor=admin,
            version="10.9.1",
            kind="patch",
            planned_date=_next_evening(60).date(),
            notes="Security fixes.",
            published=True,
        )
        feed = CalendarFeed.objects.create(token=secrets.token_urlsafe(32), account=acme, created_by=alice)
        token, _ = token_create(actor=None, user=alice, name="Acme export")
        endpoint = WebhookEndpoint.objects.create(
            name="Acme bus", url="http://127.0.0.1:9/hooks", event_types=["case.created"], account=acme
        )
        message = WebhookMessage.objects.create(
            endpoint=endpoint,
            webhook_id="msg_world",
            event_type="case.created",
            account_id=acme.pk,
            object_key=f"case:{down.pk}",
            body=json.dumps({"type": "case.created", "data": {"account": {"slug": "acme"}}}),
        )

        ids = {
            "account": acme.slug,
            "absence": TamAbsence.objects.filter(tam=tam).first().pk,
            "event": event.pk,
            "case": down.pk,
            "escalation": escalation.pk,
            "triage_item": TriageItem.objects.values_list("pk", flat=True).first(),  # the demo's stranger's mail
            "attachment": Attachment.objects.get(entry__public=True, case=down, name="capture.log").pk,
            "staff_attachment": Attachment.objects.get(case=down, name="trace.log").pk,
            "review": review.pk,
            "published_review": published.pk,
            "finding": finding.pk,
            "inventory_row": row.pk,
            "recommendation": recommendation.pk,
            "preview": preview.pk,
            "release": release.pk,
            "release_item": ReleaseItem.objects.filter(release=release).first().pk,
            "unplanned_release": unplanned.pk,
            "contract": Contract.objects.filter(account=acme).first().pk,
            "value_report": ValueReport.objects.filter(account=acme).first().pk,
            "tier": Tier.objects.get(name="Enterprise").pk,
            "calendar": BusinessCalendar.objects.get(name="Support hours").pk,
            "feed": feed.token,
            "api_token": str(token.uid),
            "webhook_endpoint": endpoint.pk,
            "webhook_message": message.pk,
            "phone_call": PhoneCall.objects.create(
                call_id="world-1", caller="+13035550100", line="support", received_at=event.created_at, account=acme
            ).pk,
            "person": alice.pk,  # a person of Acme's, as the configuration pages name people
            "users": {role: user.pk for role, user in people.items()},
        }
        if apps.is_installed("audit"):  # the trail of changes: any row will do, it is for admins only
            ids["audit_event"] = apps.get_model("audit", "AuditEvent").objects.values_list("pk", flat=True).first()
        markers = [
            "Acme Manufacturing",
            "alice@acme.example",
            *Case.objects.filter(account=acme).values_list("subject", flat=True),
            *MaintenanceEvent.objects.filter(account=acme).values_list("description", flat=True),
            STAFF_NOTE,
            "Disk 91% full",
            "Archive 2019 images",
        ]
    return World(ids=ids, acme_markers=markers)


def committed_world(django_db_blocker, tmp_path_factory):
    """Build the world outside any test transaction, yield it, then leave an empty database behind."""
    media_root = str(tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock():
        world = build_world(media_root)
    with override_settings(MEDIA_ROOT=media_root):
        yield world
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
