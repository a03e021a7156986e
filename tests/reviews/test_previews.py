"""Release previews: who plans them and when, the items suggested, invitations, holding, declining, the list of
previews to plan and the chase."""

import datetime as dt

import pytest
from django.core import mail

from accounts.models import TamAbsence
from accounts.services import contract_create, coverage_assign
from core.errors import DomainError, NotAllowed
from reviews import services
from reviews.chase import previews_chase
from reviews.models import PreviewChase, PreviewStatus
from reviews.selectors import previews_to_plan
from tests.factories import AccountFactory, UserFactory, flush_mail, tier
from tests.races import at_once

from .conftest import ON_THE_FIXED_CLOCK, at

pytestmark = ON_THE_FIXED_CLOCK


def plan(actor, release, account, when=None, **kwargs):
    return services.preview_plan(actor=actor, release=release, account=account, scheduled_at=when or at(12), **kwargs)


def ics(message):
    return (
        message.attachments[0][1].decode()
        if isinstance(message.attachments[0][1], bytes)
        else message.attachments[0][1]
    )


def test_the_tam_plans_a_preview_with_the_items_for_the_accounts_modules(
    ess, alice, tam, patch_release, django_capture_on_commit_callbacks
):
    services.account_modules_set(actor=tam, account=ess, modules="Capture, gp connector")
    with django_capture_on_commit_callbacks(execute=True):
        preview = plan(tam, patch_release, ess, uses_replica=True, attendees="Alice")
    assert preview.status == PreviewStatus.PLANNED
    assert preview.tam == tam
    assert sorted(item.title for item in preview.items.all()) == [
        "GP posting of multi-currency invoices",
        "TIFF rotation on import",
    ]
    [invite] = [m for m in mail.outbox if m.to == [alice.email]]
    body = ics(invite)
    assert invite.attachments[0][0] == "invite.ics"
    assert f"UID:{preview.uid}@ess-portal" in body
    assert "SEQUENCE:0" in body and "METHOD:REQUEST" in body
    assert "DTSTART:20260512T160000Z" in body


def test_without_recorded_modules_every_item_is_suggested(ess, tam, patch_release):
    assert plan(tam, patch_release, ess).items.count() == 3


def test_chosen_items_must_belong_to_the_release(ess, tam, patch_release, release_admin):
    other = services.release_create(
        actor=release_admin, version="10.3.1", kind="patch", planned_date=dt.date(2026, 6, 30), published=True
    )
    stray = services.release_item_add(actor=release_admin, release=other, kind="fix", title="Elsewhere")
    with pytest.raises(DomainError, match=r"Choose items of KwikTag 10\.2\.1 only"):
        plan(tam, patch_release, ess, items=[stray.pk])


REFUSALS = [
    ("standard", {}, "Release previews are an Enterprise benefit"),
    ("ess", {"when": at(1)}, "in the past"),
    ("ess", {"when": at(25, 23), "duration_minutes": 90}, "before the release"),
    ("ess", {"when": at(27)}, "before the release"),
    ("ess", {"duration_minutes": 600}, "15 minutes to 4 hours"),
]


@pytest.mark.parametrize(("which", "change", "message"), REFUSALS, ids=[m for _, _, m in REFUSALS])
def test_planning_rules(request, tam, patch_release, which, change, message):
    account = request.getfixturevalue(which)
    with pytest.raises(DomainError, match=message):
        plan(tam, patch_release, account, **change)
    assert not patch_release.previews.exists()


def test_only_published_patch_releases_get_previews(ess, tam, release_admin):
    minor = services.release_create(
        actor=release_admin, version="10.3.0", kind="minor", planned_date=dt.date(2026, 6, 30), published=True
    )
    draft = services.release_create(
        actor=release_admin, version="10.2.2", kind="patch", planned_date=dt.date(2026, 6, 30)
    )
    with pytest.raises(DomainError, match="before patch releases"):
        plan(tam, minor, ess)
    with pytest.raises(DomainError, match="Publish the release"):
        plan(tam, draft, ess)


def test_one_preview_per_account_and_release(ess, tam, patch_release):
    plan(tam, patch_release, ess)
    with pytest.raises(DomainError, match="already has a preview"):
        plan(tam, patch_release, ess, when=at(13))


