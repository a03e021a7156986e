from django.db import models
from django.db.models import Exists, OuterRef

from core.querysets import AccountOwnedQuerySet

# The queue's order: earliest deadline first (none last), then priority support, severity and age; the case's number
# last, so that the order is total and a page never repeats or skips a case opened in the same instant as another.
# The cases of one account (a customer's) are all of one priority: their order leaves it out, and an index then
# gives it as it is. ``queue_order`` sorts a queryset by these keys; the API's list statement (cases/queue.py)
# writes the same keys.
QUEUE_ORDER = (
    models.F("next_due").asc(nulls_last=True),
    models.F("priority").desc(),
    models.F("severity").asc(),
    models.F("created_at").asc(),
    models.F("id").asc(),
)


def queue_keys(*, one_account: bool = False) -> list[models.OrderBy]:
    return [key for key in QUEUE_ORDER if not (one_account and key.expression.name == "priority")]


class CaseQuerySet(AccountOwnedQuerySet):
    """Staff see every case; a customer user their own account's."""

    def open(self):
        return self.filter(status__in=["new", "open", "waiting", "escalated"])

    def with_urgency(self, *, customer_view: bool = False, breached: bool = True):
        """Annotate ``next_due`` (the earliest deadline of a clock not yet met: a missed one sorts a breached case
        first; the database keeps it in a column, cases/urgency.py) and ``priority`` (the account has priority
        support today, kept on the account: accounts/priority.py), the queue's two sort keys, and ``breached``
        (unless a list shows no such flag), in the same query."""
        from .models import Milestone

        cases = self.annotate(
            next_due=models.F("due_next_customer" if customer_view else "due_next"),
            priority=models.F("account__priority_support_today"),
        )
        if not breached:
            return cases
        clocks = Milestone.objects.customer_facing() if customer_view else Milestone.objects.all()
        return cases.annotate(
            breached=Exists(clocks.filter(case=OuterRef("pk"), breached_at__isnull=False, met_at__isnull=True))
        )

    def queue_order(self, *, one_account: bool = False):
        """The queue's order (``QUEUE_ORDER``), over cases annotated ``with_urgency``."""
        return self.order_by(*queue_keys(one_account=one_account))


class CaseEntryQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public=True)

    def for_viewer(self, user):
        """Staff read the whole timeline; customers only its public lines."""
        return self if user.is_vendor_staff else self.public()


class MilestoneQuerySet(models.QuerySet):
    def customer_facing(self):
        """The case's own clocks (first response, resolution), not those of internal calls or escalations."""
        return self.filter(escalation__isnull=True, contact__isnull=True)

    def for_viewer(self, user):
        return self if user.is_vendor_staff else self.customer_facing()

    def running(self):
        return self.filter(met_at__isnull=True, breached_at__isnull=True)

    def visible_to(self, user):
        from .models import Case

        return self.filter(case__in=Case.objects.visible_to(user).values("pk"))


class EscalationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(acknowledged_at__isnull=True, superseded_at__isnull=True)

    def visible_to(self, user):
        if not user.is_authenticated or not user.is_vendor_staff:
            return self.none()
        return self
