"""Contracts: an account's tier over a span of days. Only administrators change them, after entering their password
recently (every route: the configuration site, the API).

At most one active contract covers an account on any day: the services refuse an overlap with a message, and the
database's exclusion constraint holds the rule against two writers at once.
"""

import datetime as dt

from django.db import IntegrityError, transaction

from core.authentication import privileged
from core.errors import Conflict, DomainError
from core.permissions import require

from .models import Account, Contract, ContractStatus, TamAssignment, Tier, User
from .signals import contract_changed
from .states import CONTRACT_STATES

CONTRACTS_ADMIN_ONLY = "Only administrators change contracts."


def may_manage_contracts(user: User | None) -> bool:
    """Admins (and the system) create, end, cancel and re-tier contracts."""
    return user is None or user.is_portal_admin


def require_may_manage_contracts(user: User | None) -> None:
    require(may_manage_contracts(user), CONTRACTS_ADMIN_ONLY)


def _lock_contracts_of(account: Account) -> None:
    """Writers of one account's contracts take turns: two inserts that clash on the exclusion constraint at
    once would otherwise wait for each other, and PostgreSQL aborts one as a deadlock instead of refusing it."""
    list(Account.objects.select_for_update().filter(pk=account.pk).values_list("pk", flat=True))


def _check_no_overlap(*, account: Account, start_date: dt.date, end_date: dt.date | None, exclude_pk=None) -> None:
    # an open-ended contract is in force on every day from its start
    overlapping = Contract.objects.filter(account=account).in_force_during(start_date, end_date or dt.date.max)
    clash = overlapping.exclude(pk=exclude_pk).first()
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
        raise Conflict("The account already has an active contract on those days.", field="start_date") from error
    return contract


@privileged
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
    require_may_manage_contracts(actor)
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


def _locked(contract: Contract) -> Contract:
    """The contract as the database has it, held until the transaction ends: a change is checked against what is
    stored, not against an object a form or a concurrent request has been changing. The caller's object gets the
    change too."""
    return Contract.objects.select_for_update().select_related("account").get(pk=contract.pk)


@privileged
def contract_end(*, actor: User | None, contract: Contract, end_date: dt.date | None) -> Contract:
    """End a contract on a day (the last day it covers); ending never extends it, nor removes an end."""
    require_may_manage_contracts(actor)
    if end_date is None:
        raise DomainError("An end date cannot be removed; create a new contract instead.", field="end_date")
    with transaction.atomic():
        given, contract = contract, _locked(contract)
        if contract.status != ContractStatus.ACTIVE:
            raise DomainError("Only an active contract can be ended.", field="end_date")
        if end_date < contract.start_date:
            raise DomainError("A contract ends on or after the day it starts; cancel it instead.", field="end_date")
        if contract.end_date is not None and end_date > contract.end_date:
            raise DomainError("Ending a contract cannot extend it.", field="end_date")
        contract.end_date = given.end_date = end_date
        contract.save(update_fields=["end_date"])
        contract_changed.send(sender=Contract, account=contract.account, contract=contract, actor=actor)
    return contract


@privileged
def contract_cancel(*, actor: User | None, contract: Contract) -> Contract:
    """Withdraw a contract entered in error; it no longer counts on any day. History is kept."""
    require_may_manage_contracts(actor)
    with transaction.atomic():
        given, contract = contract, _locked(contract)
        CONTRACT_STATES.move(contract, ContractStatus.CANCELLED)
        given.status = contract.status
        contract.save(update_fields=["status"])
        contract_changed.send(sender=Contract, account=contract.account, contract=contract, actor=actor)
    return contract


@privileged
def contract_change_tier(*, actor: User | None, account: Account, tier: Tier, from_date: dt.date) -> Contract:
    """Move an account to another tier from a date: the contract covering the day before ends then, and a
    new contract on the new tier starts that day and runs as long as the old one would have."""
    require_may_manage_contracts(actor)
    with transaction.atomic():
        _lock_contracts_of(account)
        current = Contract.objects.select_for_update().in_force(on=from_date).filter(account=account).first()
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
