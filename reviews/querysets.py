"""Reads, scoped once: every page, API view and selector starts from these."""

from django.db import models

from core.querysets import AccountOwnedQuerySet


class ReleaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every release, drafts included; everyone else signed in the published ones."""
        if not user.is_authenticated:
            return self.none()
        if user.is_vendor_staff:
            return self
        return self.filter(published=True)

    def published(self):
        return self.filter(published=True)

    def by_version(self):
        """Newest version first, compared as numbers (10.10.0 after 10.9.3)."""
        return self.order_by("product", "-major", "-minor", "-patch")


class ReleaseItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Release

        return self.filter(release__in=Release.objects.visible_to(user).values("pk"))


class PreviewSessionQuerySet(AccountOwnedQuerySet):
    """Staff see every preview; a customer user those of their own account, of published releases."""

    customer_sees = {"release__published": True}


class ProactiveReviewQuerySet(AccountOwnedQuerySet):
    """Staff see every review; a customer user the published reviews of their own account."""

    customer_sees = {"status": "published"}

    def unpublished(self):
        return self.exclude(status="published")

    def overdue(self, today):
        """Past their due date and not published."""
        return self.unpublished().filter(due_date__lt=today)


class ReviewPartQuerySet(models.QuerySet):
    """Findings, inventory rows and recommendations: seen with their review."""

    def visible_to(self, user):
        from .models import ProactiveReview

        return self.filter(review__in=ProactiveReview.objects.visible_to(user).values("pk"))
