"""A quarter's figures for a set of accounts, asked of each app's selectors in a fixed number of queries whatever
the number of accounts and of TAM absences.

The figures are stored with the report as JSON, so times are kept as ISO 8601 strings (UTC, by the report's field)
and read back into aware datetimes for a page (``revive``)."""

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from accounts.coverage import TamLevelPool, coverage_from
from accounts.models import TamAbsence, TamAssignment
from accounts.quarters import Quarter
from cases.reports import account_quarter_figures
from maintenance.selectors import quarter_credit_figures
from reviews.selectors import quarter_review_figures

from .figures import headline, target_summary

TIME_KEYS = {"at", "starts_at", "ends_at", "held_at"}
PAIR = ("primary", "backup")
PERSON = ("first_name", "last_name", "email", "is_active")  # what naming them and deciding who acts reads


def window(quarter: Quarter) -> tuple[dt.datetime, dt.datetime]:
    """The quarter as instants: from its first local midnight in the vendor zone to the next quarter's."""
    return quarter.starts_at(), quarter.next().starts_at()


def _coverage(account_ids: list[int], first: dt.datetime, last: dt.datetime) -> dict[int, dict]:
    """Per account: its TAM and backup (the pair in force at the quarter's end, else the last one), and each
    absence of a TAM of the account during the quarter with who acted for the account when it began. Five
    queries whatever the number of accounts and absences."""
    result = {pk: {"primary": None, "backup": None, "absences": []} for pk in account_ids}
    pairs = list(
        TamAssignment.objects.filter(account_id__in=account_ids, valid_from__lt=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=first))
        .select_related("primary", "backup")
        .only("account_id", "valid_from", "valid_to", *(f"{who}__{name}" for who in PAIR for name in PERSON))
        .order_by("valid_from")
    )
    for pair in pairs:
        result[pair.account_id].update(primary=pair.primary.display_name, backup=pair.backup.display_name)
    people = {pk for pair in pairs for pk in (pair.primary_id, pair.backup_id)}
    absences = list(
        TamAbsence.objects.scheduled()
        .filter(tam_id__in=people, starts_at__lt=last, ends_at__gt=first)
        .select_related("tam")
        .order_by("starts_at")
    )
    fallbacks: dict = {}
    pool = TamLevelPool(first, last)  # who stands in when both TAMs of a pair are away
    pairs_of = defaultdict(list)  # per TAM, the pairs they are in
    for pair in pairs:
        for person in {pair.primary_id, pair.backup_id}:
            pairs_of[person].append(pair)
    for absence in absences:
        began = max(absence.starts_at, first)
        theirs = pairs_of[absence.tam_id]
        acting = coverage_from(theirs, absences, began, fallbacks, pool)
        days = (min(absence.ends_at, last) - began).total_seconds() / 86400
        for account_id, covering in sorted(acting.items()):
            result[account_id]["absences"].append(
                {
                    "tam": absence.tam.display_name,
                    "starts_at": absence.starts_at,
                    "ends_at": absence.ends_at,
                    "days": round(days, 2),
                    "covered_by": covering.acting.display_name if covering else None,
                }
            )
    return result


def quarter_headlines(account_ids: list[int], quarter: Quarter) -> dict[int, dict]:
    """The headline numbers of ``quarter`` for each account (for the comparison with the quarter after)."""
    return {pk: figures["headline"] for pk, figures in quarter_figures(account_ids, quarter).items()}


def quarter_figures(account_ids: list[int], quarter: Quarter) -> dict[int, dict]:
    """Every figure of the value report of ``quarter`` for each account, with its headline numbers (its times as
    aware datetimes: the report's field keeps them as UTC strings)."""
    first, last = window(quarter)
    credits = quarter_credit_figures(account_ids, first, last)
    cases = account_quarter_figures(account_ids, first, last)
    reviews = quarter_review_figures(account_ids, quarter.start, first, last)
    coverage = _coverage(account_ids, first, last)
    result = {}
    for pk in account_ids:
        credit, case = credits[pk], cases[pk]
        figures = {
            "quarter": quarter.label,
            "events": {
                "held": credit["events"],
                "credits_used": credit["credits_used"],
                "grants": credit["grants"],
                "forfeits": credit["forfeits"],
                "banked_at_start": credit["banked_at_start"],
                "banked_at_end": credit["banked_at_end"],
            },
            "sla": [
                target_summary(
                    name,
                    met=counts["met"],
                    breached=counts["breached"],
                    running=counts["running"],
                    middle=counts["middle"],
                    worst=counts["worst"],
                )
                for name, counts in sorted(case["targets"].items())
            ],
            "cases": {
                "opened": case["opened"],
                "by_severity": dict(sorted(case["by_severity"].items())),
                "by_channel": dict(sorted(case["by_channel"].items())),
            },
            "previews": reviews[pk]["previews"],
            "review": reviews[pk]["review"],
            "coverage": coverage[pk],
        }
        figures["headline"] = headline(figures)
        result[pk] = figures
    return result


def revive(value, key: str = ""):
    """Stored figures with their times as aware datetimes again (for templates)."""
    if isinstance(value, dict):
        return {name: revive(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [revive(item) for item in value]
    if key in TIME_KEYS and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value
