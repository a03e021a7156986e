"""Demo people and accounts for `seed_demo`. Idempotent: a second run changes nothing."""

from allauth.account.models import EmailAddress

from .models import Account, User
from .roles import Role
from .services import user_set_roles

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
