"""One account's credits, row by row: the balance, the lock every credit movement takes, the settlement of an
event's credit (used, or released within the bank) and an administrator's adjustment. The quarterly grants and
forfeits of every account at once are set-based SQL in ``credits.py``."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, User
from accounts.quarters import Quarter, vendor_today
from accounts.selectors import contract_in_force
from core.authentication import privileged
from core.errors import DomainError
from core.permissions import require

from .models import CreditBalance, CreditEntry, CreditKind, ForfeitCause, MaintenanceEvent


@dataclass(frozen=True)
class Balance:
    available: int
    reserved: int


def account_balance(account: Account) -> Balance:
    """The account's credits: the sums of its ledger, as the database keeps them (one row)."""
    balance = CreditBalance.objects.filter(account=account).values_list("available", "reserved").first()
    return Balance(*balance) if balance else Balance(0, 0)


def next_grant_date(account: Account, today: dt.date | None = None) -> dt.date | None:
    """The next quarter start on which the account's contract grants events, if any."""
    today = today or vendor_today()
    following = Quarter.of(today).next().start
    contract = contract_in_force(account, following)
    return following if contract and contract.tier.events_per_quarter > 0 else None


def next_credit_message(account: Account) -> str:
    following = next_grant_date(account)
    if following is None:
        return "No event credit is available, and none is due under the current contract."
    return f"No event credit is available. The next credit arrives on {following:%b %-d, %Y}."


def ledger_add(account: Account, kind: CreditKind, available: int, reserved: int = 0, **fields) -> CreditEntry:
    """Append one row to the account's ledger (the database adds it to the balance)."""
    return CreditEntry.objects.create(
        account=account,
        kind=kind,
        available_delta=available,
        reserved_delta=reserved,
        created_at=timezone.now(),
        **fields,
    )


def lock_account(account: Account) -> Account:
    """Serialise every credit movement of one account (bookings, settlements, the quarterly job)."""
    return Account.objects.select_for_update().get(pk=account.pk)


def bank_cap_on(account: Account, day: dt.date) -> int:
    """The most credits the account may hold on ``day`` (none without a contract)."""
    contract = contract_in_force(account, day)
    return contract.tier.bank_cap if contract else 0


def release_would_overflow(account: Account, now: dt.datetime) -> bool:
    """Whether a released credit would take the account over its bank, so that it is forfeited at once."""
    return account_balance(account).available + 1 > bank_cap_on(account, vendor_today(now))


def credit_release(event: MaintenanceEvent, *, actor: User | None, now: dt.datetime) -> bool:
    """Give the event's reserved credit back; over the bank it is forfeited at once. Returns whether it was."""
    overflow = release_would_overflow(event.account, now)
    ledger_add(event.account, CreditKind.RELEASE, 1, -1, event=event, actor=actor)
    if overflow:
        ledger_add(
            event.account,
            CreditKind.FORFEIT,
            -1,
            cause=ForfeitCause.RELEASE_OVER_CAP,
            event=event,
            reason="Released credit over the bank limit",
        )
    return overflow


def credit_consume(event: MaintenanceEvent, *, actor: User | None) -> None:
    """The event's reserved credit is used."""
    ledger_add(event.account, CreditKind.CONSUME, 0, -1, event=event, actor=actor)


def may_adjust_credits(user: User) -> bool:
    return user.is_authenticated and user.is_portal_admin


@privileged
def credit_adjust(*, actor: User, account: Account, amount: int, reason: str) -> CreditEntry:
    """An administrator corrects an account's available credits, with a reason. The balance never goes below
    zero."""
    require(may_adjust_credits(actor), "Only administrators adjust credits.")
    if not amount:
        raise DomainError("An adjustment adds or removes at least one credit.", field="amount")
    if not reason.strip():
        raise DomainError("Say why the credits are adjusted.", field="reason")
    with transaction.atomic():
        lock_account(account)
        if account_balance(account).available + amount < 0:
            raise DomainError("This would leave fewer than zero credits available.", field="amount")
        return ledger_add(account, CreditKind.ADJUSTMENT, amount, reason=reason.strip()[:300], actor=actor)
