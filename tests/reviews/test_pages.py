"""Pages: releases, previews and reviews; who may do what; other accounts' rows are 404s; lists take a fixed
number of queries."""

import datetime as dt

import pytest

from reviews import services
from reviews.models import InventoryRow, PreviewSession, PreviewStatus, ProactiveReview, Release, ReviewStatus
from reviews.quarterly import reviews_create_quarterly

from .conftest import ON_THE_FIXED_CLOCK, at, fill_review, more_ess_accounts

pytestmark = ON_THE_FIXED_CLOCK


def html(response):
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


@pytest.fixture
def draft(admin_user):
    return services.release_create(actor=admin_user, version="11.0", kind="major", planned_date=dt.date(2026, 11, 1))


# --- Releases -------------------------------------------------------------------------------------


def test_customers_see_published_releases_only(client_for, alice, patch_release, draft):
    client = client_for(alice)
    page = html(client.get("/reviews/releases/"))
    assert "KwikTag 10.2.1" in page and "11.0.0" not in page
    detail = html(client.get(f"/reviews/releases/{patch_release.pk}/"))
    assert "TIFF rotation on import" in detail and "Add an item" not in detail
    assert client.get(f"/reviews/releases/{draft.pk}/").status_code == 404
    assert client.get("/reviews/releases/new/").status_code == 403
    assert client.post(f"/reviews/releases/{draft.pk}/publish/").status_code == 404
    assert client.post(f"/reviews/releases/{patch_release.pk}/item/", {"kind": "fix", "title": "x"}).status_code == 403


def test_staff_add_and_publish_a_release_on_the_pages(client_for, support):
    client = client_for(support)
    bad = client.post(
        "/reviews/releases/new/",
        {"product": "KwikTag", "version": "ten", "kind": "patch", "planned_date": "2026-06-01"},
    )
    assert bad.status_code == 200 and "numbers with dots" in html(bad)
    response = client.post(
        "/reviews/releases/new/",
        {"product": "KwikTag", "version": "10.3.1", "kind": "patch", "planned_date": "2026-06-01"},
    )
    release = Release.objects.get()
    assert response.status_code == 302 and not release.published
    client.post(f"/reviews/releases/{release.pk}/item/", {"kind": "fix", "title": "Faster OCR", "modules": "Capture"})
    assert release.items.get().modules == "Capture"
    client.post(f"/reviews/releases/{release.pk}/publish/")
    release.refresh_from_db()
    assert release.published
    page = html(client.get("/reviews/releases/"))
    assert "KwikTag 10.3.1" in page and "Published" in page


# --- Previews -------------------------------------------------------------------------------------


def plan_form(**changes):
    return {"scheduled_at": "2026-05-12T10:00", "duration_minutes": "60", "uses_replica": "on", **changes}


def test_the_tam_plans_from_the_previews_page_and_the_customer_sees_it(client_for, ess, alice, tam, patch_release):
    tam_client = client_for(tam)
    page = html(tam_client.get("/reviews/previews/"))
    link = f"/reviews/previews/plan/{patch_release.pk}/acme/"
    assert link in page and "Plan the preview for Acme Manufacturing" in page
    form = html(tam_client.get(link))
    assert "TIFF rotation on import" in form
    item = patch_release.items.get(title="TIFF rotation on import")
    response = tam_client.post(link, plan_form(items=[str(item.pk)], attendees="Alice"))
    preview = PreviewSession.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reviews/previews/{preview.pk}/"
    assert preview.scheduled_at == at(12) and list(preview.items.all()) == [item] and preview.uses_replica
    assert "Plan the preview for Acme" not in html(tam_client.get("/reviews/previews/"))

    customer = client_for(alice)
    assert "TIFF rotation on import" in html(customer.get(f"/reviews/previews/{preview.pk}/"))
    assert f"/reviews/previews/{preview.pk}/" in html(customer.get("/reviews/releases/"))
    assert "Your preview of this release" in html(customer.get(f"/reviews/releases/{patch_release.pk}/"))


