"""The REST API: releases, previews and reviews with their parts; permissions and cross-account probes; fixed
query counts; the schema."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from reviews import services
from reviews.models import InventoryRow, PreviewSession, ProactiveReview, Release
from reviews.quarterly import reviews_create_quarterly

from .conftest import ON_THE_FIXED_CLOCK, at, fill_review, more_ess_accounts

pytestmark = ON_THE_FIXED_CLOCK
JSON = "application/json"


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Releases -------------------------------------------------------------------------------------


def test_releases_for_customers_are_the_published_ones(client_for, alice, admin_user, patch_release):
    draft = services.release_create(actor=admin_user, version="11.0", kind="major", planned_date=dt.date(2026, 11, 1))
    client = client_for(alice)
    rows = results(client.get("/api/v1/releases/"))
    assert [r["version"] for r in rows] == ["10.2.1"]
    assert sorted(m for i in rows[0]["items"] for m in i["module_list"]) == ["Archive", "Capture", "GP connector"]
    assert client.get(f"/api/v1/releases/{draft.pk}/").status_code == 404
    assert client.post("/api/v1/releases/", {}, content_type=JSON).status_code == 403
    assert client.patch(f"/api/v1/releases/{patch_release.pk}/", {"notes": "x"}, content_type=JSON).status_code == 403
    assert client.post(f"/api/v1/releases/{patch_release.pk}/items/", {}, content_type=JSON).status_code == 403


def test_staff_manage_releases(client_for, support):
    client = client_for(support)
    created = client.post(
        "/api/v1/releases/", {"version": "10.4.1", "kind": "patch", "planned_date": "2026-07-01"}, content_type=JSON
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["published"] is False
    twin = client.post(
        "/api/v1/releases/", {"version": "10.4.1", "kind": "patch", "planned_date": "2026-07-01"}, content_type=JSON
    )
    assert twin.status_code == 400 and "already exists" in str(twin.json())
    item = client.post(
        f"/api/v1/releases/{pk}/items/", {"kind": "fix", "title": "Faster", "modules": "Capture"}, content_type=JSON
    )
    assert item.status_code == 201
    assert client.patch(f"/api/v1/releases/{pk}/", {"notes": "Notes"}, content_type=JSON).json()["notes"] == "Notes"
    assert client.post(f"/api/v1/releases/{pk}/publish/").json()["published"] is True
    assert client.delete(f"/api/v1/releases/{pk}/items/{item.json()['id']}/").status_code == 204
    assert Release.objects.get().items.count() == 0


# --- Previews -------------------------------------------------------------------------------------


def plan_payload(release, account="acme", **changes):
    return {"release": release.pk, "account": account, "scheduled_at": "2026-05-12T10:00:00-06:00", **changes}


def test_the_tam_plans_changes_and_holds_a_preview(client_for, ess, tam, patch_release, time_machine):
    client = client_for(tam)
    response = client.post("/api/v1/previews/", plan_payload(patch_release, uses_replica=True), content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["account"], body["status"], body["tam"], len(body["items"])) == ("acme", "planned", "Terry Tamsin", 3)
    pk = body["id"]
    item = patch_release.items.first()
    changed = client.patch(
        f"/api/v1/previews/{pk}/", {"scheduled_at": "2026-05-13T10:00:00-06:00", "items": [item.pk]}, content_type=JSON
    )
    assert changed.status_code == 200 and [i["id"] for i in changed.json()["items"]] == [item.pk]
    assert client.post(f"/api/v1/previews/{pk}/hold/", {}, content_type=JSON).status_code == 400
    time_machine.move_to(at(13, 12))
    client = client_for(tam)
    held = client.post(f"/api/v1/previews/{pk}/hold/", {"notes": "Done"}, content_type=JSON)
    assert held.status_code == 200 and held.json()["status"] == "held"


def test_a_standard_accounts_preview_is_a_400_with_the_reason(client_for, standard, tam, patch_release):
    response = client_for(tam).post("/api/v1/previews/", plan_payload(patch_release, "globex"), content_type=JSON)
    assert response.status_code == 400
    assert "Release previews are an Enterprise benefit" in str(response.json())
    assert not PreviewSession.objects.exists()


def test_bad_preview_input_is_a_400(client_for, ess, tam, patch_release):
    client = client_for(tam)
    for bad in (
        plan_payload(patch_release, scheduled_at="9999-12-31T23:00:00-12:00"),
        plan_payload(patch_release, items=[999999]),
        plan_payload(patch_release, duration_minutes=0),
        {"release": 999999, "account": "acme", "scheduled_at": "2026-05-12T10:00:00-06:00"},
        {"release": patch_release.pk, "account": "nobody", "scheduled_at": "2026-05-12T10:00:00-06:00"},
    ):
        assert client.post("/api/v1/previews/", bad, content_type=JSON).status_code == 400, bad
    assert not PreviewSession.objects.exists()


def test_customers_read_and_decline_only_their_own_previews(client_for, ess, alice, bob, standard, tam, patch_release):
    preview = services.preview_plan(actor=tam, release=patch_release, account=ess, scheduled_at=at(12))
    outsider = client_for(bob)
    assert results(outsider.get("/api/v1/previews/")) == []
    assert outsider.get(f"/api/v1/previews/{preview.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/previews/{preview.pk}/decline/", {}, content_type=JSON).status_code == 404
    customer = client_for(alice)
    assert customer.post("/api/v1/previews/", plan_payload(patch_release), content_type=JSON).status_code == 403
    assert customer.patch(f"/api/v1/previews/{preview.pk}/", {}, content_type=JSON).status_code == 403
    assert customer.post(f"/api/v1/previews/{preview.pk}/hold/", {}, content_type=JSON).status_code == 403
    assert [p["id"] for p in results(customer.get("/api/v1/previews/"))] == [preview.pk]
    declined = customer.post(f"/api/v1/previews/{preview.pk}/decline/", {"reason": "Busy"}, content_type=JSON)
    assert declined.status_code == 200 and declined.json()["status"] == "declined"


# --- Reviews --------------------------------------------------------------------------------------


def test_customers_read_only_their_published_reviews(client_for, review, alice, bob, standard, tam):
    customer = client_for(alice)
    assert results(customer.get("/api/v1/reviews/")) == []
    assert customer.get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    fill_review(review, tam)
    [row] = results(customer.get("/api/v1/reviews/"))
    assert (row["quarter"], row["status"], row["inventory"][0]["extension"]) == ("Q2 2026", "published", "pdf")
    assert customer.patch(f"/api/v1/reviews/{review.pk}/", {"summary": "x"}, content_type=JSON).status_code == 403
    assert customer.post(f"/api/v1/reviews/{review.pk}/findings/", {}, content_type=JSON).status_code == 403
    outsider = client_for(bob)
    assert results(outsider.get("/api/v1/reviews/")) == []
    assert outsider.get(f"/api/v1/reviews/{review.pk}/").status_code == 404


def test_the_tam_fills_in_and_publishes_a_review(client_for, review, tam):
    client = client_for(tam)
    url = f"/api/v1/reviews/{review.pk}/"
    scheduled = client.patch(
        url, {"scheduled_at": "2026-05-01T09:00:00-06:00", "monitoring_tools": "SCOM"}, content_type=JSON
    )
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled"
    finding = client.post(
        url + "findings/", {"source": "App log", "level": "error", "count": 2, "summary": "x"}, content_type=JSON
    )
    assert finding.status_code == 201
    assert client.delete(url + f"findings/{finding.json()['id']}/").status_code == 204
    client.post(url + "findings/", {"source": "App log", "level": "info", "summary": "ok"}, content_type=JSON)
    recommendation = client.post(url + "recommendations/", {"text": "Add disk", "priority": "high"}, content_type=JSON)
    assert recommendation.status_code == 201 and recommendation.json()["status"] == "open"
    rid = recommendation.json()["id"]
    moved = client.patch(url + f"recommendations/{rid}/", {"status": "accepted"}, content_type=JSON)
    assert moved.status_code == 200 and moved.json()["status"] == "accepted"
    typed = client.post(url + "inventory-rows/", {"extension": "msg", "file_count": 3, "bytes": 30}, content_type=JSON)
    assert typed.status_code == 201
    assert client.delete(url + f"inventory-rows/{typed.json()['id']}/").status_code == 204
    upload = SimpleUploadedFile("inv.csv", b"extension,count,bytes\npdf,10,1000\ntif,2,20\n", "text/csv")
    imported = client.post(url + "inventory/", {"file": upload})
    assert imported.status_code == 200 and [r["extension"] for r in imported.json()] == ["pdf", "tif"]
    assert client.post(url + "hold/").json()["status"] == "held"
    published = client.post(url + "publish/").json()
    assert published["status"] == "published" and published["monitoring_tools"] == "SCOM"
    assert client.post(url + "publish/").status_code == 400


def test_a_bad_inventory_upload_is_a_400_with_the_lines(client_for, review, tam):
    client = client_for(tam)
    bad = SimpleUploadedFile("inv.csv", b"path,size\n/a.pdf,x\n/b.pdf,1\n/c,-1\n", "text/csv")
    response = client.post(f"/api/v1/reviews/{review.pk}/inventory/", {"file": bad})
    assert response.status_code == 400
    assert response.json()["file"] == [
        "Nothing was imported: the file has 2 problems.",
        "line 2: size is not a whole number (“x”)",
        "line 4: size is not a whole number (“-1”)",
    ]
    assert not InventoryRow.objects.exists()
    assert client.post(f"/api/v1/reviews/{review.pk}/inventory/", {}).status_code == 400


def test_the_overdue_filter(client_for, review, tam, time_machine):
    time_machine.move_to(at(2, month=7))
    assert [r["id"] for r in results(client_for(tam).get("/api/v1/reviews/?overdue=true"))] == [review.pk]


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_lists_take_a_fixed_number_of_queries(client_for, ess, tam, backup_tam, patch_release):
    extras = more_ess_accounts(11, tam, backup_tam)
    client = client_for(tam)
    reviews_create_quarterly(as_of=dt.date(2026, 5, 4))
    for review in ProactiveReview.objects.all()[:2]:
        fill_review(review, tam, published=False)
    for account in (ess, extras[0]):
        services.preview_plan(actor=tam, release=patch_release, account=account, scheduled_at=at(12))
    few = {url: _count(client, url) for url in ("/api/v1/reviews/", "/api/v1/previews/", "/api/v1/releases/")}
    for review in ProactiveReview.objects.filter(findings__isnull=True):
        fill_review(review, tam, published=False)
    for number, account in enumerate(extras[1:]):
        services.preview_plan(actor=tam, release=patch_release, account=account, scheduled_at=at(13, 8 + number))
    services.release_create(actor=tam, version="10.2.9", kind="patch", planned_date=dt.date(2026, 7, 1))
    assert len(results(client.get("/api/v1/reviews/"))) == 12
    assert len(results(client.get("/api/v1/previews/"))) == 12
    assert {url: _count(client, url) for url in few} == few


def test_the_schema_builds_without_warnings(settings, tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(out))
    schema = out.read_text()
    assert "/api/v1/previews/{id}/decline/" in schema and "/api/v1/reviews/{id}/inventory/" in schema


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"extension,count,bytes\npdf,1," + b"9" * 5000 + b"\n", "line 2: bytes is too large"),
        (b"extension,count,bytes\np\x00df,1,2\n", "line 2: the extension"),
    ],
)
def test_hostile_inventory_files_are_refused_with_their_lines(client_for, review, tam, content, message):
    upload = SimpleUploadedFile("inv.csv", content, "text/csv")
    response = client_for(tam).post(f"/api/v1/reviews/{review.pk}/inventory/", {"file": upload})
    assert response.status_code == 400
    assert any(line.startswith(message) for line in response.json()["file"])
    assert not InventoryRow.objects.exists()


@pytest.mark.parametrize("body", [[], "x", None])
def test_a_release_patch_that_is_not_an_object_is_a_400(client_for, support, patch_release, body):
    import json

    response = client_for(support).patch(
        f"/api/v1/releases/{patch_release.pk}/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("item", ["abc", "²", "9" * 40])
def test_odd_item_ids_on_the_release_page_are_a_404(client_for, support, patch_release, item):
    response = client_for(support).post(f"/reviews/releases/{patch_release.pk}/item-remove/", {"item": item})
    assert response.status_code == 404
    assert patch_release.items.count() == 3


def test_a_huge_item_id_in_a_preview_is_a_400(client_for, ess, tam, patch_release):
    response = client_for(tam).post(
        "/api/v1/previews/", {**plan_payload(patch_release), "items": [10**30]}, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("route", ["page", "api"])
def test_an_inventory_past_the_upload_limit_is_refused_with_a_413_and_nothing_imported(
    settings, client_for, tam, review, route
):
    settings.ESS_MAX_UPLOAD_BYTES = 4_000
    upload = SimpleUploadedFile("inventory.csv", b"extension,files,bytes\n" + b"pdf,1,1\n" * 600, "text/csv")
    url = f"/reviews/{review.pk}/inventory-upload/" if route == "page" else f"/api/v1/reviews/{review.pk}/inventory/"
    response = client_for(tam).post(url, {"upload" if route == "page" else "file": upload})
    assert response.status_code == 413
    assert not InventoryRow.objects.filter(review=review).exists()
