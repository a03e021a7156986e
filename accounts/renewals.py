"""Contracts over time: renewal terms, the state an administrator sees, renewing, and the daily jobs (automatic
renewals on the end date, reminders before it).

A contract's renewal state is derived from its dates and the contract that follows it, never stored:

- *renewed*: an active contract of the account starts the day after it ends (no gap);
- *lapsed*: it ended before today and nothing continued it: the account lost its benefits the day after the end
  (the maintenance bank forfeits the credits then, through ``contract_changed`` and its hourly job);
- *renewal due*: it ends within its notice period from today;
- *active*: otherwise (open-ended, or ending later).

Reminders go out at the offsets before the end an administrator sets (``core.models.Limits``; until then
``ESS_RENEWAL_REMINDER_DAYS``, default 90, 60, 30 and 7 days) to the account's TAM and the administrators, and to
its customer users when the account opts in: each exactly once per contract and offset (a unique row), however often
or concurrently the job runs. After downtime the job catches up: the offsets it passed are recorded, and only the
nearest one is mailed.
"""

import calendar
import datetime as dt
import uuid
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q, Subquery
from django.utils import timezone

from core.authentication import privileged
from core.errors import DomainError
from core.models import Limits
from core.permissions import require

from .contracts import contract_create
from .models import Account, Contract, ContractStatus, RenewalReminder, TamAssignment, Tier, User
from .notifications import email_users_at_once
from .quarters import vendor_today
from .roles import Role

RENEWALS_ADMIN_ONLY = "Only administrators renew contracts and set their renewal terms."
NOTICES_REFUSED = "Only the account's own users or an administrator choose who gets its renewal reminders."
# A tier with any of the Enterprise benefits: its contracts lapse into a banner and get a quarterly value report.
ENTERPRISE = (
    Q(tier__assigned_tam=True)
    | Q(tier__events_per_quarter__gt=0)
    | Q(tier__release_previews=True)
    | Q(tier__proactive_reviews_per_quarter__gt=0)
)


class RenewalState:
    ACTIVE = "active"
    DUE = "renewal due"
    RENEWED = "renewed"
    LAPSED = "lapsed"
    CHOICES = [ACTIVE, DUE, RENEWED, LAPSED]


# --- Who may ---------------------------------------------------------------------------------------------------


def may_manage_renewals(user: User | None) -> bool:
    """Administrators (and the system) see the renewals, renew contracts and set renewal terms."""
    return user is None or (user.is_authenticated and user.is_portal_admin)


def require_may_manage_renewals(user: User | None) -> None:
    require(may_manage_renewals(user), RENEWALS_ADMIN_ONLY)


def may_set_renewal_notices(user: User | None, account: Account) -> bool:
    """An account's own customer users decide whether they get its renewal reminders; administrators record it."""
    if user is None:
        return True
    return user.is_authenticated and (user.is_portal_admin or (user.is_customer_user and user.account_id == account.pk))


# --- Dates and states ------------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def term_end(start: dt.date, months: int) -> dt.date:
    """The last day of a term of ``months`` starting on ``start``."""
    return add_months(start, months) - dt.timedelta(days=1)


def renewal_state(*, end_date: dt.date | None, notice_days: int, renewed: bool, today: dt.date) -> str:
    """The state an administrator sees (pure: from the end date, the notice period and whether a contract
    continues it the next day)."""
    if end_date is None:
        return RenewalState.ACTIVE
    if renewed:
        return RenewalState.RENEWED
    if end_date < today:
        return RenewalState.LAPSED
    if (end_date - today).days <= notice_days:
        return RenewalState.DUE
    return RenewalState.ACTIVE


def _continuation():
    """An active contract of the same account starting the day after ``OuterRef`` ends."""
    return Contract.objects.filter(
        account=OuterRef("account"),
        status=ContractStatus.ACTIVE,
        start_date=OuterRef("end_date") + dt.timedelta(days=1),
    )