def test_the_plan_form_reads_times_in_the_tams_zone(client_for, ess, tam, patch_release):
    tam.time_zone = "America/New_York"
    tam.save()
    client_for(tam).post(f"/reviews/previews/plan/{patch_release.pk}/acme/", plan_form())
    assert PreviewSession.objects.get().scheduled_at == dt.datetime(2026, 5, 12, 14, tzinfo=dt.UTC)


def test_planning_for_a_standard_account_is_refused_on_the_form(client_for, standard, tam, patch_release):
    response = client_for(tam).post(f"/reviews/previews/plan/{patch_release.pk}/globex/", plan_form())
    assert response.status_code == 200
    assert "Release previews are an Enterprise benefit" in html(response)
    assert not PreviewSession.objects.exists()


def test_bad_input_on_the_plan_form_is_a_form_error(client_for, ess, tam, patch_release):
    client = client_for(tam)
    for bad in (plan_form(scheduled_at="soon"), plan_form(duration_minutes="9999"), plan_form(items=["abc"])):
        assert client.post(f"/reviews/previews/plan/{patch_release.pk}/acme/", bad).status_code == 200
    past = client.post(f"/reviews/previews/plan/{patch_release.pk}/acme/", plan_form(scheduled_at="2026-05-01T10:00"))
    assert "The preview time is in the past" in html(past)
    assert not PreviewSession.objects.exists()


def test_customers_and_outsiders_cannot_plan_or_change(client_for, ess, alice, bob, standard, tam, patch_release):
    preview = services.preview_plan(actor=tam, release=patch_release, account=ess, scheduled_at=at(12))
    assert client_for(alice).get(f"/reviews/previews/plan/{patch_release.pk}/acme/").status_code == 403
    assert client_for(alice).post(f"/reviews/previews/{preview.pk}/hold/").status_code == 403
    outsider = client_for(bob)
    assert outsider.get(f"/reviews/previews/{preview.pk}/").status_code == 404
    assert outsider.post(f"/reviews/previews/{preview.pk}/decline/").status_code == 404
    assert "Acme" not in html(outsider.get("/reviews/previews/"))
    preview.refresh_from_db()
    assert preview.status == PreviewStatus.PLANNED


def test_the_tam_holds_and_the_customer_declines_on_the_pages(client_for, ess, alice, tam, patch_release, time_machine):
    preview = services.preview_plan(actor=tam, release=patch_release, account=ess, scheduled_at=at(12))
    customer = client_for(alice)
    customer.post(f"/reviews/previews/{preview.pk}/decline/", {"reason": "Busy"})
    preview.refresh_from_db()
    assert preview.status == PreviewStatus.DECLINED
    assert "Declined by the customer" in html(customer.get(f"/reviews/previews/{preview.pk}/"))

    other = services.release_create(
        actor=tam, version="10.2.2", kind="patch", planned_date=dt.date(2026, 6, 30), published=True
    )
    second = services.preview_plan(actor=tam, release=other, account=ess, scheduled_at=at(12))
    early = client_for(tam).post(f"/reviews/previews/{second.pk}/hold/", {"notes": ""})
    assert "once it has taken place" in html(early)
    time_machine.move_to(at(12, 12))
    client_for(tam).post(f"/reviews/previews/{second.pk}/hold/", {"notes": "All good"})  # signed in again
    second.refresh_from_db()
    assert (second.status, second.notes) == (PreviewStatus.HELD, "All good")
    assert "Held" in html(client_for(alice).get(f"/reviews/previews/{second.pk}/"))


def test_the_tam_reschedules_on_the_page(client_for, ess, tam, patch_release):
    preview = services.preview_plan(actor=tam, release=patch_release, account=ess, scheduled_at=at(12))
    client_for(tam).post(f"/reviews/previews/{preview.pk}/update/", plan_form(scheduled_at="2026-05-13T09:00"))
    preview.refresh_from_db()
    assert (preview.scheduled_at, preview.sequence) == (at(13, 9), 1)


