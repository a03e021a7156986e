"""Every write to accounts, contracts, coverage, calendars and users goes through these functions."""

import datetime as dt

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .business_hours import Schedule
from .errors import DomainError
from .models import (
    Account,
    BusinessCalendar,
    Contract,
    ContractStatus,
    Holiday,
    OpenInterval,
    TamAbsence,
    TamAssignment,
    Tier,
    User,
)
from .notifications import email_users
from .outbox import outbox_add
from .roles import Role
from .signals import contract_changed


def _check_role_shape(*, roles: set[Role], account: Account | None) -> None:
    if not roles:
        raise DomainError("Choose a role.", field="role")
    if Role.CUSTOMER in roles:
        if roles != {Role.CUSTOMER}:
            raise DomainError("A customer user cannot also hold a vendor staff role.", field="role")
        if account is None:
            raise DomainError("A customer user belongs to exactly one account: choose it.", field="account")
    elif account is not None:
        raise DomainError("Vendor staff do not belong to a customer account.", field="account")


def user_set_roles(*, actor: User | None, user: User, roles: set[Role], account: Account | None) -> User:
    """Give a user their roles (auth groups) and account link; admins get the configuration site."""
    _check_role_shape(roles=roles, account=account)
    with transaction.atomic():
        user.account = account
        user.is_staff = Role.ADMIN in roles
        user.save(update_fields=["account", "is_staff"])
        user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    user.__dict__.pop("roles", None)
    return user


def user_invite(
    *,
    actor: User,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: Role,
    account: Account | None = None,
) -> User:
    """Invite a person by e-mail. Admins invite anyone; a TAM invites customer users of their own accounts.

    The invitation is a link to choose a password; the person cannot sign in before that.
    """
    email = email.strip().lower()
    if not (actor.is_portal_admin or (actor.is_tam and role == Role.CUSTOMER)):
        raise DomainError("You may not invite users with this role.", field="role")
    managed = Account.objects.managed_by(actor)
    if role == Role.CUSTOMER and account is not None and not managed.filter(pk=account.pk).exists():
        raise DomainError("You can only invite users to accounts you manage.", field="account")
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError("A user with this e-mail address already exists.", field="email")
    _check_role_shape(roles={role}, account=account)
    with transaction.atomic():
        user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
        user_set_roles(actor=actor, user=user, roles={role}, account=account)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        link = settings.ESS_BASE_URL + reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
        )
        body = render_to_string(
            "accounts/email/invitation.txt",
            {"user": user, "actor": actor, "role": role, "account": account, "link": link},
        )
        outbox_add(to=email, subject="Your ESS Portal invitation", body=body)
    return user


def user_update_profile(*, actor: User, first_name: str, last_name: str, time_zone: str) -> User:
    """A person edits their own name and the time zone their pages are shown in."""
    actor.first_name = first_name
    actor.last_name = last_name
    actor.time_zone = time_zone
    actor.full_clean(exclude=["password", "email", "account"])
    actor.save(update_fields=["first_name", "last_name", "time_zone"])
    return actor


# --- Calendars ------------------------------------------------------------------------------------


def calendar_set_hours(
    *, actor: User | None, calendar: BusinessCalendar, weekly: dict[int, list[tuple[dt.time, dt.time]]]
) -> BusinessCalendar:
    """Replace a calendar's open hours. Overlapping intervals or a week with no open hours are refused."""
    try:
        Schedule(tz=calendar.time_zone, weekly=weekly)
    except ValueError as error:
        raise DomainError(str(error), field="weekly") from error
    with transaction.atomic():
        calendar.intervals.all().delete()
        OpenInterval.objects.bulk_create(
            OpenInterval(calendar=calendar, weekday=day, opens=opens, closes=closes)
            for day, intervals in weekly.items()
            for opens, closes in intervals
        )
        calendar.save(update_fields=["updated_at"])
    return calendar


def public_holidays(*, country: str, subdivision: str = "", year: int) -> list[tuple[dt.date, str]]:
    """A country's (and optionally a subdivision's) public holidays for a year, from the holidays package."""
    import holidays as holiday_data

    try:
        found = holiday_data.country_holidays(country.upper(), subdiv=subdivision or None, years=year)
    except NotImplementedError as error:
        raise DomainError(f"No holiday data for country “{country}”.", field="country") from error
    except Exception as error:  # the package raises plain errors for unknown subdivisions
        raise DomainError(str(error), field="subdivision") from error
    return sorted(found.items())


