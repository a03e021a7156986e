"""Every write of credits and maintenance events, and every decision about who may make it, by aggregate:

- ``ledger``: an account's balance, settlements of an event's credit, an administrator's adjustment;
- ``credits``: the quarterly grants, the bank cap and forfeits, set-based for every account at once;
- ``booking``: the slot rules (the live check and the booking ask the same function) and ``event_book``;
- ``lifecycle``: confirm, propose, accept, complete, no-show and cancel, with one predicate per action;
- ``staffing``: the performing TAM follows coverage (absences, new TAMs), or the event is flagged;
- ``feeds``: private calendar feeds.

This module names them in one place for the views, the API, the admin and other apps.
"""

from .booking import (
    BOOKING_HORIZON,
    authorize_booking,
    event_book,
    may_book,
    performer_for,
    slot_problems,
)
from .credits import account_sync_credits, quarter_roll_over
from .feeds import feed_get_or_create, feed_replace, feed_revoke, live_feed, may_have_feed
from .ledger import Balance, account_balance, credit_adjust, may_adjust_credits, next_grant_date
from .lifecycle import (
    CancellationTerms,
    authorize,
    cancellation_terms,
    event_accept_proposal,
    event_cancel,
    event_complete,
    event_confirm,
    event_mark_no_show,
    event_propose,
    may_accept,
    may_cancel,
    may_cancel_for_vendor,
    may_complete,
    may_confirm,
    may_mark_no_show,
    may_propose,
)
from .staffing import events_follow_coverage

__all__ = [
    "BOOKING_HORIZON",
    "Balance",
    "CancellationTerms",
    "account_balance",
    "account_sync_credits",
    "authorize",
    "authorize_booking",
    "cancellation_terms",
    "credit_adjust",
    "event_accept_proposal",
    "event_book",
    "event_cancel",
    "event_complete",
    "event_confirm",
    "event_mark_no_show",
    "event_propose",
    "events_follow_coverage",
    "feed_get_or_create",
    "feed_replace",
    "feed_revoke",
    "live_feed",
    "may_accept",
    "may_adjust_credits",
    "may_book",
    "may_cancel",
    "may_cancel_for_vendor",
    "may_complete",
    "may_confirm",
    "may_have_feed",
    "may_mark_no_show",
    "may_propose",
    "next_grant_date",
    "performer_for",
    "quarter_roll_over",
    "slot_problems",
]