def test_customers_and_support_staff_do_not_plan(ess, alice, support, patch_release):
    for person in (alice, support):
        with pytest.raises(NotAllowed, match="Only TAMs"):
            plan(person, patch_release, ess)


def test_the_tam_acting_at_that_time_coordinates_unless_the_planner_takes_it(ess, tam, backup_tam, patch_release):
    TamAbsence.objects.create(tam=tam, starts_at=at(11, 0), ends_at=at(14, 0))
    preview = plan(tam, patch_release, ess)
    assert preview.tam == backup_tam
    services.preview_update(
        actor=tam,
        preview=preview,
        scheduled_at=preview.scheduled_at,
        duration_minutes=60,
        items=[],
        uses_replica=False,
        coordinate_myself=True,
    )
    preview.refresh_from_db()
    assert preview.tam == tam
    assert preview.sequence == 1  # the organizer changed: a new invitation


def test_rescheduling_sends_the_same_uid_with_the_next_sequence(
    ess, alice, tam, patch_release, django_capture_on_commit_callbacks
):
    preview = plan(tam, patch_release, ess)
    flush_mail()
    with django_capture_on_commit_callbacks(execute=True):
        services.preview_update(
            actor=tam,
            preview=preview,
            scheduled_at=at(19, 15),
            duration_minutes=90,
            items=[patch_release.items.first().pk],
            uses_replica=True,
            attendees="Alice, Carl",
        )
    preview.refresh_from_db()
    assert (preview.sequence, preview.duration_minutes, preview.items.count()) == (1, 90, 1)
    body = ics(mail.outbox[0])
    assert f"UID:{preview.uid}@ess-portal" in body and "SEQUENCE:1" in body
    flush_mail()
    with django_capture_on_commit_callbacks(execute=True):
        services.preview_update(
            actor=tam,
            preview=preview,
            scheduled_at=at(19, 15),
            duration_minutes=90,
            items=[],
            uses_replica=True,
            notes="Bring last month's invoices",
        )
    assert mail.outbox == []  # same time, same TAM: nothing to re-send
    with pytest.raises(DomainError, match="before the release"):
        services.preview_update(
            actor=tam, preview=preview, scheduled_at=at(28), duration_minutes=60, items=[], uses_replica=False
        )


def test_a_preview_is_held_once_its_time_has_come(ess, tam, patch_release, time_machine):
    preview = plan(tam, patch_release, ess)
    with pytest.raises(DomainError, match="once it has taken place"):
        services.preview_hold(actor=tam, preview=preview)
    time_machine.move_to(at(12, 12))
    services.preview_hold(actor=tam, preview=preview, notes="Went well; GP fix confirmed on the replica.")
    preview.refresh_from_db()
    assert preview.status == PreviewStatus.HELD
    assert preview.notes.startswith("Went well")
    with pytest.raises(DomainError, match="A held preview cannot become declined"):
        services.preview_decline(actor=tam, preview=preview)


def test_the_customer_declines_and_everyone_gets_the_cancellation(
    ess, alice, bob, standard, tam, patch_release, django_capture_on_commit_callbacks
):
    preview = plan(tam, patch_release, ess)
    with pytest.raises(NotAllowed, match="Only the customer"):
        services.preview_decline(actor=bob, preview=preview)
    flush_mail()
    with django_capture_on_commit_callbacks(execute=True):
        services.preview_decline(actor=alice, preview=preview, reason="Quarter-end close")
    preview.refresh_from_db()
    assert (preview.status, preview.declined_by, preview.decline_reason) == ("declined", alice, "Quarter-end close")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, tam.email])
    body = ics(mail.outbox[0])
    assert "METHOD:CANCEL" in body and "SEQUENCE:1" in body
    with pytest.raises(DomainError, match="declined preview is not changed"):
        services.preview_update(
            actor=tam, preview=preview, scheduled_at=at(13), duration_minutes=60, items=[], uses_replica=False
        )


def _second_ess_account(primary, backup):
    account = AccountFactory(name="Initech", slug="initech")
    coverage_assign(actor=None, account=account, primary=primary, backup=backup)
    contract_create(actor=None, account=account, tier=tier("Enterprise"), start_date=dt.date(2026, 1, 1))
    return account


