"""SLA policies: the targets of each tier, configured by administrators (with a recently entered password, on
every route). A milestone copies its target when its clock starts, so changing a policy never rewrites a running
clock."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.configuration import CONFIGURATION_ADMIN_ONLY, may_configure
from accounts.models import Tier, User
from core.authentication import privileged
from core.errors import Conflict, DomainError
from core.permissions import require

from .models import MEETS_FOR_START, ClockKind, MeetEvent, SlaPolicy, SlaTarget, StartEvent

TARGET_FIELDS = [
    "name",
    "start_event",
    "meet_event",
    "severity",
    "duration",
    "clock",
    "calendar",
    "paused_while_waiting",
    "is_example",
    "active",
]


def target_problems(values: Mapping[str, Any]) -> list[str]:
    """What makes a target meaningless, in words: a meeting event that never follows its start (a call is met by
    being answered, not by a reply), no length, business time without a calendar."""
    problems = []
    start, meet = values.get("start_event"), values.get("meet_event")
    if start in StartEvent.values and meet in MeetEvent.values and meet not in MEETS_FOR_START[start]:
        met_by = " or ".join(f"“{MeetEvent(event).label}”" for event in sorted(MEETS_FOR_START[start]))
        problems.append(f"after “{StartEvent(start).label}” the clock is met by {met_by}.")
    if values.get("duration") is not None and values["duration"] <= dt.timedelta(0):
        problems.append("the length must be more than zero.")
    if values.get("clock") == ClockKind.BUSINESS and values.get("calendar") is None:
        problems.append("business time is counted on a calendar: choose one.")
    return problems


def _valid(row) -> None:
    try:
        row.full_clean(exclude=["policy"], validate_unique=False)
    except ValidationError as error:
        raise DomainError(errors=error.message_dict) from error


@privileged
def policy_save(
    *,
    actor: User | None,
    policy: SlaPolicy | None = None,
    tier: Tier,
    warn_at_percent: int,
    targets: Iterable[Mapping[str, Any]],
) -> SlaPolicy:
    """Create a tier's SLA policy or change it. ``targets`` are the policy's targets as they should be, each by
    field name (``TARGET_FIELDS``), with the ``id`` of an existing one to change it; a target left out is removed.
    A target is met by an event that follows its start, lasts more than zero, and a business-time target names its
    calendar (``target_problems``); one policy per tier."""
    require(may_configure(actor), CONFIGURATION_ADMIN_ONLY)
    targets = list(targets)
    problems = [
        f"{values.get('name') or 'A target'}: {problem}" for values in targets for problem in target_problems(values)
    ]
    if problems:
        raise DomainError(errors={"targets": problems})
    policy = policy or SlaPolicy()
    policy.tier, policy.warn_at_percent = tier, warn_at_percent
    _valid(policy)
    with transaction.atomic():
        try:
            with transaction.atomic():
                policy.save()
        except IntegrityError as error:
            raise Conflict(f"{tier} already has an SLA policy.", field="tier") from error
        existing = {target.pk: target for target in policy.targets.all()} if policy.pk else {}
        kept = []
        for values in targets:
            target = existing.get(values.get("id")) or SlaTarget(policy=policy)
            for name in TARGET_FIELDS:
                setattr(target, name, values[name])
            _valid(target)
            target.save()
            kept.append(target.pk)
        SlaTarget.objects.filter(policy=policy).exclude(pk__in=kept).delete()
    return policy