def test_the_tam_records_the_modules_an_account_uses(client_for, ess, tam, patch_release):
    link = f"/reviews/previews/plan/{patch_release.pk}/acme/"
    client_for(tam).post("/reviews/previews/modules/acme/", {"modules": "Archive", "next": link})
    page = html(client_for(tam).get(link))
    archive = patch_release.items.get(title="Archive saved searches")
    assert f'value="{archive.pk}"' in page and "checked" in page.split(f'value="{archive.pk}"')[1][:40]


def _count_queries(client, url, django_assert_num_queries=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_previews_and_releases_pages_take_a_fixed_number_of_queries(
    client_for, ess, tam, backup_tam, patch_release, django_assert_num_queries
):
    client = client_for(tam)
    extras = more_ess_accounts(11, tam, backup_tam)
    services.preview_plan(actor=tam, release=patch_release, account=ess, scheduled_at=at(12))
    services.preview_plan(actor=tam, release=patch_release, account=extras[0], scheduled_at=at(12, 14))
    few = _count_queries(client, "/reviews/previews/", django_assert_num_queries)
    releases_few = _count_queries(client, "/reviews/releases/", django_assert_num_queries)
    for number, account in enumerate(extras[1:]):
        services.preview_plan(actor=tam, release=patch_release, account=account, scheduled_at=at(13, 8 + number))
    assert PreviewSession.objects.count() == 12
    services.release_create(actor=tam, version="10.2.9", kind="patch", planned_date=dt.date(2026, 7, 1), published=True)
    assert _count_queries(client, "/reviews/previews/", django_assert_num_queries) == few
    assert _count_queries(client, "/reviews/releases/", django_assert_num_queries) == releases_few


# --- Reviews --------------------------------------------------------------------------------------


def test_the_staff_reviews_page_lists_what_to_do(client_for, review, tam, support, time_machine):
    page = html(client_for(tam).get("/reviews/"))
    assert "To schedule" in page and "Acme Manufacturing" in page and f"/reviews/{review.pk}/" in page
    time_machine.move_to(at(2, month=7))
    page = html(client_for(support).get("/reviews/"))
    assert "overdue" in page


def test_customers_see_only_their_published_reviews(client_for, review, alice, bob, standard, tam):
    customer = client_for(alice)
    assert customer.get(f"/reviews/{review.pk}/").status_code == 404
    assert customer.get(f"/reviews/{review.pk}/report/").status_code == 404
    assert "No published reviews yet" in html(customer.get("/reviews/"))
    fill_review(review, tam)
    assert customer.get(f"/reviews/{review.pk}/").status_code == 302  # to the report
    assert f"/reviews/{review.pk}/report/" in html(customer.get("/reviews/"))
    assert customer.post(f"/reviews/{review.pk}/finding/", {"source": "x"}).status_code == 403
    outsider = client_for(bob)  # the same test client, now signed in as Bob
    assert outsider.get(f"/reviews/{review.pk}/report/").status_code == 404
    assert outsider.post(f"/reviews/{review.pk}/publish/").status_code == 404
    assert "Acme" not in html(outsider.get("/reviews/"))


def test_the_tam_fills_in_the_review_on_its_page(client_for, review, tam, alice):
    client = client_for(tam)
    url = f"/reviews/{review.pk}/"
    assert client.post(url + "schedule/", {"scheduled_at": "2026-05-01T09:00"}).status_code == 302
    client.post(url + "finding/", {"source": "App log", "level": "error", "count": "4", "summary": "SMTP down"})
    client.post(url + "recommendation/", {"text": "Patch SMTP relay", "priority": "high"})
    client.post(url + "inventory-row/", {"extension": "pdf", "file_count": "5", "bytes": "5000"})
    client.post(url + "details/", {"summary": "Healthy", "monitoring_tools": "SCOM"})
    recommendation = review.recommendations.get()
    client.post(url + "recommendation-status/", {"id": recommendation.pk, "status": "accepted"})
    client.post(url + "hold/")
    client.post(url + "publish/")
    review.refresh_from_db()
    recommendation.refresh_from_db()
    assert (review.status, review.summary, review.monitoring_tools) == (ReviewStatus.PUBLISHED, "Healthy", "SCOM")
    assert recommendation.status == "accepted"
    assert review.findings.get().count == 4
    report = html(client_for(alice).get(f"/reviews/{review.pk}/report/"))
    assert "SMTP down" in report and "Patch SMTP relay" in report and "Accepted" in report


def test_refusals_show_on_the_review_page(client_for, review, tam):
    client = client_for(tam)
    url = f"/reviews/{review.pk}/"
    early = client.post(url + "schedule/", {"scheduled_at": "2026-03-01T09:00"})
    assert early.status_code == 200 and "from Apr 1, 2026 on" in html(early)
    bad = client.post(url + "finding/", {"source": "x", "level": "fatal", "count": "-1", "summary": ""})
    assert bad.status_code == 200 and not review.findings.exists()
    held = client.post(url + "hold/", follow=True)
    assert "A due review cannot become held" in html(held)
    assert client.post(url + "finding-remove/", {"id": "abc"}).status_code == 404
    assert client.post(url + "teleport/").status_code == 404


def test_a_bad_csv_shows_its_line_numbers_and_imports_nothing(client_for, review, tam):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(tam)
    services.inventory_set_row(actor=tam, review=review, extension="msg", file_count=1, bytes=1)
    bad = SimpleUploadedFile("bad.csv", b"path,size\n/a.pdf,1\n/b.pdf,lots\n/c.tif,2\n/d.tif\n", "text/csv")
    response = client.post(f"/reviews/{review.pk}/inventory-upload/", {"upload": bad})
    page = html(response)
    assert response.status_code == 200
    assert "Nothing was imported: the file has 2 problems." in page
    assert "line 3: size is not a whole number" in page and "line 5: expected 2 columns, found 1" in page
    assert list(InventoryRow.objects.values_list("extension", flat=True)) == ["msg"]
    good = SimpleUploadedFile("good.csv", b"path,size\n/a.pdf,1\n/b.pdf,2\n/c.tif,2\n", "text/csv")
    assert client.post(f"/reviews/{review.pk}/inventory-upload/", {"upload": good}).status_code == 302
    assert sorted(InventoryRow.objects.values_list("extension", "file_count", "bytes")) == [
        ("pdf", 2, 3),
        ("tif", 1, 2),
    ]
    assert client.post(f"/reviews/{review.pk}/inventory-upload/", {}).status_code == 200  # no file: a form error


def test_the_report_draws_the_volume_across_published_quarters(client_for, ess, alice, tam, time_machine):
    time_machine.move_to(at(10, month=1))
    reviews_create_quarterly(as_of=dt.date(2026, 1, 10))
    q1 = ProactiveReview.objects.get()
    services.review_schedule(actor=tam, review=q1, scheduled_at=at(5, month=1))
    services.inventory_set_row(actor=tam, review=q1, extension="pdf", file_count=10, bytes=2 * 1024**3)
    services.review_hold(actor=tam, review=q1)
    services.review_publish(actor=tam, review=q1)
    time_machine.move_to(at(4))
    reviews_create_quarterly()
    q2 = fill_review(ProactiveReview.objects.get(quarter_start=dt.date(2026, 4, 1)), tam)
    page = html(client_for(alice).get(f"/reviews/{q2.pk}/report/"))
    assert '<svg class="bar-chart volume-chart"' in page and 'role="img"' in page
    assert "<title>.pdf, Q1 2026: 2.0 GB</title>" in page
    assert "<title>.pdf, Q2 2026: 9.8 KB</title>" in page
    assert '<th scope="col">Q1 2026</th><th scope="col">Q2 2026</th>' in page
    assert "<script" not in page.split("<main")[1]


def test_the_reviews_pages_take_a_fixed_number_of_queries(
    client_for, ess, alice, tam, backup_tam, django_assert_num_queries
):
    extras = more_ess_accounts(11, tam, backup_tam)
    reviews_create_quarterly(as_of=dt.date(2026, 1, 10))  # Q1 2026 for all 12
    q1 = list(ProactiveReview.objects.order_by("pk"))
    staff, customer = client_for(tam), None
    staff_few = _count_queries(staff, "/reviews/", django_assert_num_queries)
    reviews_create_quarterly(as_of=dt.date(2026, 5, 4))  # and Q2
    assert ProactiveReview.objects.count() == 24 and extras
    assert _count_queries(staff, "/reviews/", django_assert_num_queries) == staff_few
    customer = client_for(alice)
    fill_review(q1[0], tam)
    customer_few = _count_queries(customer, "/reviews/", django_assert_num_queries)
    fill_review(ProactiveReview.objects.get(account=ess, quarter_start=dt.date(2026, 4, 1)), tam)
    assert _count_queries(customer, "/reviews/", django_assert_num_queries) == customer_few


def test_the_configuration_pages_open(client_for, admin_user, review, tam, patch_release, ess):
    fill_review(review, tam)
    preview = services.preview_plan(actor=tam, release=patch_release, account=ess, scheduled_at=at(12))
    client = client_for(admin_user)
    for url in (
        "/config/reviews/release/",
        "/config/reviews/release/add/",
        f"/config/reviews/release/{patch_release.pk}/change/",
        "/config/reviews/previewsession/",
        f"/config/reviews/previewsession/{preview.pk}/change/",
        "/config/reviews/proactivereview/",
        f"/config/reviews/proactivereview/{review.pk}/change/",
        "/config/reviews/accountmodules/add/",
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/config/reviews/release/add/",
        {
            "product": "KwikTag",
            "version": "10.9",
            "kind": "minor",
            "planned_date": "2026-09-01",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Release.objects.get(version="10.9.0").version_key == (10, 9, 0)
    bad = client.post(
        "/config/reviews/release/add/",
        {
            "product": "KwikTag",
            "version": "x",
            "kind": "minor",
            "planned_date": "2026-09-01",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
        },
    )
    assert bad.status_code == 200 and "numbers with dots" in html(bad)


def test_far_away_times_are_refused_not_a_server_error(client_for, review, ess, tam, patch_release):
    client = client_for(tam)
    for when in ("9999-12-31T23:45", "0001-01-01T00:00"):
        response = client.post(f"/reviews/{review.pk}/schedule/", {"scheduled_at": when})
        assert response.status_code == 200, when
        response = client.post(f"/reviews/previews/plan/{patch_release.pk}/acme/", plan_form(scheduled_at=when))
        assert response.status_code == 200, when
    api = client.patch(
        f"/api/v1/reviews/{review.pk}/", {"scheduled_at": "9999-12-31T23:45:00-12:00"}, content_type="application/json"
    )
    assert api.status_code == 400
    review.refresh_from_db()
    assert review.scheduled_at is None and not PreviewSession.objects.exists()


def test_the_pages_offer_what_the_rules_and_the_state_allow(
    client_for, ess, alice, tam, support, patch_release, review
):
    preview = services.preview_plan(actor=tam, release=patch_release, account=ess, scheduled_at=at(12))
    review_url, preview_url = f"/reviews/{review.pk}/", f"/reviews/previews/{preview.pk}/"

    as_tam = html(client_for(tam).get(review_url))
    assert "Schedule the session" in as_tam and "Add the finding" in as_tam
    assert "The session was held" not in as_tam and "Publish the review" not in as_tam  # a due review
    as_support = html(client_for(support).get(review_url))  # reads the review, may not work on it
    assert "Schedule the session" not in as_support and "Add the finding" not in as_support

    assert "Decline the preview" in html(client_for(alice).get(preview_url))
    assert "Save the preview" not in html(client_for(alice).get(preview_url))
    assert "Save the preview" in html(client_for(tam).get(preview_url))
    as_support = html(client_for(support).get(preview_url))
    assert "Save the preview" not in as_support and "Decline the preview" not in as_support

    release_url = f"/reviews/releases/{patch_release.pk}/"
    assert "Add the item" in html(client_for(support).get(release_url))
    assert "Add the item" not in html(client_for(alice).get(release_url))
    assert "Add a release" not in html(client_for(alice).get("/reviews/releases/"))

    fill_review(review, tam)
    as_tam = html(client_for(tam).get(review_url))  # published: the report no longer changes
    assert "Add the finding" not in as_tam and "Schedule the session" not in as_tam
    assert 'name="status"' in as_tam  # recommendations are still tracked