def test_previews_to_plan_lists_each_ess_account_without_one(ess, standard, tam, backup_tam, admin_user, patch_release):
    other_tam = UserFactory(roles=["TAM"])
    initech = _second_ess_account(other_tam, backup_tam)
    assert [(p.release, p.account) for p in previews_to_plan(tam)] == [(patch_release, ess)]
    assert [p.account for p in previews_to_plan(backup_tam)] == [ess, initech]
    assert [p.account for p in previews_to_plan(admin_user)] == [ess, initech]
    assert [p.account for p in previews_to_plan(tam, all_accounts=True)] == [ess, initech]
    plan(tam, patch_release, ess)
    assert previews_to_plan(tam) == []
    assert [p.account for p in previews_to_plan(backup_tam)] == [initech]


def test_previews_to_plan_ignores_shipped_minor_and_draft_releases(ess, tam, release_admin, patch_release):
    services.release_create(actor=release_admin, version="10.3.0", kind="minor", planned_date=dt.date(2026, 6, 1))
    services.release_create(
        actor=release_admin, version="10.2.2", kind="patch", planned_date=dt.date(2026, 6, 9), published=False
    )
    services.release_create(
        actor=release_admin,
        version="10.2.0",
        kind="patch",
        planned_date=dt.date(2026, 4, 1),
        actual_date=dt.date(2026, 4, 1),
        published=True,
    )
    assert [p.release for p in previews_to_plan(tam)] == [patch_release]


def test_previews_to_plan_takes_three_queries_however_many_rows(
    ess, tam, backup_tam, release_admin, patch_release, django_assert_num_queries
):
    with django_assert_num_queries(3):
        assert len(previews_to_plan(tam)) == 1
    for number in range(2, 6):
        _second_ess_account(tam, backup_tam) if number == 2 else None
        services.release_create(
            actor=release_admin,
            version=f"10.2.{number}",
            kind="patch",
            planned_date=dt.date(2026, 6, number),
            published=True,
        )
    with django_assert_num_queries(3):
        assert len(previews_to_plan(tam)) == 10


def test_customers_have_nothing_to_plan(ess, alice, patch_release):
    assert previews_to_plan(alice) == []


# --- The chase -------------------------------------------------------------------------------------


def test_the_acting_tam_is_chased_once_ten_days_before(
    ess, standard, tam, patch_release, time_machine, django_capture_on_commit_callbacks
):
    assert previews_chase() == 0  # May 4: 22 days ahead
    time_machine.move_to(at(15, 12))
    assert previews_chase() == 0  # 11 days ahead
    time_machine.move_to(at(16, 9))
    with django_capture_on_commit_callbacks(execute=True):
        assert previews_chase() == 1
        assert previews_chase() == 0
    time_machine.move_to(at(18, 9))
    assert previews_chase() == 0
    [message] = mail.outbox
    assert message.to == [tam.email]
    assert "Acme Manufacturing" in message.body and "10.2.1" in message.subject
    assert PreviewChase.objects.get().account == ess


def test_accounts_with_a_preview_are_not_chased(ess, tam, patch_release, time_machine):
    preview = plan(tam, patch_release, ess)
    time_machine.move_to(at(16, 9))
    assert previews_chase() == 0
    services.preview_decline(actor=tam, preview=preview)
    assert previews_chase() == 0  # declined by the customer: answered


def test_the_chase_window_is_a_setting_and_goes_to_whoever_acts(ess, tam, backup_tam, patch_release, settings):
    settings.ESS_PREVIEW_CHASE_DAYS = 30
    TamAbsence.objects.create(tam=tam, starts_at=at(1), ends_at=at(8))
    assert previews_chase() == 1
    assert PreviewChase.objects.get().tam == backup_tam


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_chases_at_once_send_once(ess, tam, patch_release, time_machine):
    time_machine.move_to(at(16, 9))
    outcomes = at_once(2, lambda n: previews_chase())
    assert outcomes.errors == []
    assert sorted(outcomes.results) == [0, 1]
    assert PreviewChase.objects.count() == 1
    assert len(mail.outbox) == 1
