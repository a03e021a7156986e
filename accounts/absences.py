"""TAM absences: a TAM (or TAM-level resource) records their own; admins record anyone's. The customers of the
accounts the TAM owns are told by e-mail, with who covers, when one is recorded, changed or cancelled."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import DomainError
from core.permissions import require

from .models import Account, TamAbsence, TamAssignment, User
from .notifications import email_users
from .signals import coverage_changed

ABSENCE_HORIZON = dt.timedelta(days=2 * 366)
ABSENCE_OVERLAP = "This overlaps another absence of the same person; change that one instead."
ABSENCES_REFUSED = "Only TAMs, TAM-level resources and admins record absences."


def may_record_absences(user: User | None) -> bool:
    """TAMs, TAM-level resources and admins keep absences (their own; admins anyone's)."""
    return user is None or user.acts_as_tam


def may_manage_absences_of(user: User | None, tam: User) -> bool:
    """Whether ``user`` may record, change or cancel absences of ``tam``: their own, or anyone's for an admin."""
    return user is None or user.is_portal_admin or (user.pk == tam.pk and user.is_tam_level)


def may_manage_absence(user: User | None, absence: TamAbsence) -> bool:
    return may_manage_absences_of(user, absence.tam)


def require_may_record_absences(user: User | None) -> None:
    require(may_record_absences(user), ABSENCES_REFUSED)


def require_may_manage_absences_of(actor: User | None, tam: User, *, verb: str) -> None:
    """Refuse (403) unless ``actor`` may ``verb`` (record, change, cancel) absences of ``tam``."""
    require_may_record_absences(actor)
    require(may_manage_absences_of(actor, tam), f"You may only {verb} your own absences.")


def _take_turns(tam: User) -> None:
    """Writers of one person's absences take turns: two overlapping inserts at once would otherwise wait on each
    other at the exclusion constraint and PostgreSQL would abort one as a deadlock."""
    list(User.objects.select_for_update().filter(pk=tam.pk).values_list("pk", flat=True))


def _validate_absence(*, tam: User, starts_at: dt.datetime, ends_at: dt.datetime, exclude_pk=None) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise DomainError("Give absence times with a time zone.", field="starts_at")
    if ends_at <= starts_at:
        raise DomainError("An absence ends after it starts.", field="ends_at")
    if ends_at <= timezone.now():
        raise DomainError("This absence is already over; record absences that are current or ahead.", field="ends_at")
    if ends_at > timezone.now() + ABSENCE_HORIZON:
        raise DomainError("Record absences up to two years ahead.", field="ends_at")
    clash = (
        TamAbsence.objects.scheduled()
        .filter(tam=tam, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk=exclude_pk)
        .first()
    )
    if clash is not None:
        raise DomainError(ABSENCE_OVERLAP, field="starts_at")


def _notify_absence(absence: TamAbsence, *, change: str) -> int:
    """Tell the customer users of every account the TAM owns, with who covers there (a fixed number of
    queries however many accounts)."""
    from .coverage import NoTamAvailable, coverage_many

    owned = TamAssignment.objects.current().filter(Q(primary=absence.tam) | Q(backup=absence.tam))
    accounts = list(Account.objects.filter(pk__in=owned.values("account_id")))
    try:
        covered = coverage_many(accounts, max(absence.starts_at, timezone.now()))
    except NoTamAvailable:
        covered = {}
    people: dict[int, list[User]] = {}
    for user in User.objects.filter(account__in=accounts, is_active=True):
        people.setdefault(user.account_id, []).append(user)
    sent = 0
    for account in accounts:
        covering = covered[account.pk].acting if account.pk in covered else None
        sent += email_users(
            people.get(account.pk, []),
            subject=f"Your TAM's absence {change}: {absence.tam.display_name}",
            template="accounts/email/absence.txt",
            context={"absence": absence, "account": account, "covering": covering, "change": change},
        )
    return sent


def absence_record(
    *, actor: User | None, tam: User, starts_at: dt.datetime, ends_at: dt.datetime, note: str = ""
) -> TamAbsence:
    """A TAM (or TAM-level resource) records their own absence; admins record anyone's. Customers of the
    TAM's accounts are told by e-mail. One person's absences never overlap."""
    require_may_manage_absences_of(actor, tam, verb="record")
    if not tam.is_tam_level:
        raise DomainError(f"{tam} is not a TAM or TAM-level resource.", field="tam")
    try:
        with transaction.atomic():
            _take_turns(tam)
            _validate_absence(tam=tam, starts_at=starts_at, ends_at=ends_at)
            absence = TamAbsence.objects.create(
                tam=tam, starts_at=starts_at, ends_at=ends_at, note=note, created_by=actor
            )
            _notify_absence(absence, change="scheduled")
            coverage_changed.send(sender=TamAbsence, tam=absence.tam, actor=actor)
    except IntegrityError as error:
        raise DomainError(ABSENCE_OVERLAP, field="starts_at") from error
    return absence


def absence_update(
    *,
    actor: User | None,
    absence: TamAbsence,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    note: str = "",
    tam: User | None = None,
) -> TamAbsence:
    """Change an absence's times or note; customers are told of the change. An absence stays its person's."""
    require_may_manage_absences_of(actor, absence.tam, verb="change")
    if tam is not None and tam.pk != absence.tam_id:
        raise DomainError("An absence cannot be moved to another person.", field="tam")
    if absence.cancelled_at is not None:
        raise DomainError("This absence was cancelled.", field="starts_at")
    try:
        with transaction.atomic():
            _take_turns(absence.tam)
            _validate_absence(tam=absence.tam, starts_at=starts_at, ends_at=ends_at, exclude_pk=absence.pk)
            absence.starts_at, absence.ends_at, absence.note = starts_at, ends_at, note
            absence.save(update_fields=["starts_at", "ends_at", "note"])
            _notify_absence(absence, change="changed")
            coverage_changed.send(sender=TamAbsence, tam=absence.tam, actor=actor)
    except IntegrityError as error:
        raise DomainError(ABSENCE_OVERLAP, field="starts_at") from error
    return absence


def absence_cancel(*, actor: User | None, absence: TamAbsence) -> TamAbsence:
    """Call off an absence; customers are told."""
    require_may_manage_absences_of(actor, absence.tam, verb="cancel")
    with transaction.atomic():
        _take_turns(absence.tam)
        absence.refresh_from_db(fields=["cancelled_at"])
        if absence.cancelled_at is not None:
            raise DomainError("This absence is already cancelled.", field="starts_at")
        absence.cancelled_at = timezone.now()
        absence.save(update_fields=["cancelled_at"])
        _notify_absence(absence, change="cancelled")
        coverage_changed.send(sender=TamAbsence, tam=absence.tam, actor=actor)
    return absence
