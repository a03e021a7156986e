from django.db import models


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Vendor staff see every account; a customer user only their own; anyone else none."""
        if not user.is_authenticated:
            return self.none()
        if user.is_vendor_staff:
            return self
        if user.is_customer_user:
            return self.filter(pk=user.account_id)
        return self.none()

    def managed_by(self, user):
        """Accounts whose customer users this person may invite: admins all, TAMs their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self
        if user.is_tam:
            return self.owned_by_tam(user)
        return self.none()

    def owned_by_tam(self, user):
        return self