def calendar_import_holidays(
    *, actor: User | None, calendar: BusinessCalendar, holidays: list[tuple[dt.date, str]]
) -> int:
    """Add reviewed holidays to a calendar; dates it already has are kept as they are. Returns how many were added."""
    with transaction.atomic():
        existing = set(calendar.holidays.values_list("date", flat=True))
        new = [Holiday(calendar=calendar, date=day, name=name[:120]) for day, name in holidays if day not in existing]
        Holiday.objects.bulk_create(new)
        calendar.save(update_fields=["updated_at"])
    return len(new)


# --- Contracts ------------------------------------------------------------------------------------


def _lock_contracts_of(account: Account) -> None:
    """Writers of one account's contracts take turns: two inserts that clash on the exclusion constraint at
    once would otherwise wait for each other, and PostgreSQL aborts one as a deadlock instead of refusing it."""
    list(Account.objects.select_for_update().filter(pk=account.pk).values_list("pk", flat=True))


def _check_no_overlap(*, account: Account, start_date: dt.date, end_date: dt.date | None, exclude_pk=None) -> None:
    overlapping = Contract.objects.filter(account=account, status=ContractStatus.ACTIVE)
    if end_date is not None:
        overlapping = overlapping.filter(start_date__lte=end_date)
    overlapping = overlapping.filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date)).exclude(pk=exclude_pk)
    clash = overlapping.first()
    if clash is not None:
        raise DomainError(
            f"{account.name} already has an active contract on those days ({clash}). "
            "End it first, or change tier from a date.",
            field="start_date",
        )


def _save_contract(contract: Contract) -> Contract:
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as error:
        # The database's own rule caught a race between two writers.
        raise DomainError("The account already has an active contract on those days.", field="start_date") from error
    return contract


def contract_create(
    *,
    actor: User | None,
    account: Account,
    tier: Tier,
    start_date: dt.date,
    end_date: dt.date | None = None,
) -> Contract:
    """Give an account a tier for a span of days. At most one active contract per account on any day;
    a tier with an assigned TAM needs the account's primary and backup TAM first."""
    if end_date is not None and end_date < start_date:
        raise DomainError("A contract ends on or after the day it starts.", field="end_date")
    if tier.assigned_tam and not TamAssignment.objects.current().filter(account=account).exists():
        raise DomainError(
            f"{tier.name} includes an assigned TAM: assign {account.name} a primary and a backup TAM first.",
            field="tier",
        )
    with transaction.atomic():
        _lock_contracts_of(account)
        _check_no_overlap(account=account, start_date=start_date, end_date=end_date)
        contract = _save_contract(
            Contract(account=account, tier=tier, start_date=start_date, end_date=end_date, created_by=actor)
        )
        contract_changed.send(sender=Contract, account=account, contract=contract, actor=actor)
    return contract


def contract_end(*, actor: User | None, contract: Contract, end_date: dt.date) -> Contract:
    """End a contract on a day (the last day it covers)."""
    if contract.status != ContractStatus.ACTIVE:
        raise DomainError("Only an active contract can be ended.", field="end_date")
    if end_date < contract.start_date:
        raise DomainError("A contract ends on or after the day it starts; cancel it instead.", field="end_date")
    if contract.end_date is not None and end_date > contract.end_date:
        raise DomainError("Ending a contract cannot extend it.", field="end_date")
    with transaction.atomic():
        contract.end_date = end_date
        contract.save(update_fields=["end_date"])
        contract_changed.send(sender=Contract, account=contract.account, contract=contract, actor=actor)
    return contract


def contract_cancel(*, actor: User | None, contract: Contract) -> Contract:
    """Withdraw a contract entered in error; it no longer counts on any day. History is kept."""
    if contract.status == ContractStatus.CANCELLED:
        raise DomainError("This contract is already cancelled.", field="status")
    with transaction.atomic():
        contract.status = ContractStatus.CANCELLED
        contract.save(update_fields=["status"])
        contract_changed.send(sender=Contract, account=contract.account, contract=contract, actor=actor)
    return contract


def contract_change_tier(*, actor: User | None, account: Account, tier: Tier, from_date: dt.date) -> Contract:
    """Move an account to another tier from a date: the contract covering the day before ends then, and a
    new contract on the new tier starts that day and runs as long as the old one would have."""
    with transaction.atomic():
        _lock_contracts_of(account)
        current = Contract.objects.select_for_update().active_on(from_date).filter(account=account).first()
        later = Contract.objects.filter(account=account, status=ContractStatus.ACTIVE, start_date__gt=from_date)
        if later.exists():
            raise DomainError("A later contract is already scheduled; cancel it first.", field="from_date")
        if current is None:
            raise DomainError(f"{account.name} has no active contract on {from_date:%Y-%m-%d}.", field="from_date")
        if current.tier_id == tier.pk:
            raise DomainError(f"{account.name} is already on {tier.name} on that day.", field="tier")
        old_end = current.end_date
        if current.start_date == from_date:
            contract_cancel(actor=actor, contract=current)
        else:
            contract_end(actor=actor, contract=current, end_date=from_date - dt.timedelta(days=1))
        return contract_create(actor=actor, account=account, tier=tier, start_date=from_date, end_date=old_end)


