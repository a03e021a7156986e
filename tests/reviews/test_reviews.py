"""The review lifecycle, the reminder, the overdue list, the release catalogue and the volume chart."""

import datetime as dt

import pytest
from django.core import mail

from core.errors import DomainError, NotAllowed
from reviews import services, tasks
from reviews.charts import format_bytes, top_types, volume_chart
from reviews.chase import reviews_remind
from reviews.models import ProactiveReview, Release, ReviewStatus
from reviews.quarterly import reviews_create_quarterly
from reviews.selectors import overdue_reviews, report_history, volume_history
from reviews.versions import parse_version

from .conftest import ON_THE_FIXED_CLOCK, at, fill_review

pytestmark = ON_THE_FIXED_CLOCK
D = dt.date


def test_the_lifecycle(review, tam, alice, django_capture_on_commit_callbacks):
    assert review.status == ReviewStatus.DUE
    services.review_schedule(actor=tam, review=review, scheduled_at=at(20))
    review.refresh_from_db()
    assert (review.status, review.scheduled_at) == (ReviewStatus.SCHEDULED, at(20))
    with pytest.raises(DomainError, match="once it has taken place"):
        services.review_hold(actor=tam, review=review)
    services.review_schedule(actor=tam, review=review, scheduled_at=at(1))  # moved: it took place on Friday
    services.review_hold(actor=tam, review=review)
    with pytest.raises(DomainError, match="Record findings, the inventory or recommendations"):
        services.review_publish(actor=tam, review=review)
    services.finding_add(actor=tam, review=review, source="App log", level="error", count=2, summary="SMTP failed")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_publish(actor=tam, review=review)
    review.refresh_from_db()
    assert (review.status, review.published_by) == (ReviewStatus.PUBLISHED, tam)
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert f"/reviews/{review.pk}/report/" in mail.outbox[0].body


def test_illegal_moves_and_edits_are_refused(review, tam):
    with pytest.raises(DomainError, match="A due review cannot become held"):
        services.review_hold(actor=tam, review=review)
    with pytest.raises(DomainError, match="A due review cannot become published"):
        services.review_publish(actor=tam, review=review)
    with pytest.raises(DomainError, match="from Apr 1, 2026 on"):
        services.review_schedule(actor=tam, review=review, scheduled_at=at(31, month=3))
    fill_review(review, tam)
    with pytest.raises(DomainError, match="published"):
        services.finding_add(actor=tam, review=review, source="x", level="info", count=1, summary="x")
    with pytest.raises(DomainError, match="published"):
        services.review_update(actor=tam, review=review, summary="x", monitoring_tools="")
    with pytest.raises(DomainError, match="A published review cannot become scheduled"):
        services.review_schedule(actor=tam, review=review, scheduled_at=at(20))


def test_input_rules(review, tam, alice):
    with pytest.raises(NotAllowed, match="Only TAMs"):
        services.review_schedule(actor=alice, review=review, scheduled_at=at(20))
    with pytest.raises(DomainError, match="at least once"):
        services.finding_add(actor=tam, review=review, source="x", level="info", count=0, summary="x")
    with pytest.raises(DomainError, match="Choose information"):
        services.finding_add(actor=tam, review=review, source="x", level="fatal", count=1, summary="x")
    with pytest.raises(DomainError, match="file extension"):
        services.inventory_set_row(actor=tam, review=review, extension="my files", file_count=1, bytes=1)
    with pytest.raises(DomainError, match="high, medium or low"):
        services.recommendation_add(actor=tam, review=review, text="x", priority="urgent")
    row = services.inventory_set_row(actor=tam, review=review, extension=".PDF", file_count=1, bytes=1)
    again = services.inventory_set_row(actor=tam, review=review, extension="pdf", file_count=2, bytes=5)
    assert row.pk == again.pk and (again.extension, again.bytes) == ("pdf", 5)


def test_recommendations_move_through_their_statuses_also_after_publication(review, tam):
    review = fill_review(review, tam)
    recommendation = review.recommendations.get()
    services.recommendation_set_status(actor=tam, recommendation=recommendation, status="accepted")
    services.recommendation_set_status(actor=tam, recommendation=recommendation, status="done")
    with pytest.raises(DomainError, match="A done recommendation cannot become open"):
        services.recommendation_set_status(actor=tam, recommendation=recommendation, status="open")


def test_a_review_due_within_14_days_and_not_scheduled_reminds_its_tam_once(
    review, tam, time_machine, django_capture_on_commit_callbacks
):
    assert reviews_remind() == 0  # due Jun 30; today May 4
    time_machine.move_to(at(16, month=6))
    with django_capture_on_commit_callbacks(execute=True):
        assert reviews_remind() == 1
        assert reviews_remind() == 0
    assert [m.to for m in mail.outbox] == [[tam.email]]
    assert mail.outbox[0].subject == "Schedule the Q2 2026 system review of Acme Manufacturing"


def test_a_scheduled_review_is_not_reminded(review, tam, time_machine):
    services.review_schedule(actor=tam, review=review, scheduled_at=at(25, month=6))
    time_machine.move_to(at(20, month=6))
    assert reviews_remind() == 0


def test_the_chase_task(review, time_machine):
    time_machine.move_to(at(20, month=6))
    assert tasks.chase() == {"previews": 0, "reviews": 1}