def _later():
    """An active contract of the same account starting after ``OuterRef`` ends."""
    return Contract.objects.filter(
        account=OuterRef("account"), status=ContractStatus.ACTIVE, start_date__gt=OuterRef("end_date")
    )


def with_renewal(contracts):
    """Annotate ``renewed`` (continued the next day) and ``next_start`` (the next contract's first day), one query."""
    later = _later().order_by().values("account").annotate(first=Min("start_date")).values("first")[:1]
    return contracts.annotate(renewed=Exists(_continuation()), next_start=Subquery(later))


def state_of(contract: Contract, today: dt.date | None = None) -> str:
    """One contract's state (``with_renewal`` rows need no query)."""
    renewed = getattr(contract, "renewed", None)
    if renewed is None:
        renewed = (
            contract.end_date is not None
            and Contract.objects.filter(
                account_id=contract.account_id,
                status=ContractStatus.ACTIVE,
                start_date=contract.end_date + dt.timedelta(days=1),
            ).exists()
        )
    return renewal_state(
        end_date=contract.end_date,
        notice_days=contract.notice_days,
        renewed=renewed,
        today=today or vendor_today(),
    )


def contracts_ending(
    *,
    today: dt.date,
    days_ahead: int = 90,
    days_back: int = 30,
    state: str = "",
    tier: Tier | None = None,
    tam: User | None = None,
) -> list[Contract]:
    """Active contracts ending from ``days_back`` days ago to ``days_ahead`` days ahead, soonest first, each with
    ``state`` (and ``renewed``, ``next_start``), in one query. Filters: a state, a tier, the account's TAM."""
    contracts = with_renewal(
        Contract.objects.filter(
            status=ContractStatus.ACTIVE,
            end_date__gte=today - dt.timedelta(days=days_back),
            end_date__lte=today + dt.timedelta(days=days_ahead),
        )
    ).select_related("account", "tier")
    if tier is not None:
        contracts = contracts.filter(tier=tier)
    if tam is not None:
        contracts = contracts.filter(account__in=Account.objects.owned_by(tam).values("pk"))
    rows = []
    for contract in contracts.order_by("end_date", "account__name"):
        contract.state = state_of(contract, today)
        if not state or contract.state == state:
            rows.append(contract)
    return rows


def lapsed_contract(account_id: int, today: dt.date | None = None) -> Contract | None:
    """The contract an account's benefits ended with, when no contract covers today (one query): the latest that
    started by today, if it ended before today."""
    today = today or vendor_today()
    latest = (
        Contract.objects.filter(account_id=account_id, status=ContractStatus.ACTIVE, start_date__lte=today)
        .select_related("tier")
        .order_by("-start_date")
        .first()
    )
    if latest is None or latest.end_date is None or latest.end_date >= today:
        return None
    latest.benefits_ended_on = latest.end_date + dt.timedelta(days=1)
    return latest


# --- Services --------------------------------------------------------------------------------------------------


def _renew(
    contract: Contract, *, actor: User | None, tier: Tier | None, not_before: dt.date | None, end_date, strict: bool
):
    """Create the contract continuing ``contract`` from the day after it ends (or ``not_before``, when later), under
    the account's lock; None (or a refusal, ``strict``) when it cannot be renewed any more (cancelled, open-ended,
    or another contract already follows it)."""
    Account.objects.select_for_update().filter(pk=contract.account_id).values_list("pk", flat=True).first()
    contract = Contract.objects.select_related("account", "tier").get(pk=contract.pk)
    refusal = None
    if contract.status != ContractStatus.ACTIVE:
        refusal = "Only an active contract can be renewed."
    elif contract.end_date is None:
        refusal = "An open-ended contract does not end: there is nothing to renew."
    else:
        following = Contract.objects.filter(
            account=contract.account, status=ContractStatus.ACTIVE, start_date__gt=contract.end_date
        ).first()
        if following is not None:
            refusal = f"{contract.account.name} already has a contract from {following.start_date:%Y-%m-%d}."
    if refusal:
        if strict:
            raise DomainError(refusal)
        return None
    start = max(contract.end_date + dt.timedelta(days=1), not_before or dt.date.min)
    end_date = end_date or term_end(start, contract.renewal_term_months)
    if end_date < start:
        raise DomainError(f"A renewal ends on or after the day it starts ({start:%Y-%m-%d}).", field="end_date")
    renewal = contract_create(
        actor=actor, account=contract.account, tier=tier or contract.tier, start_date=start, end_date=end_date
    )
    terms = {
        "renews_automatically": contract.renews_automatically,
        "notice_days": contract.notice_days,
        "renewal_term_months": contract.renewal_term_months,
    }
    Contract.objects.filter(pk=renewal.pk).update(**terms)
    for name, value in terms.items():
        setattr(renewal, name, value)
    return renewal


