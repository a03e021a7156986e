"""Demo people and accounts for `seed_demo`. Idempotent: a second run changes nothing."""

import datetime as dt

from allauth.account.models import EmailAddress

from .defaults import install_default_tiers
from .models import Account, BusinessCalendar, Contract, OpenInterval, TamAbsence, TamAssignment, Tier, User
from .quarters import Quarter, vendor_today, vendor_zone
from .roles import Role
from .services import absence_record, contract_create, coverage_assign, user_set_roles

DEMO_PASSWORD = "ess-demo-2026!"

DEMO_ACCOUNTS = [
    {"slug": "acme", "name": "Acme Manufacturing"},
    {"slug": "globex", "name": "Globex Logistics"},
]

DEMO_USERS = [
    {"email": "admin@ess.example", "first_name": "Ada", "last_name": "Admin", "roles": {Role.ADMIN}},
    {"email": "tam@ess.example", "first_name": "Terry", "last_name": "Tamsin", "roles": {Role.TAM}},
    {"email": "backup.tam@ess.example", "first_name": "Bianca", "last_name": "Backup", "roles": {Role.TAM}},
    {
        "email": "tamlevel@ess.example",
        "first_name": "Lee",
        "last_name": "Level",
        "roles": {Role.SUPPORT, Role.TAM_LEVEL},
    },
    {"email": "support@ess.example", "first_name": "Sam", "last_name": "Support", "roles": {Role.SUPPORT}},
    {
        "email": "alice@acme.example",
        "first_name": "Alice",
        "last_name": "Anders",
        "roles": {Role.CUSTOMER},
        "account": "acme",
        "time_zone": "America/Chicago",
    },
    {
        "email": "bob@globex.example",
        "first_name": "Bob",
        "last_name": "Berg",
        "roles": {Role.CUSTOMER},
        "account": "globex",
        "time_zone": "Europe/London",
    },
]


def seed_people(log) -> dict[str, User]:
    accounts = {}
    for spec in DEMO_ACCOUNTS:
        accounts[spec["slug"]], _ = Account.objects.update_or_create(slug=spec["slug"], defaults={"name": spec["name"]})
    users = {}
    for spec in DEMO_USERS:
        user, created = User.objects.update_or_create(
            email=spec["email"],
            defaults={
                "first_name": spec["first_name"],
                "last_name": spec["last_name"],
                "time_zone": spec.get("time_zone", "America/Denver"),
            },
        )
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        account = accounts.get(spec.get("account", ""))
        if user.roles != {r.value for r in spec["roles"]} or user.account_id != (account and account.pk):
            user_set_roles(actor=None, user=user, roles=spec["roles"], account=account)
        EmailAddress.objects.update_or_create(
            user=user, email=spec["email"], defaults={"primary": True, "verified": True}
        )
        users[spec["email"]] = user
        log(f"  {'created' if created else 'kept   '} {spec['email']:<26} {', '.join(sorted(spec['roles']))}")
    return users


def seed_coverage(log, users: dict[str, User]) -> None:
    """Tiers, contracts, TAM pairs and one coming absence, so coverage shows on the customer home."""
    install_default_tiers(BusinessCalendar, OpenInterval, Tier)
    enterprise, standard = Tier.objects.get(name="Enterprise"), Tier.objects.get(name="Standard")
    acme, globex = Account.objects.get(slug="acme"), Account.objects.get(slug="globex")
    tam, backup = users["tam@ess.example"], users["backup.tam@ess.example"]
    if not TamAssignment.objects.current().filter(account=acme).exists():
        coverage_assign(actor=None, account=acme, primary=tam, backup=backup)
    # Acme has been an Enterprise customer since the start of last year; Globex is on Standard.
    since = Quarter(vendor_today().year - 1, 1).start
    for account, tier in ((acme, enterprise), (globex, standard)):
        if not Contract.objects.filter(account=account).exists():
            contract_create(actor=None, account=account, tier=tier, start_date=since)
        log(f"  {account.name}: {tier.name} since {since:%Y-%m-%d}")
    if not TamAbsence.objects.filter(tam=tam, note="Customer summit").exists():
        # Next Monday to Wednesday, in the vendor's zone: the backup covers.
        today = vendor_today()
        monday = today + dt.timedelta(days=7 - today.weekday())
        starts = dt.datetime.combine(monday, dt.time(8), tzinfo=vendor_zone())
        absence_record(
            actor=tam,
            tam=tam,
            starts_at=starts,
            ends_at=starts + dt.timedelta(days=2, hours=10),
            note="Customer summit",
        )
    log(f"  {tam.display_name} is away next week; {backup.display_name} covers")
