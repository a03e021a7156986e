"""P13: the daily renewal reminders and the quarterly credit job with 100,000 more contracts vs 1,000. Each added
account holds an Enterprise contract that ends 85 days after today (so the 90-day reminder is due) with two credits
banked; the vendor's administrators get a verified address, so each reminder is written as mail. Both jobs run
set-based: their statement counts must not grow with the contracts, and their time at most in proportion (100 times
the contracts, at most 100 times the time). Everything is written inside transactions rolled back."""

import datetime as dt
import time

from allauth.account.models import EmailAddress
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Tier, User
from accounts.quarters import Quarter, vendor_today
from accounts.renewals import renewal_reminders_send
from accounts.roles import Role
from bench.measure.rollover import rollover_accounts
from maintenance.credits import quarter_roll_over

ENDS_IN_DAYS = 85


def _add_contracts(count: int, quarter: Quarter) -> None:
    rollover_accounts(count, Tier.objects.get(name="Enterprise"), quarter)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # synthetic rows: no audit trail
        cursor.execute(
            "UPDATE accounts_contract SET end_date = %s "
            "WHERE account_id IN (SELECT id FROM accounts_account WHERE slug LIKE 'rollover-%%')",
            [vendor_today() + dt.timedelta(days=ENDS_IN_DAYS)],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("ANALYZE accounts_contract")


def _admins_reachable() -> None:
    for admin in User.objects.filter(is_active=True, groups__name=Role.ADMIN.value).distinct():
        EmailAddress.objects.update_or_create(
            user=admin, email=admin.email, defaults={"verified": True, "primary": True}
        )


def _jobs(count: int, repeat: int) -> dict:
    """Both jobs with ``count`` contracts added: the best time of ``repeat`` runs, and the statements of one."""
    quarter = Quarter.of(vendor_today()).next()
    figures = {"reminders_ms": [], "quarter_ms": []}
    with transaction.atomic():
        _admins_reachable()
        _add_contracts(count, quarter)
        for attempt in range(repeat + 1):  # the first run warms up and counts the statements
            with transaction.atomic():
                with CaptureQueriesContext(connection) as reminders:
                    began = time.perf_counter()
                    mailed = renewal_reminders_send()
                    reminders_s = time.perf_counter() - began
                with CaptureQueriesContext(connection) as credits:
                    began = time.perf_counter()
                    rolled = quarter_roll_over(as_of=quarter.start, since=quarter)
                    quarter_s = time.perf_counter() - began
                transaction.set_rollback(True)
            if attempt == 0:
                figures.update(
                    reminders_statements=len(reminders.captured_queries),
                    quarter_statements=len(credits.captured_queries),
                    mailed=mailed,
                    granted=rolled.granted,
                )
            else:
                figures["reminders_ms"].append(reminders_s * 1000)
                figures["quarter_ms"].append(quarter_s * 1000)
        transaction.set_rollback(True)
    figures["reminders_ms"] = min(figures["reminders_ms"])
    figures["quarter_ms"] = min(figures["quarter_ms"])
    return figures


def p13_growth(large: int, small: int, repeat: int) -> dict:
    return {"large": large, "small": small, "subject": _jobs(large, repeat), "baseline": _jobs(small, repeat)}
