import datetime as dt
import zoneinfo

import pytest

from cases.chaser import sla_chase
from cases.reports import compliance, quarter_compliance
from cases.services import case_open, case_reply

DENVER = zoneinfo.ZoneInfo("America/Denver")


pytestmark = pytest.mark.time_machine(dt.datetime(2026, 12, 14, 12, tzinfo=DENVER), tick=False)


def test_compliance_counts_met_and_breached_per_target_and_month(ess, alice, support):
    on_time = case_open(
        actor=alice,
        account=ess,
        subject="a",
        description="",
        channel="portal",
        severity=2,
        at=dt.datetime(2026, 12, 1, 9, tzinfo=DENVER),
    )
    case_reply(actor=support, case=on_time, body="on it", at=dt.datetime(2026, 12, 1, 10, tzinfo=DENVER))
    case_open(
        actor=alice,
        account=ess,
        subject="b",
        description="",
        channel="portal",
        severity=2,
        at=dt.datetime(2026, 12, 2, 9, tzinfo=DENVER),
    )
    sla_chase(now=dt.datetime(2026, 12, 2, 12, tzinfo=DENVER))
    rows = {r.target: r for r in compliance(dt.date(2026, 12, 1), dt.date(2026, 12, 31))}
    first = rows["First response, severity 2"]
    assert (first.month, first.tier, first.met, first.breached, first.percent) == (
        dt.date(2026, 12, 1),
        "Enterprise",
        1,
        1,
        50.0,
    )
    assert quarter_compliance(dt.date(2026, 12, 14)) == 50.0


def test_the_report_page_is_for_staff(client_for, ess, alice, support):
    assert client_for(alice).get("/cases/compliance/").status_code == 403
    page = client_for(support).get("/cases/compliance/")
    assert page.status_code == 200
    assert "SLA compliance" in page.content.decode()
