"""Same input, same answer: every write of releases, previews and reviews, driven once through its page and once
through the API with the same input, ends the same way (done; refused with the same messages; 403 with the same
words; 404) and leaves the same rows behind.

Each case runs both ways from the same world, each inside a savepoint that is rolled back. The messages are the
services' own: forms and serializers only parse, so neither path can answer in words of its own.
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.contrib import messages as django_messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import BaseForm

from reviews import models, services

from .conftest import DENVER, ON_THE_FIXED_CLOCK, at, fill_review, more_ess_accounts

pytestmark = ON_THE_FIXED_CLOCK

DONE = ("done", [])
MISSING = ("missing", [])


def refused(*messages: str) -> tuple[str, list[str]]:
    return ("refused", sorted(messages))


def forbidden(message: str) -> tuple[str, list[str]]:
    return ("forbidden", [message])


# --- Input, written once for both paths ------------------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """A moment in May 2026 (or ``month``), Denver time: the page takes it in the user's zone, the API with its
    offset."""

    day: int
    hour: int = 10
    month: int = 5

    @property
    def moment(self) -> dt.datetime:
        return dt.datetime(2026, self.month, self.day, self.hour, tzinfo=DENVER)


@dataclass(frozen=True)
class Upload:
    content: bytes

    def file(self):
        return SimpleUploadedFile("inventory.csv", self.content, "text/csv")


def for_page(data: dict) -> dict:
    def value(item):
        if isinstance(item, When):
            return item.moment.strftime("%Y-%m-%dT%H:%M")  # the TAM's own zone is Denver
        if isinstance(item, Upload):
            return item.file()
        if item is None:
            return ""
        return item

    return {name: value(item) for name, item in data.items() if item is not False}


def for_api(data: dict):
    def value(item):
        if isinstance(item, When):
            return item.moment.isoformat()
        if isinstance(item, Upload):
            return item.file()
        return item

    return {name: value(item) for name, item in data.items()}


@dataclass(frozen=True)
class Case:
    name: str
    actor: str
    page: str  # the page's URL ("{...}" filled from the world)
    api: str  # "METHOD url"
    data: dict = field(default_factory=dict)
    expect: tuple = DONE
    setup: object = None  # a function of the world, run once before both paths
    page_only: dict = field(default_factory=dict)  # what else a page form posts (it sends every field it has)
    api_only: dict = field(default_factory=dict)  # what the API request names differently, or only it names


RELEASE = {"product": "KwikTag", "version": "10.4.1", "kind": "patch", "planned_date": "2026-07-01"}
PATCH_AS_IT_IS = {"product": "KwikTag", "version": "10.2.1", "kind": "patch", "planned_date": "2026-05-26"}
ITEM = {"kind": "fix", "title": "Faster OCR", "modules": "Capture"}
PLAN = {"scheduled_at": When(12), "duration_minutes": 60, "attendees": "Dana (AP lead)"}
FINDING = {"source": "Application event log", "level": "error", "count": 4, "summary": "SMTP relay down"}
ROW = {"extension": "pdf", "file_count": 3, "bytes": 300}
RECOMMENDATION = {"text": "Add disk", "priority": "high"}
REVIEW = "/reviews/{review.pk}/"
REVIEW_API = "/api/v1/reviews/{review.pk}/"
PLAN_PAGE = "/reviews/previews/plan/{patch.pk}/{other.slug}/"


def _scheduled(w):
    services.review_schedule(actor=w.tam, review=w.review, scheduled_at=at(1))


def _held(w):
    _scheduled(w)
    services.review_hold(actor=w.tam, review=w.review)


def _held_with_a_finding(w):
    _held(w)
    _a_finding(w)


def _a_finding(w):
    w.finding = services.finding_add(actor=w.tam, review=w.review, **FINDING)


def _a_row(w):
    w.row = services.inventory_set_row(actor=w.tam, review=w.review, **ROW)


def _a_recommendation(w):
    w.recommendation = services.recommendation_add(actor=w.tam, review=w.review, **RECOMMENDATION)


def _a_done_recommendation(w):
    _a_recommendation(w)
    services.recommendation_set_status(actor=w.tam, recommendation=w.recommendation, status="done")


def _published(w):
    fill_review(w.review, w.tam)


def _declined(w):
    services.preview_decline(actor=w.alice, preview=w.preview)


CASES = [
    # --- Releases ---
    Case("a release is added", "support", "/reviews/releases/new/", "POST /api/v1/releases/", RELEASE),
    Case(
        "a version that is not numbers",
        "support",
        "/reviews/releases/new/",
        "POST /api/v1/releases/",
        {**RELEASE, "version": "ten"},
        refused("Give the version as numbers with dots, e.g. 10.2.1."),
    ),
    Case(
        "a version that exists",
        "support",
        "/reviews/releases/new/",
        "POST /api/v1/releases/",
        {**RELEASE, "version": "10.2.1"},
        refused("KwikTag 10.2.1 already exists."),
    ),
    Case(
        "a release without a planned date",
        "support",
        "/reviews/releases/new/",
        "POST /api/v1/releases/",
        {**RELEASE, "planned_date": None},
        refused("Give the planned release date."),
    ),
    Case(
        "a release of an unknown kind",
        "support",
        "/reviews/releases/new/",
        "POST /api/v1/releases/",
        {**RELEASE, "kind": "huge"},
        refused("Choose patch, minor or major."),
    ),
    Case(
        "a product name too long",
        "support",
        "/reviews/releases/new/",
        "POST /api/v1/releases/",
        {**RELEASE, "product": "K" * 81},
        refused("Keep it to 80 characters; this is 81."),
    ),
    Case(
        "a customer adds a release",
        "alice",
        "/reviews/releases/new/",
        "POST /api/v1/releases/",
        RELEASE,
        forbidden("Only vendor staff add and change releases."),
    ),
    Case(
        "a release's notes change",
        "support",
        "/reviews/releases/{patch.pk}/edit/",
        "PATCH /api/v1/releases/{patch.pk}/",
        {"notes": "Moved a day"},
        page_only={**PATCH_AS_IT_IS, "published": "on"},
    ),
    Case(
        "a release with previews goes back to draft",
        "support",
        "/reviews/releases/{patch.pk}/edit/",
        "PATCH /api/v1/releases/{patch.pk}/",
        {"published": False},
        refused("This release has previews: it cannot go back to draft."),
        page_only=PATCH_AS_IT_IS,
    ),
    Case(
        "a release with previews becomes minor",
        "support",
        "/reviews/releases/{patch.pk}/edit/",
        "PATCH /api/v1/releases/{patch.pk}/",
        {"kind": "minor"},
        refused("This release has previews: it stays a patch release."),
        page_only={**PATCH_AS_IT_IS, "published": "on"},
    ),
    Case(
        "a draft is published",
        "support",
        "/reviews/releases/{draft.pk}/publish/",
        "POST /api/v1/releases/{draft.pk}/publish/",
    ),
    Case(
        "a published release is published again",
        "support",
        "/reviews/releases/{patch.pk}/publish/",
        "POST /api/v1/releases/{patch.pk}/publish/",
        expect=refused("The release is already published."),
    ),
    Case(
        "an item is added",
        "support",
        "/reviews/releases/{patch.pk}/item/",
        "POST /api/v1/releases/{patch.pk}/items/",
        ITEM,
    ),
    Case(
        "an item without a title",
        "support",
        "/reviews/releases/{patch.pk}/item/",
        "POST /api/v1/releases/{patch.pk}/items/",
        {**ITEM, "title": ""},
        refused("Give the item a title."),
    ),
    Case(
        "an item of an unknown kind",
        "support",
        "/reviews/releases/{patch.pk}/item/",
        "POST /api/v1/releases/{patch.pk}/items/",
        {**ITEM, "kind": "bug"},
        refused("Choose feature or fix."),
    ),
    Case(
        "an item naming too many modules",
        "support",
        "/reviews/releases/{patch.pk}/item/",
        "POST /api/v1/releases/{patch.pk}/items/",
        {**ITEM, "modules": "m" * 301},
        refused("Name at most 300 characters of modules."),
    ),
    Case(
        "a customer adds an item",
        "alice",
        "/reviews/releases/{patch.pk}/item/",
        "POST /api/v1/releases/{patch.pk}/items/",
        ITEM,
        forbidden("Only vendor staff add and change releases."),
    ),
    Case(
        "an item is removed",
        "support",
        "/reviews/releases/{patch.pk}/item-remove/",
        "DELETE /api/v1/releases/{patch.pk}/items/{items[2].pk}/",
        page_only={"item": "{items[2].pk}"},
    ),
    # --- Previews ---
    Case("a preview is planned", "tam", PLAN_PAGE, "POST /api/v1/previews/", {**PLAN, "items": "{first_two}"}),
    Case(
        "a preview in the past",
        "tam",
        PLAN_PAGE,
        "POST /api/v1/previews/",
        {**PLAN, "scheduled_at": When(1)},
        refused("The preview time is in the past."),
    ),
    Case(
        "a preview without a time",
        "tam",
        PLAN_PAGE,
        "POST /api/v1/previews/",
        {**PLAN, "scheduled_at": None},
        refused("Give the date and time."),
    ),
    Case(
        "a preview of four and a half hours",
        "tam",
        PLAN_PAGE,
        "POST /api/v1/previews/",
        {**PLAN, "duration_minutes": 270},
        refused("A preview lasts from 15 minutes to 4 hours."),
    ),
    Case(
        "a preview for a Standard account",
        "tam",
        "/reviews/previews/plan/{patch.pk}/globex/",
        "POST /api/v1/previews/",
        PLAN,
        refused("Release previews are an Enterprise benefit."),
        api_only={"account": "globex"},
    ),
    Case(
        "a preview showing another release's item",
        "tam",
        PLAN_PAGE,
        "POST /api/v1/previews/",
        {**PLAN, "items": ["{stray.pk}"]},
        refused("Choose items of KwikTag 10.2.1 only."),
    ),
    Case(
        "a preview with too many attendees",
        "tam",
        PLAN_PAGE,
        "POST /api/v1/previews/",
        {**PLAN, "attendees": "x" * 1001},
        refused("Keep it to 1,000 characters; this is 1,001."),
    ),
    Case(
        "support staff plan a preview",
        "support",
        PLAN_PAGE,
        "POST /api/v1/previews/",
        PLAN,
        forbidden("Only TAMs plan release previews."),
    ),
    Case(
        "a preview is moved",
        "tam",
        "/reviews/previews/{preview.pk}/update/",
        "PATCH /api/v1/previews/{preview.pk}/",
        {"scheduled_at": When(13, 9)},
        page_only={"duration_minutes": 60, "items": "{all_items}"},
    ),
    Case(
        "a preview moved after the release",
        "tam",
        "/reviews/previews/{preview.pk}/update/",
        "PATCH /api/v1/previews/{preview.pk}/",
        {"scheduled_at": When(27)},
        refused("A preview takes place before the release, planned for May 26, 2026: choose an earlier time."),
        page_only={"duration_minutes": 60, "items": "{all_items}"},
    ),
    Case(
        "a preview held before its time",
        "tam",
        "/reviews/previews/{preview.pk}/hold/",
        "POST /api/v1/previews/{preview.pk}/hold/",
        expect=refused("The preview is planned for Tue May 12, 2026 10:00: record it as held once it has taken place."),
    ),
    Case(
        "support staff record a preview as held",
        "support",
        "/reviews/previews/{preview.pk}/hold/",
        "POST /api/v1/previews/{preview.pk}/hold/",
        expect=forbidden("Only TAMs record a preview as held."),
    ),
    Case(
        "the customer declines a preview",
        "alice",
        "/reviews/previews/{preview.pk}/decline/",
        "POST /api/v1/previews/{preview.pk}/decline/",
        {"reason": "Quarter-end close"},
    ),
    Case(
        "support staff decline a preview",
        "support",
        "/reviews/previews/{preview.pk}/decline/",
        "POST /api/v1/previews/{preview.pk}/decline/",
        expect=forbidden("Only the customer, or a TAM for them, declines a preview."),
    ),
    Case(
        "a declined preview is declined again",
        "tam",
        "/reviews/previews/{preview.pk}/decline/",
        "POST /api/v1/previews/{preview.pk}/decline/",
        expect=refused("A declined preview cannot become declined."),
        setup=_declined,
    ),
    # --- Proactive reviews ---
    Case("a session is scheduled", "tam", REVIEW + "schedule/", "PATCH " + REVIEW_API, {"scheduled_at": When(20)}),
    Case(
        "a session before the quarter",
        "tam",
        REVIEW + "schedule/",
        "PATCH " + REVIEW_API,
        {"scheduled_at": When(31, month=3)},
        refused("The Q2 2026 review takes place from Apr 1, 2026 on."),
    ),
    Case(
        "a session without a time",
        "tam",
        REVIEW + "schedule/",
        "PATCH " + REVIEW_API,
        {"scheduled_at": None},
        refused("Give the date and time."),
    ),
    Case(
        "the summary and tools are written",
        "tam",
        REVIEW + "details/",
        "PATCH " + REVIEW_API,
        {"summary": "Healthy", "monitoring_tools": "SCOM"},
    ),
    Case(
        "a summary too long",
        "tam",
        REVIEW + "details/",
        "PATCH " + REVIEW_API,
        {"summary": "x" * 8001, "monitoring_tools": ""},
        refused("Keep it to 8,000 characters; this is 8,001."),
    ),
    Case("a finding is added", "tam", REVIEW + "finding/", "POST " + REVIEW_API + "findings/", FINDING),
    Case(
        "a finding seen no times",
        "tam",
        REVIEW + "finding/",
        "POST " + REVIEW_API + "findings/",
        {**FINDING, "count": 0},
        refused("A finding is seen at least once."),
    ),
    Case(
        "a finding of an unknown level",
        "tam",
        REVIEW + "finding/",
        "POST " + REVIEW_API + "findings/",
        {**FINDING, "level": "fatal"},
        refused("Choose information, warning, error or critical."),
    ),
    Case(
        "a finding without a source",
        "tam",
        REVIEW + "finding/",
        "POST " + REVIEW_API + "findings/",
        {**FINDING, "source": ""},
        refused("Say where it was seen (e.g. Application event log)."),
    ),
    Case(
        "a finding without a summary",
        "tam",
        REVIEW + "finding/",
        "POST " + REVIEW_API + "findings/",
        {**FINDING, "summary": "  "},
        refused("Summarise the finding."),
    ),
    Case(
        "a finding on a published review",
        "tam",
        REVIEW + "finding/",
        "POST " + REVIEW_API + "findings/",
        FINDING,
        refused("The review is published: its report no longer changes."),
        setup=_published,
    ),
    Case(
        "support staff add a finding",
        "support",
        REVIEW + "finding/",
        "POST " + REVIEW_API + "findings/",
        FINDING,
        forbidden("Only TAMs work on proactive reviews."),
    ),
    Case(
        "a finding is removed",
        "tam",
        REVIEW + "finding-remove/",
        "DELETE " + REVIEW_API + "findings/{finding.pk}/",
        setup=_a_finding,
        page_only={"id": "{finding.pk}"},
    ),
    Case(
        "an inventory row is typed in", "tam", REVIEW + "inventory-row/", "POST " + REVIEW_API + "inventory-rows/", ROW
    ),
    Case(
        "an extension with a space",
        "tam",
        REVIEW + "inventory-row/",
        "POST " + REVIEW_API + "inventory-rows/",
        {**ROW, "extension": "my files"},
        refused("Give a file extension such as pdf or tif (up to 32 characters)."),
    ),
    Case(
        "a negative number of files",
        "tam",
        REVIEW + "inventory-row/",
        "POST " + REVIEW_API + "inventory-rows/",
        {**ROW, "file_count": -1},
        refused("Give the number of files (0 or more)."),
    ),
    Case(
        "an inventory row is removed",
        "tam",
        REVIEW + "inventory-row-remove/",
        "DELETE " + REVIEW_API + "inventory-rows/{row.pk}/",
        setup=_a_row,
        page_only={"id": "{row.pk}"},
    ),
    Case(
        "an inventory file is imported",
        "tam",
        REVIEW + "inventory-upload/",
        "UPLOAD " + REVIEW_API + "inventory/",
        page_only={"upload": Upload(b"extension,count,bytes\npdf,10,1000\ntif,2,20\n")},
        api_only={"file": Upload(b"extension,count,bytes\npdf,10,1000\ntif,2,20\n")},
    ),
    Case(
        "a bad inventory file",
        "tam",
        REVIEW + "inventory-upload/",
        "UPLOAD " + REVIEW_API + "inventory/",
        expect=refused("Nothing was imported: the file has 1 problem.", "line 2: size is not a whole number (“x”)"),
        page_only={"upload": Upload(b"path,size\n/a.pdf,x\n")},
        api_only={"file": Upload(b"path,size\n/a.pdf,x\n")},
    ),
    Case(
        "no inventory file",
        "tam",
        REVIEW + "inventory-upload/",
        "UPLOAD " + REVIEW_API + "inventory/",
        expect=refused("Choose the inventory CSV file to upload."),
    ),
    Case(
        "a recommendation is made",
        "tam",
        REVIEW + "recommendation/",
        "POST " + REVIEW_API + "recommendations/",
        RECOMMENDATION,
    ),
    Case(
        "a recommendation without words",
        "tam",
        REVIEW + "recommendation/",
        "POST " + REVIEW_API + "recommendations/",
        {**RECOMMENDATION, "text": ""},
        refused("Write the recommendation."),
    ),
    Case(
        "a recommendation of an unknown priority",
        "tam",
        REVIEW + "recommendation/",
        "POST " + REVIEW_API + "recommendations/",
        {**RECOMMENDATION, "priority": "urgent"},
        refused("Choose high, medium or low."),
    ),
    Case(
        "a recommendation is accepted",
        "tam",
        REVIEW + "recommendation-status/",
        "PATCH " + REVIEW_API + "recommendations/{recommendation.pk}/",
        {"status": "accepted"},
        setup=_a_recommendation,
        page_only={"id": "{recommendation.pk}"},
    ),
    Case(
        "a done recommendation reopened",
        "tam",
        REVIEW + "recommendation-status/",
        "PATCH " + REVIEW_API + "recommendations/{recommendation.pk}/",
        {"status": "open"},
        refused("A done recommendation cannot become open."),
        setup=_a_done_recommendation,
        page_only={"id": "{recommendation.pk}"},
    ),
    Case(
        "an unknown recommendation status",
        "tam",
        REVIEW + "recommendation-status/",
        "PATCH " + REVIEW_API + "recommendations/{recommendation.pk}/",
        {"status": "maybe"},
        refused("Choose open, accepted, done or declined."),
        setup=_a_recommendation,
        page_only={"id": "{recommendation.pk}"},
    ),
    Case(
        "a due review is held",
        "tam",
        REVIEW + "hold/",
        "POST " + REVIEW_API + "hold/",
        expect=refused("A due review cannot become held."),
    ),
    Case("a scheduled review is held", "tam", REVIEW + "hold/", "POST " + REVIEW_API + "hold/", setup=_scheduled),
    Case(
        "a held review with nothing to report is published",
        "tam",
        REVIEW + "publish/",
        "POST " + REVIEW_API + "publish/",
        expect=refused("Record findings, the inventory or recommendations before publishing."),
        setup=_held,
    ),
    Case(
        "a held review is published",
        "tam",
        REVIEW + "publish/",
        "POST " + REVIEW_API + "publish/",
        setup=_held_with_a_finding,
    ),
    Case(
        "support staff publish a review",
        "support",
        REVIEW + "publish/",
        "POST " + REVIEW_API + "publish/",
        expect=forbidden("Only TAMs work on proactive reviews."),
        setup=_held_with_a_finding,
    ),
    Case(
        "a customer publishes an unpublished review",
        "alice",
        REVIEW + "publish/",
        "POST " + REVIEW_API + "publish/",
        expect=MISSING,
        setup=_held_with_a_finding,
    ),
]


# --- Driving both paths --------------------------------------------------------------------------------------

# Every model of releases, previews and reviews that a write may change.
TRACKED = [
    *(models.Release, models.ReleaseItem, models.AccountModules, models.PreviewSession),
    *(models.PreviewSession.items.through, models.ProactiveReview, models.Finding, models.InventoryRow),
    models.Recommendation,
]


def rows() -> dict[str, list]:
    """Every row of releases, previews and reviews, told apart by what they hold (not by their ids, which differ
    between the two paths); a related row by its name."""
    state = {}
    for model in TRACKED:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.name != "uid"]
        state[model.__name__] = sorted(
            repr([(f.name, str(getattr(row, f.name)) if f.is_relation else getattr(row, f.name)) for f in fields])
            for row in model.objects.all()
        )
    return state


def fill(template, world) -> object:
    """A string, or a list of strings, with ``{...}`` filled from the world (an id becomes a number)."""
    if isinstance(template, list):
        return [fill(item, world) for item in template]
    if not isinstance(template, str) or "{" not in template:
        return template
    filled = template.format(**vars(world))
    if template.startswith("{") and template.endswith("}"):
        return json.loads(filled) if filled.startswith("[") else int(filled)
    return filled


def _in_a_savepoint(call):
    with transaction.atomic():
        answer = call()
        state = rows()
        transaction.set_rollback(True)
    return answer, state


def _forms_in(values) -> list[BaseForm]:
    """The forms a page was given, also those inside its rows (a list of dicts, a form per row)."""
    found = []
    for value in values:
        if isinstance(value, BaseForm):
            found.append(value)
        elif isinstance(value, list | tuple):
            found += _forms_in(value)
        elif isinstance(value, dict):
            found += _forms_in(list(value.values()))
    return found


def _page_answer(response) -> tuple[str, list[str]]:
    if response.status_code == 404:
        return MISSING
    if response.status_code == 403:
        return forbidden(response.context["message"])
    if response.status_code == 200:
        forms = {id(v): v for c in response.context for v in _forms_in(list(c.flatten().values()))}
        shown = [text for form in forms.values() if form.is_bound for texts in form.errors.values() for text in texts]
        return ("refused", sorted(shown))
    assert response.status_code == 302, response.status_code
    said = [m.message for m in get_messages(response.wsgi_request) if m.level == django_messages.ERROR]
    return ("refused", sorted(said)) if said else DONE


def _flat(errors) -> list[str]:
    if isinstance(errors, dict):
        return [text for value in errors.values() for text in _flat(value)]
    if isinstance(errors, list):
        return [text for value in errors for text in _flat(value)]
    return [str(errors)]


def _api_answer(response) -> tuple[str, list[str]]:
    if response.status_code == 404:
        return MISSING
    if response.status_code == 403:
        return forbidden(response.json()["detail"])
    if response.status_code == 400:
        return ("refused", sorted(_flat(response.json())))
    assert 200 <= response.status_code < 300, (response.status_code, response.content)
    return DONE


def through_page(client, case: Case, world):
    data = {name: fill(value, world) for name, value in {**case.page_only, **case.data}.items()}
    return _in_a_savepoint(lambda: _page_answer(client.post(fill(case.page, world), for_page(data))))


def through_api(client, case: Case, world):
    method, url = fill(case.api, world).split(" ")
    data = for_api({name: fill(value, world) for name, value in {**case.data, **case.api_only}.items()})
    if method == "POST" and url.startswith("/api/v1/previews/"):  # planning names the release and account
        data = {"release": world.patch.pk, "account": world.other.slug, **data}
    if method == "UPLOAD":
        send = lambda: client.post(url, data)  # noqa: E731 - a multipart form, as a browser sends a file
    else:
        send = lambda: client.generic(method, url, json.dumps(data), content_type="application/json")  # noqa: E731
    return _in_a_savepoint(lambda: _api_answer(send()))


@pytest.fixture
def world(ess, standard, alice, tam, backup_tam, support, admin_user, patch_release, review):
    items = list(patch_release.items.order_by("pk"))
    draft = services.release_create(actor=admin_user, version="11.0", kind="major", planned_date=dt.date(2026, 11, 1))
    return SimpleNamespace(
        alice=alice,
        tam=tam,
        patch=patch_release,
        draft=draft,
        items=items,
        first_two=json.dumps([item.pk for item in items[:2]]),
        all_items=json.dumps([item.pk for item in items]),
        stray=services.release_item_add(actor=admin_user, release=draft, kind="fix", title="Elsewhere"),
        other=more_ess_accounts(1, tam, backup_tam)[0],
        preview=services.preview_plan(actor=tam, release=patch_release, account=ess, scheduled_at=at(12)),
        review=review,
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_page_and_the_api_give_the_same_answer(request, client_for, world, case):
    if case.setup is not None:
        case.setup(world)
    client = client_for(request.getfixturevalue(case.actor))
    before = rows()

    page_answer, after_page = through_page(client, case, world)
    api_answer, after_api = through_api(client, case, world)

    assert page_answer == api_answer == case.expect
    assert after_page == after_api
    assert (after_page != before) == (case.expect == DONE)


def test_every_write_of_the_pages_is_driven_both_ways():
    """Each action of the pages' tables, and each page that writes, has at least one case above."""
    from reviews.views import PREVIEW_ACTIONS, RELEASE_ACTIONS, REVIEW_ACTIONS

    driven = {case.page.rstrip("/").rsplit("/", 1)[-1] for case in CASES}
    actions = {*RELEASE_ACTIONS, *PREVIEW_ACTIONS, *REVIEW_ACTIONS}
    assert actions <= driven, actions - driven
    assert {"new", "{other.slug}"} <= driven  # adding a release, planning a preview
