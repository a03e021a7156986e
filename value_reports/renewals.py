"""The renewals list: contracts ending soon, with what a lapse would put at stake, asked of each app. A fixed number
of queries whatever the number of contracts: the contracts (one), the credits banked, the open cases, this
quarter's SLA compliance and the TAMs (one each)."""

import csv
import datetime as dt
import io
from dataclasses import dataclass

from accounts.models import Contract, TamAssignment, Tier, User
from accounts.quarters import Quarter
from accounts.renewals import contracts_ending
from cases.reports import compliance_by_account, open_case_counts
from maintenance.selectors import balances


@dataclass
class RenewalRow:
    contract: Contract
    state: str
    banked: int  # credits available now, which a lapse forfeits
    reserved: int  # credits held by booked events
    open_cases: int
    compliance: float | None  # this quarter's share of SLA clocks met on time
    tam: User | None

    today: dt.date = dt.date.min

    @property
    def days_left(self) -> int:
        return (self.contract.end_date - self.today).days

    @property
    def days_ago(self) -> int:
        return -self.days_left


def renewal_rows(
    *, today: dt.date, days: int = 90, state: str = "", tier: Tier | None = None, tam: User | None = None
) -> list[RenewalRow]:
    contracts = contracts_ending(today=today, days_ahead=days, state=state, tier=tier, tam=tam)
    if not contracts:
        return []
    accounts = list({contract.account_id: contract.account for contract in contracts}.values())
    ids = [account.pk for account in accounts]
    banked = balances(accounts)
    cases = open_case_counts(ids)
    quarter = Quarter.of(today)
    compliance = compliance_by_account(ids, quarter.start, today)
    tams = {
        pair.account_id: pair.primary
        for pair in TamAssignment.objects.current().filter(account_id__in=ids).select_related("primary")
    }
    return [
        RenewalRow(
            contract=contract,
            state=contract.state,
            banked=banked[contract.account_id].available,
            reserved=banked[contract.account_id].reserved,
            open_cases=cases.get(contract.account_id, 0),
            compliance=compliance.get(contract.account_id),
            tam=tams.get(contract.account_id),
            today=today,
        )
        for contract in contracts
    ]


CSV_COLUMNS = [
    "account",
    "tier",
    "start",
    "end",
    "days left",
    "state",
    "renews automatically",
    "notice days",
    "credits banked",
    "credits booked",
    "open cases",
    "SLA met this quarter (%)",
    "TAM",
]


def renewals_csv(rows: list[RenewalRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        contract = row.contract
        writer.writerow(
            [
                _cell(contract.account.name),
                contract.tier.name,
                f"{contract.start_date:%Y-%m-%d}",
                f"{contract.end_date:%Y-%m-%d}",
                row.days_left,
                row.state,
                "yes" if contract.renews_automatically else "no",
                contract.notice_days,
                row.banked,
                row.reserved,
                row.open_cases,
                "" if row.compliance is None else row.compliance,
                _cell(row.tam.display_name) if row.tam else "",
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet never reads a name as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
