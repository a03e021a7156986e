"""Who acts for an account at a moment: the primary TAM, else the backup, else a TAM-level resource.

The open-escalation count that orders TAM-level resources belongs to the cases app; it registers a
counter here (``register_open_escalation_counter``) so this module never imports it.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from core.errors import DomainError

from .models import Account, TamAbsence, TamAssignment, User
from .roles import Role

OpenEscalationCounter = Callable[[Iterable[int]], dict[int, int]]
_open_escalation_counter: OpenEscalationCounter | None = None


def register_open_escalation_counter(counter: OpenEscalationCounter | None) -> None:
    """Install the function that counts open escalations per user id (missing ids count zero)."""
    global _open_escalation_counter
    _open_escalation_counter = counter


def open_escalation_counts(user_ids: Iterable[int]) -> dict[int, int]:
    if _open_escalation_counter is None:
        return {}
    return _open_escalation_counter(list(user_ids))


class NoTamAvailable(DomainError):
    """Nobody can act: the TAM and backup are away and every TAM-level resource too."""


@dataclass(frozen=True)
class Coverage:
    primary: User | None
    backup: User | None
    acting: User
    primary_absence: TamAbsence | None
    backup_absence: TamAbsence | None

    @property
    def is_covered(self) -> bool:
        """True when someone other than the primary TAM acts."""
        return self.primary is None or self.acting.pk != self.primary.pk


def _absences_at(user_ids: Iterable[int], at: dt.datetime) -> dict[int, TamAbsence]:
    absences = TamAbsence.objects.covering(at).filter(tam_id__in=list(user_ids)).order_by("-ends_at")
    return {absence.tam_id: absence for absence in absences}


def _tam_level_people():
    return User.objects.filter(is_active=True, groups__name__in=[Role.TAM.value, Role.TAM_LEVEL.value]).distinct()


def _least_busy(candidates: list[User], counts: dict[int, int]) -> User:
    if not candidates:
        raise NoTamAvailable("No TAM or TAM-level resource is available at this time.")
    return min(candidates, key=lambda u: (counts.get(u.pk, 0), u.display_name.lower(), u.email.lower()))


def first_available_tam_level(at: dt.datetime, *, exclude: Iterable[int] = ()) -> User:
    """The first TAM-level resource not absent at ``at``: fewest open escalations, then by name."""
    away = TamAbsence.objects.covering(at).filter(tam=OuterRef("pk"))
    candidates = list(_tam_level_people().exclude(pk__in=list(exclude)).filter(~Exists(away)))
    return _least_busy(candidates, open_escalation_counts(user.pk for user in candidates))


class TamLevelPool:
    """The TAM-level resources, their open escalations and their absences over ``[first, last)``, read once (three
    queries), to choose as ``first_available_tam_level`` does at any moment of that span without another query."""

    def __init__(self, first: dt.datetime, last: dt.datetime):
        self.candidates = list(_tam_level_people())
        self.counts = open_escalation_counts(user.pk for user in self.candidates)
        self.absences = list(
            TamAbsence.objects.scheduled().filter(
                tam_id__in=[user.pk for user in self.candidates], starts_at__lt=last, ends_at__gt=first
            )
        )

    def first_available(self, at: dt.datetime, *, exclude: Iterable[int] = ()) -> User:
        skipped = set(exclude) | {a.tam_id for a in self.absences if a.starts_at <= at < a.ends_at}
        return _least_busy([user for user in self.candidates if user.pk not in skipped], self.counts)


def _decide(
    assignment: TamAssignment | None,
    absences: dict[int, TamAbsence],
    at: dt.datetime,
    fallbacks: dict,
    pick: Callable[..., User] = first_available_tam_level,
) -> Coverage:
    """Who acts at ``at`` given the assignment in force and the absences then; ``fallbacks`` caches the
    TAM-level resource found (by ``pick``) per absent pair and moment, so each is looked up once."""
    primary = assignment.primary if assignment else None
    backup = assignment.backup if assignment else None
    primary_absence = absences.get(primary.pk) if primary else None
    backup_absence = absences.get(backup.pk) if backup else None
    if primary is not None and primary.is_active and primary_absence is None:
        acting = primary
    elif backup is not None and backup.is_active and backup_absence is None:
        acting = backup
    else:
        away = tuple(sorted(u.pk for u in (primary, backup) if u is not None))
        if (away, at) not in fallbacks:
            fallbacks[away, at] = pick(at, exclude=away)
        acting = fallbacks[away, at]
    return Coverage(primary, backup, acting, primary_absence, backup_absence)


def coverage_many(accounts: Iterable[Account], at: dt.datetime) -> dict[int, Coverage]:
    """Coverage of many accounts at ``at`` in a fixed number of queries (the fallback is looked up once per
    distinct absent pair). Raises NoTamAvailable when nobody can act for one of them."""
    accounts = list(accounts)
    assignments = {
        a.account_id: a
        for a in TamAssignment.objects.filter(account__in=accounts, valid_from__lte=at)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at))
        .select_related("primary", "backup")
    }
    named = {pk for a in assignments.values() for pk in (a.primary_id, a.backup_id)}
    absences = _absences_at(named, at)
    fallbacks: dict = {}
    return {account.pk: _decide(assignments.get(account.pk), absences, at, fallbacks) for account in accounts}


def coverage_from(
    assignments: Iterable[TamAssignment],
    absences: Iterable[TamAbsence],
    at: dt.datetime,
    fallbacks: dict,
    pool: TamLevelPool | None = None,
) -> dict[int, Coverage | None]:
    """Coverage at ``at`` of the accounts of ``assignments`` from rows already read: the assignments (with their
    users) and the scheduled absences of their TAMs over a span holding ``at``. No query with a ``pool`` read over
    that span; without one, a query for the TAM-level resource of a pair with both away (cached in ``fallbacks``
    per pair and moment). ``None`` for an account nobody can act for."""
    pick = pool.first_available if pool is not None else first_available_tam_level
    in_force: dict[int, TamAssignment] = {}
    for assignment in sorted(assignments, key=lambda a: a.valid_from):
        if assignment.valid_from <= at and (assignment.valid_to is None or assignment.valid_to > at):
            in_force[assignment.account_id] = assignment
    # The absence ending soonest wins, as in _absences_at.
    latest_end_first = sorted(absences, key=lambda a: a.ends_at, reverse=True)
    away = {a.tam_id: a for a in latest_end_first if a.starts_at <= at < a.ends_at}
    result: dict[int, Coverage | None] = {}
    for account_id, assignment in in_force.items():
        try:
            result[account_id] = _decide(assignment, away, at, fallbacks, pick)
        except NoTamAvailable:
            result[account_id] = None
    return result


def coverage_at(account: Account, moments: Iterable[dt.datetime]) -> dict[dt.datetime, Coverage | None]:
    """Coverage of one account at several moments in a fixed number of queries (the fallback is looked up
    once per absent pair and moment); ``None`` at a moment when nobody can act."""
    moments = sorted(set(moments))
    if not moments:
        return {}
    first, last = moments[0], moments[-1]
    assignments = list(
        TamAssignment.objects.filter(account=account, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=first))
        .select_related("primary", "backup")
        .order_by("-valid_from")
    )
    named = {pk for a in assignments for pk in (a.primary_id, a.backup_id)}
    # Latest end first, so the one ending soonest wins below, as in _absences_at.
    absences = list(
        TamAbsence.objects.scheduled()
        .filter(tam_id__in=named, starts_at__lte=last, ends_at__gt=first)
        .order_by("-ends_at")
    )
    fallbacks: dict = {}
    result: dict[dt.datetime, Coverage | None] = {}
    for at in moments:
        in_force = [a for a in assignments if a.valid_from <= at and (a.valid_to is None or a.valid_to > at)]
        away_then = {absence.tam_id: absence for absence in absences if absence.starts_at <= at < absence.ends_at}
        try:
            result[at] = _decide(in_force[-1] if in_force else None, away_then, at, fallbacks)
        except NoTamAvailable:
            result[at] = None
    return result


def coverage(account: Account, at: dt.datetime) -> Coverage:
    """The account's TAMs at ``at`` and who acts. Raises NoTamAvailable when nobody can."""
    return coverage_many([account], at)[account.pk]


def accounts_covered_by(user: User, at: dt.datetime) -> list[Account]:
    """Accounts this person acts for at ``at`` without being their primary TAM (they stand in)."""
    primary_away = TamAbsence.objects.covering(at).filter(tam=OuterRef("primary_id"))
    stand_in_needed = (
        TamAssignment.objects.filter(valid_from__lte=at)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at))
        .filter(Exists(primary_away) | Q(primary__is_active=False))
        .exclude(primary=user)
    )
    candidates = list(Account.objects.filter(pk__in=stand_in_needed.values("account_id")))
    if not candidates:
        return []
    try:
        covered = coverage_many(candidates, at)
    except NoTamAvailable:
        return []
    return [account for account in candidates if covered[account.pk].acting.pk == user.pk]


def acting_tam(account: Account, at: dt.datetime) -> User:
    """The TAM acting for ``account`` at ``at``: primary unless absent, else backup unless absent,
    else the first available TAM-level resource. Raises NoTamAvailable when there is none."""
    return coverage(account, at).acting
