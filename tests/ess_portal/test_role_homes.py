import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from accounts.models import Account, Contract, TamAssignment
from cases.services import case_open, contact_log
from ess_portal.models import JobStatus
from maintenance.credits import quarter_roll_over
from tests.factories import tier


def test_the_customer_home_shows_tier_benefits_tam_credits_and_cases(client_for, ess, alice, time_machine):
    time_machine.move_to(dt.datetime(2026, 5, 4, 16, tzinfo=dt.UTC))
    quarter_roll_over(as_of=dt.date(2026, 1, 1))
    quarter_roll_over(as_of=dt.date(2026, 5, 4))
    case_open(actor=alice, account=ess, subject="Export fails", description="", channel="portal", severity=2)
    page = client_for(alice).get("/").content.decode()
    assert "Enterprise support" in page
    assert "Terry Tamsin" in page
    assert '<span class="big-number">2</span> events banked' in page
    assert "The next credit arrives on Jul 1, 2026" in page
    assert "Export fails" in page
    assert "10 % discount applies to KwikStuff" in page
    assert "Monday 06:00–18:00 America/Denver" in page


def test_a_standard_customer_sees_what_is_not_included(client_for, standard, bob):
    page = client_for(bob).get("/").content.decode()
    assert "Standard support" in page
    assert 'aria-label="not included"' in page
    assert "events banked" not in page
    assert "KwikStuff" not in page


def test_the_tam_dashboard_takes_a_fixed_number_of_queries_for_200_accounts(
    client_for, tam, backup_tam, django_assert_num_queries
):
    enterprise = tier("Enterprise")

    def add_accounts(n, start):
        accounts = Account.objects.bulk_create(
            Account(name=f"Customer {i:03d}", slug=f"c{i:03d}") for i in range(start, start + n)
        )
        TamAssignment.objects.bulk_create(TamAssignment(account=a, primary=tam, backup=backup_tam) for a in accounts)
        Contract.objects.bulk_create(
            Contract(account=a, tier=enterprise, start_date=dt.date(2026, 1, 1)) for a in accounts
        )

    add_accounts(2, 0)
    client = client_for(tam)
    client.get("/")
    with CaptureQueriesContext(connection) as small:  # the baseline; the count must not grow
        assert "Customer 001" in client.get("/").content.decode()
    add_accounts(198, 2)
    with django_assert_num_queries(len(small.captured_queries)):
        assert "Customer 199" in client.get("/").content.decode()


def test_the_support_home_shows_todays_phone_stats(client_for, ess, alice, support, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 17, 0, tzinfo=dt.UTC), tick=False)  # 10:00 in Denver
    case = case_open(actor=alice, account=ess, subject="x", description="", channel="phone", severity=3)
    received = dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)
    contact_log(
        actor=support, case=case, kind="phone", received_at=received, answered_at=received + dt.timedelta(seconds=90)
    )
    contact_log(
        actor=support, case=case, kind="phone", received_at=received, answered_at=received + dt.timedelta(minutes=3)
    )
    page = client_for(support).get("/").content.decode()
    assert "50 %" in page
    assert "1 of 2 calls" in page


def test_the_admin_overview_shows_each_jobs_last_run_and_error(client_for, admin_user):
    from ess_portal.schedules import install_default_schedules

    install_default_schedules()
    task = PeriodicTask.objects.get(task="cases.chase_sla")
    task.last_run_at = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
    task.save()
    JobStatus.objects.create(
        task="cases.chase_sla",
        last_failed_at=dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC),
        last_error="OperationalError: db gone",
    )
    page = client_for(admin_user).get("/").content.decode()
    assert "SLA chaser: warnings, breaches, re-escalations" in page
    assert "OperationalError: db gone" in page
    assert "Maintenance credits: quarterly grant and bank cap" in page
    assert "Standard" in page and "Support hours" in page


def test_job_outcomes_are_recorded_by_the_worker_signals(db):
    from ess_portal.tasks import ping

    ping.apply()
    status = JobStatus.objects.get(task="ess_portal.ping")
    assert status.last_started_at and status.last_succeeded_at and status.last_result == "pong"


@pytest.mark.parametrize(
    ("email", "heading"),
    [
        ("alice@acme.example", "Welcome, Alice"),
        ("bob@globex.example", "Welcome, Bob"),
        ("tam@ess.example", "TAM dashboard"),
        ("tamlevel@ess.example", "Support"),
        ("support@ess.example", "Support"),
        ("admin@ess.example", "Admin overview"),
    ],
)
def test_every_home_renders_with_the_demo_data(client_for, settings, email, heading):
    from django.core.management import call_command

    from accounts.models import User

    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client_for(User.objects.get(email=email)).get("/")
    assert response.status_code == 200
    assert f"<h1>{heading}" in response.content.decode()


def test_homes_show_previews_and_reviews_from_the_demo_data(client_for, settings):
    from django.core.management import call_command

    from accounts.models import User

    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    alice_home = client_for(User.objects.get(email="alice@acme.example")).get("/").content.decode()
    assert "Latest proactive review" in alice_home
    tam_home = client_for(User.objects.get(email="tam@ess.example")).get("/").content.decode()
    assert "Review this quarter" in tam_home
    assert "Next patch preview" in tam_home
    bob_home = client_for(User.objects.get(email="bob@globex.example")).get("/").content.decode()
    assert "Previews and reviews" not in bob_home
