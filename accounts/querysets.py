"""Reads, scoped once: every page, API view and export starts from these."""

import datetime as dt

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q

from core.querysets import AccountOwnedQuerySet


class ConfigurationQuerySet(models.QuerySet):
    """Vendor configuration (tiers, support calendars): every signed-in user may read it."""

    def visible_to(self, user):
        return self if user.is_authenticated else self.none()


class BusinessCalendarQuerySet(ConfigurationQuerySet):
    def visible_to(self, user):
        """Staff see every calendar; a customer the tiers' support hours and their own account's calendar."""
        if not user.is_authenticated:
            return self.none()
        if user.is_vendor_staff:
            return self
        if user.is_customer_user:
            return self.filter(Q(tiers__isnull=False) | Q(accounts=user.account_id)).distinct()
        return self.none()


class AccountQuerySet(AccountOwnedQuerySet):
    """Vendor staff see every account; a customer user only their own; anyone else none."""

    account_path = "pk"

    def with_coverage(self, day: dt.date):
        """Prefetch the contract in force on ``day`` (with its tier) and the current TAM pair: two queries for
        any number of accounts. Read them with ``Account.contract_today`` and ``Account.assignment``."""
        from .models import Contract, TamAssignment

        return self.prefetch_related(
            Prefetch(
                "contracts",
                queryset=Contract.objects.in_force(on=day).select_related("tier", "tier__support_calendar"),
                to_attr="contracts_on_day",
            ),
            Prefetch(
                "tam_assignments",
                queryset=TamAssignment.objects.current().select_related("primary", "backup"),
                to_attr="current_assignments",
            ),
        )

    def with_tier_name(self, day: dt.date):
        """Annotate ``tier_name``, the tier of the contract in force on ``day`` (None without one), in the same
        query: for long lists that show the tier and nothing else of ``with_coverage``."""
        from .models import Contract

        in_force = Contract.objects.in_force(on=day).filter(account=OuterRef("pk")).order_by("-start_date")
        return self.annotate(tier_name=models.Subquery(in_force.values("tier__name")[:1]))

    def managed_by(self, user):
        """Accounts whose customer users this person may invite: admins all, TAMs their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self
        if user.is_tam:
            return self.owned_by(user)
        return self.none()

    def owned_by(self, user):
        """Accounts where the user is the current primary or backup TAM."""
        from .models import TamAssignment

        current = TamAssignment.objects.current().filter(Q(primary=user) | Q(backup=user))
        return self.filter(Exists(current.filter(account=OuterRef("pk"))))


class ContractQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Account

        return self.filter(account__in=Account.objects.visible_to(user).values("pk"))

    def in_force(self, *, on: dt.date):
        """Contracts that give their account a tier on the day ``on``."""
        return self.in_force_during(on, on)

    def in_force_during(self, first: dt.date, last: dt.date):
        """Contracts in force on at least one day from ``first`` to ``last`` (both included)."""
        return self.filter(status="active", start_date__lte=last).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=first)
        )


class TamAssignmentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(valid_to__isnull=True)


class TamAbsenceQuerySet(models.QuerySet):
    def scheduled(self):
        return self.filter(cancelled_at__isnull=True)

    def covering(self, at: dt.datetime):
        """Absences in force at the moment ``at``."""
        return self.scheduled().filter(starts_at__lte=at, ends_at__gt=at)

    def not_over(self, now: dt.datetime):
        return self.scheduled().filter(ends_at__gt=now)

    def managed_by(self, user):
        """The absences ``user`` keeps: anyone's for an admin, else their own (accounts.absences has the rule)."""
        if user.is_portal_admin:
            return self
        return self.filter(tam=user) if user.acts_as_tam else self.none()

    def visible_to(self, user):
        """Staff see every absence; a customer user those of their own account's TAMs."""
        if not user.is_authenticated:
            return self.none()
        if user.is_vendor_staff:
            return self
        if user.is_customer_user:
            from .models import TamAssignment

            tams = TamAssignment.objects.current().filter(account_id=user.account_id)
            return self.filter(Q(tam__in=tams.values("primary")) | Q(tam__in=tams.values("backup")))
        return self.none()