# --- TAM coverage ---------------------------------------------------------------------------------


def coverage_assign(
    *, actor: User | None, account: Account, primary: User, backup: User, at: dt.datetime | None = None
) -> TamAssignment:
    """Make ``primary`` and ``backup`` the account's TAMs from ``at`` (default now); the previous pair is kept
    as history."""
    at = at or timezone.now()
    if not primary.is_tam:
        raise DomainError(f"{primary} is not a TAM.", field="primary")
    if not backup.is_tam:
        raise DomainError(f"{backup} is not a TAM.", field="backup")
    if primary.pk == backup.pk:
        raise DomainError("The backup TAM must be someone other than the primary.", field="backup")
    with transaction.atomic():
        current = TamAssignment.objects.select_for_update().current().filter(account=account).first()
        if current is not None:
            if current.primary_id == primary.pk and current.backup_id == backup.pk:
                return current
            if at < current.valid_from:
                raise DomainError("A change of TAM cannot predate the current assignment.", field="primary")
            current.valid_to = at
            current.save(update_fields=["valid_to"])
        return TamAssignment.objects.create(
            account=account, primary=primary, backup=backup, valid_from=at, assigned_by=actor
        )


ABSENCE_HORIZON = dt.timedelta(days=2 * 366)
ABSENCE_OVERLAP = "This overlaps another absence of the same person; change that one instead."


def _may_manage_absences_of(actor: User, tam: User) -> bool:
    return actor.is_portal_admin or (actor.pk == tam.pk and actor.is_tam_level)


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
    *, actor: User, tam: User, starts_at: dt.datetime, ends_at: dt.datetime, note: str = ""
) -> TamAbsence:
    """A TAM (or TAM-level resource) records their own absence; admins record anyone's. Customers of the
    TAM's accounts are told by e-mail."""
    if not tam.is_tam_level:
        raise DomainError(f"{tam} is not a TAM or TAM-level resource.", field="tam")
    if not _may_manage_absences_of(actor, tam):
        raise DomainError("You may only record your own absences.", field="tam")
    try:
        with transaction.atomic():
            _validate_absence(tam=tam, starts_at=starts_at, ends_at=ends_at)
            absence = TamAbsence.objects.create(
                tam=tam, starts_at=starts_at, ends_at=ends_at, note=note, created_by=actor
            )
            _notify_absence(absence, change="scheduled")
    except IntegrityError as error:
        raise DomainError(ABSENCE_OVERLAP, field="starts_at") from error
    return absence


def absence_update(
    *, actor: User, absence: TamAbsence, starts_at: dt.datetime, ends_at: dt.datetime, note: str = ""
) -> TamAbsence:
    """Change an absence's times or note; customers are told of the change."""
    if not _may_manage_absences_of(actor, absence.tam):
        raise DomainError("You may only change your own absences.", field="tam")
    if absence.cancelled_at is not None:
        raise DomainError("This absence was cancelled.", field="starts_at")
    try:
        with transaction.atomic():
            _validate_absence(tam=absence.tam, starts_at=starts_at, ends_at=ends_at, exclude_pk=absence.pk)
            absence.starts_at, absence.ends_at, absence.note = starts_at, ends_at, note
            absence.save(update_fields=["starts_at", "ends_at", "note"])
            _notify_absence(absence, change="changed")
    except IntegrityError as error:
        raise DomainError(ABSENCE_OVERLAP, field="starts_at") from error
    return absence


def absence_cancel(*, actor: User, absence: TamAbsence) -> TamAbsence:
    """Call off an absence; customers are told."""
    if not _may_manage_absences_of(actor, absence.tam):
        raise DomainError("You may only cancel your own absences.", field="tam")
    if absence.cancelled_at is not None:
        raise DomainError("This absence is already cancelled.", field="starts_at")
    with transaction.atomic():
        absence.cancelled_at = timezone.now()
        absence.save(update_fields=["cancelled_at"])
        _notify_absence(absence, change="cancelled")
    return absence
