"""Demo contracts over time for ``seed_demo``: an Enterprise account in each renewal state besides Acme (renewal
due, renewed, lapsed, and one ending well ahead), and the value reports of the last two quarters. Idempotent."""

import datetime as dt
import time

from allauth.account.models import EmailAddress

from accounts.models import Account, Contract, Tier, User
from accounts.quarters import Quarter, vendor_today
from accounts.renewals import state_of
from accounts.roles import Role
from accounts.services import contract_create, coverage_assign, user_set_roles

from .generation import reports_generate
from .models import ValueReport

DEMO_PASSWORD = "ess-demo-2026!"

# slug, name, and the contracts as (days from today to the start, to the end); the last one decides the state.
RENEWAL_ACCOUNTS = [
    ("initech", "Initech", [(-300, 45)]),  # ends within its notice period: renewal due
    ("stark-freight", "Stark Freight", [(-400, -10), (-9, 355)]),  # continued the day after: renewed
    ("umbrella", "Umbrella Health", [(-380, -20)]),  # ended 20 days ago, nothing since: lapsed
    ("wayne", "Wayne Analytics", [(-100, 265)]),  # ends in nine months: active
]


def _contracts(account: Account, spans, enterprise: Tier, today: dt.date) -> None:
    if Contract.objects.filter(account=account).exists():
        return
    for starts, ends in spans:
        contract_create(
            actor=None,
            account=account,
            tier=enterprise,
            start_date=today + dt.timedelta(days=starts),
            end_date=today + dt.timedelta(days=ends),
        )


def _lapsed_user(account: Account) -> None:
    """A customer user of the lapsed account, to see the banner."""
    user, created = User.objects.get_or_create(
        email="uma@umbrella.example", defaults={"first_name": "Uma", "last_name": "Ueda", "account": account}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user_set_roles(actor=None, user=user, roles={Role.CUSTOMER}, account=account)
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"primary": True, "verified": True})


def seed_value_reports(log, users: dict[str, User]) -> None:
    today = vendor_today()
    enterprise = Tier.objects.get(name="Enterprise")
    tam, backup = users["tam@ess.example"], users["backup.tam@ess.example"]
    for slug, name, spans in RENEWAL_ACCOUNTS:
        account, _ = Account.objects.update_or_create(slug=slug, defaults={"name": name})
        if not account.tam_assignments.exists():
            coverage_assign(actor=None, account=account, primary=tam, backup=backup)
        _contracts(account, spans, enterprise, today)
        if slug == "umbrella":
            _lapsed_user(account)
        latest = Contract.objects.filter(account=account).order_by("start_date")
        states = ", ".join(f"{c.start_date:%Y-%m-%d} to {c.end_date:%Y-%m-%d} {state_of(c, today)}" for c in latest)
        log(f"  {name}: {states}")
    started = time.perf_counter()
    made = reports_generate(since=Quarter.of(today).previous())
    seconds = time.perf_counter() - started
    total = ValueReport.objects.count()
    log(
        f"  value reports: {made.created} made for {', '.join(str(q) for q in made.quarters)} in {seconds:.2f} s "
        f"({total} in all, for {ValueReport.objects.values('account').distinct().count()} accounts)"
    )