def test_overdue_reviews_are_past_due_and_unpublished(review, tam, backup_tam, time_machine):
    assert list(overdue_reviews()) == []
    time_machine.move_to(at(1, month=7))
    assert list(overdue_reviews()) == [review]
    assert list(overdue_reviews(user=tam)) == [review]
    assert list(overdue_reviews(user=backup_tam)) == [review]  # the backup TAM of the account
    time_machine.move_to(at(2, month=6))
    fill_review(review, tam)
    time_machine.move_to(at(1, month=7))
    assert list(overdue_reviews()) == []


def test_overdue_reviews_take_one_query(review, time_machine, django_assert_num_queries):
    time_machine.move_to(at(1, month=7))
    with django_assert_num_queries(1):
        assert [r.account.name for r in overdue_reviews()] == ["Acme Manufacturing"]


def test_the_report_history_holds_published_quarters_with_growing_volume(ess, tam, time_machine):
    time_machine.move_to(at(10, month=1))
    reviews_create_quarterly(as_of=D(2026, 1, 10))
    q1 = ProactiveReview.objects.get(quarter_start=D(2026, 1, 1))
    services.review_schedule(actor=tam, review=q1, scheduled_at=at(5, month=1))
    services.inventory_set_row(actor=tam, review=q1, extension="pdf", file_count=10, bytes=2 * 1024**3)
    services.inventory_set_row(actor=tam, review=q1, extension="tif", file_count=5, bytes=1024**3)
    services.review_hold(actor=tam, review=q1)
    services.review_publish(actor=tam, review=q1)
    time_machine.move_to(at(10, month=4))
    reviews_create_quarterly(as_of=D(2026, 4, 10))
    q2 = ProactiveReview.objects.get(quarter_start=D(2026, 4, 1))
    services.inventory_set_row(actor=tam, review=q2, extension="pdf", file_count=12, bytes=3 * 1024**3)
    history = volume_history(report_history(q2))
    assert history.quarters == ["Q1 2026", "Q2 2026"]  # a draft shows itself to staff
    assert [row["label"] for row in history.rows] == [".pdf", ".tif"]
    assert history.rows[1]["cells"] == [(5, 1024**3), None]
    pdf = history.chart.groups[0]
    assert [bar.title for bar in pdf.bars] == [".pdf, Q1 2026: 2.0 GB", ".pdf, Q2 2026: 3.0 GB"]
    assert pdf.bars[1].height > pdf.bars[0].height
    assert [review.quarter_label for review in report_history(q1)] == ["Q1 2026"]


def test_bytes_read_as_people_read_them():
    assert [format_bytes(n) for n in (0, 1, 1023, 1024, 1536, 10 * 1024**2, 5 * 1024**3 // 2)] == [
        "0 bytes",
        "1 byte",
        "1023 bytes",
        "1.0 KB",
        "1.5 KB",
        "10 MB",
        "2.5 GB",
    ]


def test_the_chart_keeps_the_biggest_types_and_adds_up_the_rest():
    volumes = {f"t{n}": [n, n * 2] for n in range(1, 10)}
    kept = top_types(volumes, keep=3)
    assert list(kept) == ["t9", "t8", "t7", "other types"]
    assert kept["other types"] == [sum(range(1, 7)), 2 * sum(range(1, 7))]
    assert list(top_types({"a": [1], "b": [2]}, keep=1)) == ["b", "a"]
    chart = volume_chart(["Q1", "Q2"], {"pdf": [0, 1000], "tif": [1, 50]})
    assert chart.groups[1].bars[0].height == 1  # tiny but visible
    assert chart.groups[0].bars[0].height == 0
    assert [tick.label for tick in chart.ticks] == ["0 bytes", "500 bytes", "1000 bytes"]
    assert volume_chart([], {}).empty


def test_versions_sort_as_numbers(admin_user):
    for version in ("10.9.3", "10.10.0", "9.12", "10.2.1"):
        services.release_create(actor=admin_user, version=version, kind="patch", planned_date=D(2026, 6, 1))
    assert [r.version for r in Release.objects.by_version()] == ["10.10.0", "10.9.3", "10.2.1", "9.12.0"]
    assert parse_version(" v10.2 ") == (10, 2, 0)
    with pytest.raises(DomainError, match="numbers with dots"):
        services.release_create(actor=admin_user, version="ten", kind="patch", planned_date=D(2026, 6, 1))
    with pytest.raises(DomainError, match=r"KwikTag 10\.10\.0 already exists"):
        services.release_create(actor=admin_user, version="10.10", kind="patch", planned_date=D(2026, 6, 1))


def test_a_release_with_previews_stays_a_published_patch(ess, tam, admin_user, patch_release):
    services.preview_plan(actor=tam, release=patch_release, account=ess, scheduled_at=at(12))
    common = {"actor": admin_user, "release": patch_release, "version": "10.2.1", "planned_date": D(2026, 5, 27)}
    with pytest.raises(DomainError, match="cannot go back to draft"):
        services.release_update(**common, kind="patch", published=False)
    with pytest.raises(DomainError, match="stays a patch release"):
        services.release_update(**common, kind="minor", published=True)
    services.release_update(**common, kind="patch", published=True, notes="Moved a day")
    patch_release.refresh_from_db()
    assert (patch_release.planned_date, patch_release.notes) == (D(2026, 5, 27), "Moved a day")


def test_customers_do_not_edit_releases(alice):
    with pytest.raises(NotAllowed, match="Only vendor staff"):
        services.release_create(actor=alice, version="1.0", kind="major", planned_date=D(2026, 6, 1))
