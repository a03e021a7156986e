from django.db import models


class ValueReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A customer user their own account's reports; a TAM those of the accounts they own (primary or backup);
        an administrator all; anyone else none."""
        from accounts.models import Account

        if not user.is_authenticated:
            return self.none()
        if user.is_portal_admin:
            return self
        if user.is_customer_user:
            return self.filter(account_id=user.account_id)
        if user.is_tam:
            return self.filter(account__in=Account.objects.owned_by(user).values("pk"))
        return self.none()
