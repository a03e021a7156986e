"""Read scoping shapes, written once."""

from django.db import models


class AccountOwnedQuerySet(models.QuerySet):
    """Rows that belong to a customer account: vendor staff see all, a customer user their own account's,
    anyone else nothing. A model names the path to its account in ``account_path`` (default ``account``)."""

    account_path = "account"

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_vendor_staff:
            return self
        if user.is_customer_user:
            return self.filter(**{self.account_path: user.account_id})
        return self.none()
