"""The value report pages and the renewals pages: who reads what (a customer their own account's, a TAM the
accounts they own, an administrator all; another account's report is a 404 like a missing one), the PDF of the same
page, the renewals list with what is at stake, its filters and CSV export, in a fixed number of queries."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from accounts.models import Contract
from accounts.services import contract_create, contract_end, coverage_assign
from tests.factories import AccountFactory, UserFactory, tier
from value_reports.display import report_context
from value_reports.generation import reports_generate
from value_reports.models import ValueReport

from .conftest import ON_THE_FIXED_CLOCK

pytestmark = ON_THE_FIXED_CLOCK


@pytest.fixture
def report(quarter):
    reports_generate()
    return ValueReport.objects.get(account=quarter)


def test_the_customer_reads_their_report_and_its_pdf(report, alice, client_for):
    client = client_for(alice)
    listing = client.get("/value-reports/").content.decode()
    assert f'href="/value-reports/{report.pk}/"' in listing
    page = client.get(f"/value-reports/{report.pk}/").content.decode()
    for text in ("ESS value report · Q2 2026", "Disk 91% full", "Bianca Backup covered", "60.0", "KwikTag 10.2.1"):
        assert text in page, text
    pdf = client.get(f"/value-reports/{report.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'inline; filename="ess-value-report-acme-2026-q2.pdf"'
    assert pdf.content[:5] == b"%PDF-" and len(pdf.content) > 5_000


def test_the_pdf_is_the_same_page(report):
    printed = render_to_string("value_reports/report_pdf.html", {**report_context(report), "zone": "UTC"})
    page = render_to_string("value_reports/partials/report_body.html", report_context(report))
    assert page in printed


def test_another_account_s_report_is_not_found(report, bob, client_for):
    client = client_for(bob)
    assert client.get(f"/value-reports/{report.pk}/").status_code == 404
    assert client.get(f"/value-reports/{report.pk}/pdf/").status_code == 404
    assert client.get("/api/v1/value-reports/").json()["results"] == []
    assert client.get(f"/api/v1/value-reports/{report.pk}/").status_code == 404


def test_a_tam_reads_the_reports_of_the_accounts_they_own(report, tam, client_for):
    other_tam = UserFactory(email="other.tam@ess.example", roles=["TAM"])
    assert client_for(tam).get(f"/value-reports/{report.pk}/").status_code == 200
    assert client_for(other_tam).get(f"/value-reports/{report.pk}/").status_code == 404
    body = client_for(tam).get("/api/v1/value-reports/").json()
    assert [row["account"] for row in body["results"]] == ["acme"]
    assert body["results"][0]["figures"]["headline"]["cases_opened"] == 4


def test_support_staff_are_told_the_reports_are_not_theirs(report, support, client_for):
    client = client_for(support)
    response = client.get("/value-reports/")
    assert response.status_code == 403
    assert "The value reports are for the account&#x27;s own users" in response.content.decode()
    assert client.get("/api/v1/value-reports/").status_code == 403


def test_an_admin_reads_every_report(report, admin_user, client_for):
    assert client_for(admin_user).get(f"/value-reports/{report.pk}/").status_code == 200


# --- Renewals --------------------------------------------------------------------------------------------------


def _ending_accounts(count, tam, backup):
    for n in range(count):
        account = AccountFactory(name=f"Renewing {n:02d}", slug=f"renewing-{n:02d}")
        coverage_assign(actor=None, account=account, primary=tam, backup=backup)
        contract_create(
            actor=None,
            account=account,
            tier=tier("Enterprise"),
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2026, 7, 20) + dt.timedelta(days=n),
        )


@pytest.fixture
def renewals(quarter, standard, tam, backup_tam):
    contract_end(actor=None, contract=Contract.objects.get(account=quarter), end_date=dt.date(2026, 8, 31))
    return quarter


def test_the_renewals_page_shows_what_is_at_stake(renewals, admin_user, client_for):
    page = client_for(admin_user).get("/renewals/").content.decode()
    row = page[page.index("Acme Manufacturing") :]
    row = row[: row.index("</tr>")]
    assert "Aug 31, 2026" in row and "in 60 days" in row
    assert "renewal due" in row
    assert "<td>2</td>" in row  # credits banked, which a lapse forfeits
    assert "<td>6</td>" in row  # open cases (every case of the quarter is still open)
    assert "Terry Tamsin" in row
    assert "Globex" not in page  # open-ended: not ending


def test_the_filters_and_the_csv(renewals, admin_user, tam, backup_tam, client_for):
    _ending_accounts(3, backup_tam, tam)
    client = client_for(admin_user)
    assert client.get("/renewals/?state=lapsed").content.decode().count("Renewing") == 0
    assert client.get("/renewals/?days=20").content.decode().count("Renewing") == 3
    assert "Acme" not in client.get("/renewals/?days=20").content.decode()
    assert client.get(f"/renewals/?tam={backup_tam.pk}").content.decode().count("Renewing") == 3
    export = client.get("/renewals/export.csv?days=90")
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:6] == ["account", "tier", "start", "end", "days left", "state"]
    assert [row[0] for row in rows[1:]] == ["Renewing 00", "Renewing 01", "Renewing 02", "Acme Manufacturing"]
    assert rows[-1][5:11] == ["renewal due", "no", "90", "2", "0", "6"]
    api = client.get("/api/v1/renewals/?days=20").json()
    assert [row["account"] for row in api["results"]] == ["renewing-00", "renewing-01", "renewing-02"]
    assert (api["days"], api["results"][0]["credits_banked"], api["results"][0]["state"]) == (20, 1, "renewal due")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("days=-869902", "days"),
        ("days=99999999", "days"),
        ("days=soon", "days"),
        ("state=gone", "state"),
        ("tier=x", "tier"),
    ],
)
def test_a_window_or_filter_out_of_range_is_refused_alike_on_the_page_and_in_the_api(
    renewals, admin_user, client_for, query, field
):
    client = client_for(admin_user)
    api = client.get(f"/api/v1/renewals/?{query}")
    assert api.status_code == 400 and list(api.json()) == [field]
    page = client.get(f"/renewals/?{query}")
    assert page.status_code == 200
    assert page.context["filters"].errors[field] == api.json()[field]


@pytest.mark.parametrize("who", ["tam", "support", "alice"])
def test_the_renewals_are_the_administrators(renewals, who, request, client_for):
    client = client_for(request.getfixturevalue(who))
    for url in ("/renewals/", "/renewals/export.csv", f"/renewals/contracts/{Contract.objects.first().pk}/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/api/v1/renewals/").status_code == 403


def test_the_renewals_page_takes_the_same_queries_for_more_contracts(renewals, admin_user, tam, backup_tam, client_for):
    client = client_for(admin_user)

    def measured():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/renewals/").status_code == 200
        with CaptureQueriesContext(connection) as api:
            assert client.get("/api/v1/renewals/").status_code == 200
        return len(queries), len(api)

    client.get("/renewals/")
    few = measured()
    _ending_accounts(12, tam, backup_tam)
    assert measured() == few


def test_a_contract_s_renewal_page_offers_renewing(renewals, admin_user, client_for):
    contract = Contract.objects.get(account=renewals)
    page = client_for(admin_user).get(f"/renewals/contracts/{contract.pk}/").content.decode()
    assert "renewal due" in page
    assert f'action="/renewals/contracts/{contract.pk}/renew/"' in page
    assert f'action="/renewals/contracts/{contract.pk}/terms/"' in page


def test_reports_their_pdf_and_the_mail_choice_carry_only_the_accounts_own_figures(
    quarter, globex, bob, alice, tam, backup_tam, client_for
):
    """Acme and Globex both on Enterprise with the same TAMs: each customer's list, report, PDF and API answers
    hold their own account's figures only, and a mail choice is the chooser's own."""
    from accounts.services import coverage_assign
    from cases.models import Case
    from value_reports.models import ReportSubscription

    coverage_assign(
        actor=None, account=globex, primary=tam, backup=backup_tam, at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    contract_create(actor=None, account=globex, tier=tier("Enterprise"), start_date=dt.date(2026, 1, 1))
    Case.objects.create(
        account=globex, subject="Routing", channel="voicemail", severity=4, opened_by=bob, created_at=quarter_day()
    )
    reports_generate()
    mine = {alice: ValueReport.objects.get(account=quarter), bob: ValueReport.objects.get(account=globex)}
    for user, other_user, other_name in ((alice, bob, "Globex"), (bob, alice, "Acme")):
        client = client_for(user)
        own, others = mine[user], mine[other_user]
        for url in ("/value-reports/", f"/value-reports/{own.pk}/", "/api/v1/value-reports/"):
            assert other_name not in client.get(url).content.decode(), url
        assert client.get(f"/value-reports/{others.pk}/pdf/").status_code == 404
        printed = render_to_string("value_reports/report_pdf.html", {**report_context(own), "zone": "UTC"})
        assert other_name not in printed
        assert client.post("/value-reports/mail/subscription/", {"subscribed": "on"}).status_code == 302
        assert client.post("/api/v1/value-reports/subscription/", {"subscribed": True}).status_code == 200
    assert sorted(ReportSubscription.objects.values_list("user__email", flat=True)) == [alice.email, bob.email]
    assert mine[bob].figures["cases"]["by_channel"] == {"voicemail": 1}
    assert "voicemail" not in mine[alice].figures["cases"]["by_channel"]


def quarter_day() -> dt.datetime:
    from .conftest import denver

    return denver(5, 12)