@privileged
def contract_renew(
    *, actor: User | None, contract: Contract, tier: Tier | None = None, end_date: dt.date | None = None
) -> Contract:
    """Continue a contract with a new one on the same tier or another (``tier``), to ``end_date`` or for its
    renewal term, keeping its renewal terms. The new contract starts the day after the old one ends, so there is no
    gap and the maintenance bank is kept with nothing granted extra; a contract that has lapsed (ended before
    today) is renewed from today: the days between stay a gap, and the benefits lost then stay lost. A cancelled
    or open-ended contract, or one another contract already follows, is not renewed."""
    require_may_manage_renewals(actor)
    with transaction.atomic():
        return _renew(contract, actor=actor, tier=tier, not_before=vendor_today(), end_date=end_date, strict=True)


@privileged
def contract_set_renewal_terms(
    *, actor: User | None, contract: Contract, renews_automatically: bool, notice_days: int, renewal_term_months: int
) -> Contract:
    """Set whether a contract renews automatically on its end date, its notice period (0 to 730 days) and its
    renewal term (1 to 120 months). Only a contract that is active and has not ended has terms to set."""
    require_may_manage_renewals(actor)
    if not 0 <= notice_days <= 730:
        raise DomainError("A notice period is from 0 to 730 days.", field="notice_days")
    if not 1 <= renewal_term_months <= 120:
        raise DomainError("A renewal term is from 1 to 120 months.", field="renewal_term_months")
    with transaction.atomic():
        given, contract = contract, Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.status != ContractStatus.ACTIVE or contract.end_date is None:
            raise DomainError("Only an active contract with an end date has renewal terms.")
        if contract.end_date < vendor_today():
            raise DomainError("This contract has ended: renew it instead.")
        for target in (contract, given):
            target.renews_automatically = renews_automatically
            target.notice_days = notice_days
            target.renewal_term_months = renewal_term_months
        contract.save(update_fields=["renews_automatically", "notice_days", "renewal_term_months"])
    return contract


def account_set_renewal_notices(*, actor: User | None, account: Account, to_contacts: bool) -> Account:
    """Whether the account's customer users get its contract renewal reminders (besides its TAM and the
    administrators): the account's own users decide, or an administrator on their word."""
    require(may_set_renewal_notices(actor, account), NOTICES_REFUSED)
    with transaction.atomic():
        Account.objects.filter(pk=account.pk).update(renewal_notices_to_contacts=to_contacts)
    account.renewal_notices_to_contacts = to_contacts
    return account


# --- Jobs ------------------------------------------------------------------------------------------------------


def contracts_renew_automatically(*, today: dt.date | None = None) -> list[Contract]:
    """Renew, on their end date, the contracts that renew automatically and that nothing follows yet, from the
    day after the end (so no gap, also when the job was down on the end date). A renewal already over by today
    is renewed in turn. Safe to run twice at once: each renewal is made under the account's lock."""
    today = today or vendor_today()
    renewed: list[Contract] = []
    while True:
        due = list(
            Contract.objects.filter(status=ContractStatus.ACTIVE, renews_automatically=True, end_date__lte=today)
            .exclude(Exists(_later()))
            .order_by("end_date", "pk")[:200]
        )
        made = []
        for contract in due:
            with transaction.atomic():
                renewal = _renew(contract, actor=None, tier=None, not_before=None, end_date=None, strict=False)
            if renewal is not None:
                made.append(renewal)
        renewed += made
        if not made:
            return renewed


