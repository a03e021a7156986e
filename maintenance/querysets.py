from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from accounts.models import Account
from core.querysets import AccountOwnedQuerySet


class CreditEntryQuerySet(AccountOwnedQuerySet):
    def update(self, **kwargs):
        raise TypeError("Ledger rows are never updated.")

    def delete(self):
        raise TypeError("Ledger rows are never deleted.")

    def balance(self) -> tuple[int, int]:
        """(available, reserved) over these rows, in one query."""
        totals = self.aggregate(
            available=Coalesce(Sum("available_delta"), 0), reserved=Coalesce(Sum("reserved_delta"), 0)
        )
        return totals["available"], totals["reserved"]


def with_credit_balance(accounts: models.QuerySet) -> models.QuerySet:
    """Annotate accounts with ``events_available`` and ``events_reserved`` (one query for any number)."""
    from django.db.models import OuterRef, Subquery

    from .models import CreditEntry

    sums = CreditEntry.objects.filter(account=OuterRef("pk")).order_by().values("account")
    return accounts.annotate(
        events_available=Coalesce(Subquery(sums.annotate(total=Sum("available_delta")).values("total")), 0),
        events_reserved=Coalesce(Subquery(sums.annotate(total=Sum("reserved_delta")).values("total")), 0),
    )


class MaintenanceEventQuerySet(AccountOwnedQuerySet):
    """``visible_to(user)``: staff see every event, a customer user their own account's."""

    def busy(self):
        return self.filter(status__in=["requested", "confirmed"])

    def overlapping(self, starts_at, ends_at):
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)

    def for_tam(self, user):
        """Events the TAM performs or whose account they own."""
        owned = Account.objects.owned_by(user).values("pk")
        return self.filter(Q(performing_tam=user) | Q(account__in=owned))
