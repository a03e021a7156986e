"""Read scoping shapes, written once."""

from django.db import models


class AccountOwnedQuerySet(models.QuerySet):
    """Rows that belong to a customer account: vendor staff see all, a customer user their own account's (those of
    them ``customer_sees`` names, e.g. only the published ones), anyone else nothing. A model names the path to its
    account in ``account_path`` (default ``account``; ``pk`` for the account itself)."""

    account_path = "account"
    customer_sees: dict = {}

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_vendor_staff:
            return self
        if user.is_customer_user:
            return self.filter(**{self.account_path: user.account_id}, **self.customer_sees)
        return self.none()
