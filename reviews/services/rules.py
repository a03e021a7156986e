"""Who may do what with releases, previews and reviews: each decision written once, as a rule.

``rule(user, target)`` answers yes or no: a page offers an action by it (``PageAction(may=...)``). The service
calls ``rule.require(actor, target)`` first thing, which refuses with ``NotAllowed`` and the rule's message (403 on
a page and in the API). A page or API view may ask the same rule before it reads the input, so that a user the
service would refuse gets that 403 whatever they sent.
"""

from typing import Any

from accounts.models import User
from core.permissions import Rule

__all__ = [
    "may_change_preview",
    "may_decline_preview",
    "may_hold_preview",
    "may_manage_releases",
    "may_plan_preview",
    "may_record_modules",
    "may_work_on_review",
]


def _vendor_staff(user: User, target: Any) -> bool:
    return user.is_vendor_staff


def _does_tams_work(user: User, target: Any) -> bool:
    """TAMs, TAM-level resources and admins (``User.acts_as_tam``)."""
    return user.acts_as_tam


def _own_customer_or_tam(user: User, preview) -> bool:
    return user.acts_as_tam or (user.is_customer_user and user.account_id == preview.account_id)


# Releases are the vendor's catalogue: any vendor staff writes them, every customer reads the published ones.
may_manage_releases = Rule(_vendor_staff, "Only vendor staff add and change releases.")
# Previews: a TAM plans, changes and holds them for any Enterprise account; the customer (or a TAM) declines.
may_record_modules = Rule(_does_tams_work, "Only TAMs record the modules an account uses.")
may_plan_preview = Rule(_does_tams_work, "Only TAMs plan release previews.")
may_change_preview = Rule(_does_tams_work, "Only TAMs change release previews.")
may_hold_preview = Rule(_does_tams_work, "Only TAMs record a preview as held.")
may_decline_preview = Rule(_own_customer_or_tam, "Only the customer, or a TAM for them, declines a preview.")
# Proactive reviews: a TAM schedules, writes up, holds and publishes them; customers read published reports.
may_work_on_review = Rule(_does_tams_work, "Only TAMs work on proactive reviews.")