def reminder_offsets() -> list[int]:
    """Days before the end at which reminders go out, farthest first: as an administrator set them (``Limits``),
    else ``ESS_RENEWAL_REMINDER_DAYS``."""
    return sorted({int(days) for days in Limits.current().renewal_reminder_days if int(days) >= 0}, reverse=True)


def renewal_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Record and send the renewal reminders due today: one row per contract and offset whose day (the end minus
    the offset) has come, for active contracts not yet ended that nothing continues. A run that finds several
    offsets passed for one contract (it was down) mails only the nearest. The rows a concurrent run inserted first
    are its own: this run mails only what it inserted. A fixed number of statements, however many contracts.
    Returns the number of reminders mailed."""
    now = now or timezone.now()
    today = vendor_today(now)
    offsets = reminder_offsets()
    if not offsets:
        return 0
    due = list(
        Contract.objects.filter(
            status=ContractStatus.ACTIVE, end_date__gte=today, end_date__lte=today + dt.timedelta(days=offsets[0])
        )
        .exclude(Exists(_continuation()))
        .values_list("pk", "end_date")
    )
    recorded = set(
        RenewalReminder.objects.filter(contract_id__in=[pk for pk, _ in due]).values_list("contract_id", "days_before")
    )
    run = uuid.uuid4()
    rows = []
    for pk, end_date in due:
        passed = [
            days for days in offsets if end_date - dt.timedelta(days=days) <= today and (pk, days) not in recorded
        ]
        nearest = min(passed, default=None)
        rows += [
            RenewalReminder(contract_id=pk, days_before=d, sent=d == nearest, run=run, created_at=now) for d in passed
        ]
    if not rows:
        return 0
    with transaction.atomic():
        RenewalReminder.objects.bulk_create(rows, ignore_conflicts=True)
        claimed = list(
            RenewalReminder.objects.filter(run=run, sent=True).select_related("contract__account", "contract__tier")
        )
        _mail_reminders(claimed, today)
    return len(claimed)


def _mail_reminders(reminders: list[RenewalReminder], today: dt.date) -> None:
    """Each reminder to the account's TAM, every administrator and, when the account opts in, its customer
    users: four queries and one insert, however many reminders."""
    if not reminders:
        return
    accounts = {reminder.contract.account_id for reminder in reminders}
    tams = {
        assignment.account_id: assignment.primary
        for assignment in TamAssignment.objects.current().filter(account_id__in=accounts).select_related("primary")
    }
    admins = list(User.objects.filter(is_active=True, groups__name=Role.ADMIN.value).distinct())
    contacts = defaultdict(list)
    opted_in = User.objects.filter(
        is_active=True, account_id__in=accounts, account__renewal_notices_to_contacts=True, groups__name=Role.CUSTOMER
    ).distinct()
    for user in opted_in:
        contacts[user.account_id].append(user)
    letters = []
    for reminder in reminders:
        contract = reminder.contract
        staff = {user.pk: user for user in [tams.get(contract.account_id), *admins] if user is not None}
        context = {
            "contract": contract,
            "account": contract.account,
            "days_left": (contract.end_date - today).days,
            "days_before": reminder.days_before,
            "renewal_starts": contract.end_date + dt.timedelta(days=1),
            "notice_by": contract.end_date - dt.timedelta(days=contract.notice_days),
        }
        subject = f"{contract.account.name}: the {contract.tier.name} contract ends on {contract.end_date:%b %-d, %Y}"
        for user in staff.values():
            letters.append((user, subject, "accounts/email/renewal_reminder.txt", {**context, "staff": True}, []))
        for user in contacts.get(contract.account_id, []):
            letters.append((user, subject, "accounts/email/renewal_reminder.txt", context, []))
    email_users_at_once(letters)
