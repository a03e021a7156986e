"""Whether an account has priority support today, kept on the account: a queue of any size orders its cases by it
with a join, instead of looking up the contract in force of every account it reads.

The flag is the rule ``Contract.objects.in_force(on=today)`` with a tier that has priority support. It is set again
by the contract services when they change an account's contracts (``contract_changed``, in their transaction), by
the tier service when a tier changes, and by the SLA job every minute, which catches the days on which a contract
starts or ends. Each refresh is two set-based updates that write only the accounts whose flag is wrong, so a
second or concurrent run changes nothing.
"""

import datetime as dt
from collections.abc import Collection

from django.db import transaction
from django.db.models import Exists, OuterRef

from core.vendor_sql import advisory_xact_lock

from .models import Account, Contract
from .quarters import vendor_today

_REFRESH_LOCK = 0x455353_50


def accounts_priority_refresh(*, account_ids: Collection[int] | None = None, today: dt.date | None = None) -> int:
    """Set each account's ``priority_support_today`` (every account, or those of ``account_ids``) from its
    contract in force on ``today`` (default: the vendor's today). Returns how many flags changed."""
    today = today or vendor_today()
    has = Exists(Contract.objects.in_force(on=today).filter(account=OuterRef("pk"), tier__priority_support=True))
    accounts = Account.objects.all() if account_ids is None else Account.objects.filter(pk__in=list(account_ids))
    with transaction.atomic():
        advisory_xact_lock(_REFRESH_LOCK)  # two refreshes never write the same rows in another order
        on = accounts.filter(priority_support_today=False).filter(has).update(priority_support_today=True)
        off = accounts.filter(priority_support_today=True).exclude(has).update(priority_support_today=False)
    return on + off


def on_contract_changed(sender, account: Account, **kwargs) -> None:
    accounts_priority_refresh(account_ids=[account.pk])
