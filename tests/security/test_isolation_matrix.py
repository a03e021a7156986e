"""The isolation matrix, generated from the URL configuration and the API router.

Every route × {a customer of another account, the owner account's customer, anonymous}: another account's
object answers exactly as a missing one does (no 2xx, no existence leak), lists never carry another
account's data, and anonymous visitors are sent to sign in (tests/ess_portal/test_anonymous_access.py).
A meta-test fails when a route with an object in its URL is not covered here.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Account, Contract, TamAbsence, User
from cases.models import Attachment, Case, Escalation
from cases.services import case_note
from maintenance.models import MaintenanceEvent
from reviews.models import Finding, InventoryRow, PreviewSession, ProactiveReview, Recommendation, Release

MISSING = 987654321


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}"


ROUTES = [
    (route, name)
    for route, name in _walk(get_resolver().url_patterns)
    if not route.startswith(("config/", "accounts/")) and name not in ("api-docs", "api-schema")
]
OBJECT_ROUTES = [(route, name) for route, name in ROUTES if "<" in route]
LIST_ROUTES = [(route, name) for route, name in ROUTES if "<" not in route]

# Vendor-wide objects every signed-in user may read (releases, tiers, support calendars) and the token feed.
GLOBAL = {
    "reviews:release",
    "reviews:release-action",
    "api:release-detail",
    "api:release-items",
    "api:release-publish",
    "api:release-remove-item",
    "api:tier-detail",
    "api:calendar-detail",
    "calendar-feed",
}


def acme_objects() -> dict[str, object]:
    acme = Account.objects.get(slug="acme")
    case = Case.objects.filter(account=acme).first()
    review = ProactiveReview.objects.filter(account=acme).exclude(status="due").first()
    return {
        "account": acme,
        "absence": TamAbsence.objects.filter(tam__email="tam@ess.example").first(),
        "event": MaintenanceEvent.objects.filter(account=acme).first(),
        "case": case,
        "escalation": Escalation.objects.filter(case__account=acme).first(),
        "attachment": Attachment.objects.filter(case__account=acme).first(),
        "review": review,
        "finding": Finding.objects.filter(review=review).first(),
        "inventory_row": InventoryRow.objects.filter(review=review).first(),
        "recommendation": Recommendation.objects.filter(review=review).first(),
        "preview": PreviewSession.objects.filter(account=acme).first(),
        "release": Release.objects.filter(kind="patch").first(),
        "contract": Contract.objects.filter(account=acme).first(),
    }


def _object_for(name: str) -> str:
    """Which acme object a route's primary key names."""
    prefixes = [
        ("accounts:absence", "absence"),
        ("api:absence", "absence"),
        ("maintenance:event", "event"),
        ("api:event", "event"),
        ("cases:acknowledge", "escalation"),
        ("api:escalation", "escalation"),
        ("cases:attachment", "attachment"),
        ("cases:", "case"),
        ("api:case", "case"),
        ("reviews:review", "review"),
        ("reviews:report", "review"),
        ("api:review", "review"),
        ("reviews:preview", "preview"),
        ("api:preview", "preview"),
        ("api:contract", "contract"),
    ]
    return next(kind for prefix, kind in prefixes if name.startswith(prefix))


def _fill(route: str, name: str, objects, *, missing: bool) -> str:
    def value(match):
        param = match.group(2)
        if param in ("slug", "account"):
            return "no-such-account" if missing else "acme"
        if param == "action":
            return "cancel" if name.startswith("maintenance") else "publish"
        if param == "release_pk":
            return str(objects["release"].pk)
        if param in ("finding_id", "row_id", "recommendation_id", "item_id"):
            kind = {"finding_id": "finding", "row_id": "inventory_row", "recommendation_id": "recommendation"}.get(
                param
            )
            target = objects.get(kind) if kind else None
            return str(MISSING if missing or target is None else target.pk)
        if param == "token":
            return "not-a-token"
        return str(MISSING if missing else objects[_object_for(name)].pk)

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


@pytest.fixture
def world(settings, tmp_path, db):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    case = Case.objects.filter(account__slug="acme").first()
    case_note(
        actor=User.objects.get(email="support@ess.example"),
        case=case,
        body="staff-only diagnosis",
        attachments=[SimpleUploadedFile("trace.log", b"stack trace", content_type="text/plain")],
    )
    return acme_objects()


def test_every_object_route_is_in_the_matrix():
    uncovered = []
    for route, name in OBJECT_ROUTES:
        if name in GLOBAL:
            continue
        try:
            _object_for(name)
        except StopIteration:
            if not ("<slug:slug>" in route or "<str:slug>" in route or "<slug:account>" in route):
                uncovered.append(name)
    assert not uncovered, f"add these routes to the isolation matrix: {uncovered}"
    assert len(OBJECT_ROUTES) > 50


def test_another_accounts_objects_answer_like_missing_ones(client_for, world):
    for kind in ("absence", "event", "case", "escalation", "attachment", "review", "preview", "contract"):
        assert world[kind] is not None, f"the demo data has no acme {kind}"
    client = client_for(User.objects.get(email="bob@globex.example"))
    report, successes = [], []
    for route, name in OBJECT_ROUTES:
        if name in GLOBAL:
            continue
        real, fake = _fill(route, name, world, missing=False), _fill(route, name, world, missing=True)
        for method in ("get", "post"):
            real_status = getattr(client, method)(real).status_code
            fake_status = getattr(client, method)(fake).status_code
            report.append((name, method, real_status, fake_status))
            if 200 <= real_status < 400 and not (method == "get" and real_status in (301, 302)):
                successes.append((name, method, real, real_status))
            elif real_status != fake_status:
                successes.append((name, method, real, f"{real_status} vs missing {fake_status}"))
    print(
        f"\nisolation: {len(OBJECT_ROUTES)} object routes × GET/POST as another account's customer: "
        f"{len(successes)} cross-tenant successes or leaks"
    )
    assert not successes, successes


def test_lists_never_carry_another_accounts_data(client_for, world):
    bob = User.objects.get(email="bob@globex.example")
    client = client_for(bob)
    acme_case = world["case"]
    for route, name in LIST_ROUTES:
        if name in ("healthz", "api:api-root"):
            continue
        response = client.get("/" + route)
        if response.status_code != 200 or not response.content:
            continue
        body = response.content.decode(errors="replace")
        assert "Acme Manufacturing" not in body, name
        assert acme_case.subject not in body, name
        assert "staff-only diagnosis" not in body, name


def test_the_owner_reads_their_own_objects(client_for, world):
    """The matrix's other side: the same routes work for the account's own customer."""
    alice = User.objects.get(email="alice@acme.example")
    client = client_for(alice)
    assert client.get(f"/cases/{world['case'].pk}/").status_code == 200
    assert client.get(f"/api/v1/cases/{world['case'].pk}/").status_code == 200
    assert client.get(f"/maintenance/events/{world['event'].pk}/").status_code == 200
    assert client.get("/api/v1/accounts/acme/ledger/").status_code == 200
    assert client.get(f"/reviews/{world['review'].pk}/report/").status_code in (200, 404)
    # Staff-only attachments stay hidden from the customer too.
    assert client.get(f"/cases/attachments/{world['attachment'].pk}/").status_code == 404
