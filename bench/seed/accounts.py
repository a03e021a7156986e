"""People, accounts, contracts and TAM coverage: the vendor every other part of the seed builds on."""

import datetime as dt
from dataclasses import dataclass

import holidays as public_holidays
from allauth.mfa.models import Authenticator
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from accounts.business_hours import Schedule
from accounts.defaults import install_default_tiers
from accounts.models import (
    Account,
    BusinessCalendar,
    Contract,
    Holiday,
    OpenInterval,
    TamAbsence,
    TamAssignment,
    Tier,
    User,
)
from accounts.quarters import Quarter
from accounts.roles import Role
from bench.names import (
    BIG_TAM,
    BIG_TAM_ACCOUNTS,
    BOOKING_ACCOUNT,
    BOOKING_ACCOUNTS,
    BUSIEST_ACCOUNT,
    DOMAIN,
    SMALL_TAM,
    SMALL_TAM_ACCOUNTS,
    customer,
)
from bench.seed.base import HISTORY, Seeding

# The first accounts are kept for the benchmarks: the busiest, the booking one, the big TAM's, the small TAM's,
# then the other booking accounts. All of them are Enterprise.
FIRST_BOOKING = 2 + BIG_TAM_ACCOUNTS + SMALL_TAM_ACCOUNTS
RESERVED = FIRST_BOOKING + BOOKING_ACCOUNTS - 1
LEAST_ACCOUNTS = FIRST_BOOKING + BOOKING_ACCOUNTS + 20  # and some ordinary ones


@dataclass(frozen=True)
class Vendor:
    """What the later parts of the seed need to know of the people and accounts."""

    schedule: Schedule  # the support calendar's
    enterprise: Tier
    standard: Tier
    tams: list[User]
    support: list[User]
    accounts: list[Account]
    ess: list[Account]  # the Enterprise accounts
    tier_of: dict[int, Tier]  # per account id
    contact_of: dict[int, User]  # per account id, its first customer user
    primary_of: dict[int, User]  # per Enterprise account id, its primary TAM


def load_people_and_accounts(seeding: Seeding) -> Vendor:
    rng = seeding.stream(0)
    calendar = install_default_tiers(BusinessCalendar, OpenInterval, Tier)
    first_year = (seeding.today - HISTORY).year - 1
    Holiday.objects.bulk_create(
        [
            Holiday(calendar=calendar, date=day, name=name[:120])
            for year in range(first_year, seeding.today.year + 2)
            for day, name in public_holidays.country_holidays("US", years=year).items()
        ],
        ignore_conflicts=True,
    )
    calendar.refresh_from_db()
    schedule = calendar.schedule()
    enterprise, standard = Tier.objects.get(name="Enterprise"), Tier.objects.get(name="Standard")
    groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    unusable = make_password(None)

    def person(email, first, last, roles, account=None):
        user = User(
            email=email,
            first_name=first,
            last_name=last,
            password=unusable,
            account=account,
            time_zone="America/Denver",
        )
        return user, roles

    tams = [
        person(BIG_TAM, "Morgan", "Many", [Role.TAM]),
        person(SMALL_TAM, "Frankie", "Few", [Role.TAM]),
    ] + [
        person(f"tam-{n:03d}@{DOMAIN}", "Tam", f"Number {n:03d}", [Role.TAM])
        for n in range(3, seeding.options["tams"] + 1)
    ]
    staff = [
        person(f"admin@{DOMAIN}", "Ada", "Admin", [Role.ADMIN]),
        *(person(f"support-{n:02d}@{DOMAIN}", "Sam", f"Support {n:02d}", [Role.SUPPORT]) for n in range(1, 11)),
        *(person(f"tamlevel-{n}@{DOMAIN}", "Lee", f"Level {n}", [Role.SUPPORT, Role.TAM_LEVEL]) for n in range(1, 3)),
    ]
    seeding.log(f"{len(tams)} TAMs and {len(staff)} other staff")
    created = User.objects.bulk_create([user for user, _ in tams + staff], batch_size=2000)
    tam_users = created[: len(tams)]
    support = [u for u in created[len(tams) :] if u.email.startswith("support-")]
    Authenticator.objects.bulk_create(
        Authenticator(user=user, type=Authenticator.Type.TOTP, data={"secret": "bench"}) for user in created
    )

    accounts = Account.objects.bulk_create(_accounts(seeding), batch_size=5000)
    customers = [
        person(customer(account.slug, n), "Casey", f"Customer {account.pk}-{n}", [Role.CUSTOMER], account)
        for account in accounts
        for n in (1, 2)
    ]
    customer_users = User.objects.bulk_create([user for user, _ in customers], batch_size=5000)
    contact_of = {}
    for user in customer_users:
        contact_of.setdefault(user.account_id, user)
    memberships = [
        User.groups.through(user_id=user.pk, group_id=groups[role].pk)
        for user, (_, roles) in zip(created + customer_users, tams + staff + customers, strict=True)
        for role in roles
    ]
    User.groups.through.objects.bulk_create(memberships, batch_size=10000)
    seeding.log(f"{len(accounts)} accounts and {len(customer_users)} customer users")

    # Half the accounts are Enterprise since before the history starts; the busiest and the booking account too.
    since = Quarter.of(seeding.today - HISTORY).previous().start
    ess = [a for i, a in enumerate(accounts) if i < RESERVED or rng.random() < 0.5]
    ess_ids = {a.pk for a in ess}
    tier_of = {a.pk: (enterprise if a.pk in ess_ids else standard) for a in accounts}
    Contract.objects.bulk_create(
        [Contract(account=a, tier=tier_of[a.pk], start_date=since) for a in accounts], batch_size=5000
    )
    primary_of = _coverage(seeding, tam_users, ess)
    return Vendor(
        schedule=schedule,
        enterprise=enterprise,
        standard=standard,
        tams=tam_users,
        support=support,
        accounts=accounts,
        ess=ess,
        tier_of=tier_of,
        contact_of=contact_of,
        primary_of=primary_of,
    )


def _accounts(seeding: Seeding) -> list[Account]:
    accounts = [
        Account(name=f"Customer {n:05d}", slug=f"bench-{n:05d}", created_at=seeding.now - HISTORY)
        for n in range(seeding.options["accounts"])
    ]
    accounts[0].slug, accounts[0].name = BUSIEST_ACCOUNT, "Busiest Customer"
    accounts[1].slug, accounts[1].name = BOOKING_ACCOUNT, "Booking Customer"
    for n in range(2, BOOKING_ACCOUNTS + 1):
        account = accounts[FIRST_BOOKING + n - 2]
        account.slug, account.name = f"{BOOKING_ACCOUNT}-{n:02d}", f"Booking Customer {n:02d}"
    return accounts


def _coverage(seeding: Seeding, tams: list[User], ess: list[Account]) -> dict[int, User]:
    """TAM pairs and absences. The big TAM owns 200 Enterprise accounts, the small one 5, a third only the booking
    accounts (so the booking benchmark never meets another account's event); the rest share the others. Returns
    each Enterprise account's primary TAM."""
    regular = tams[3:]
    primary_of = {}
    assignments = []
    for index, account in enumerate(ess):
        if account.slug.startswith(BOOKING_ACCOUNT):
            primary = tams[2]
        elif 2 <= index < 2 + BIG_TAM_ACCOUNTS:
            primary = tams[0]
        elif 2 + BIG_TAM_ACCOUNTS <= index < FIRST_BOOKING:
            primary = tams[1]
        else:
            primary = regular[index % len(regular)]
        backup = regular[(index * 7 + 1) % len(regular)]
        if backup == primary:
            backup = regular[(index * 7 + 2) % len(regular)]
        primary_of[account.pk] = primary
        assignments.append(
            TamAssignment(account=account, primary=primary, backup=backup, valid_from=seeding.now - HISTORY)
        )
    TamAssignment.objects.bulk_create(assignments, batch_size=5000)
    # Absences: each regular TAM is away a few days now and then; a few are away now.
    absences = []
    for n, tam in enumerate(regular):
        for weeks_ago in (40, 20, -6):
            starts = seeding.now - dt.timedelta(weeks=weeks_ago, days=n % 5)
            absences.append(TamAbsence(tam=tam, starts_at=starts, ends_at=starts + dt.timedelta(days=4), note="Leave"))
    TamAbsence.objects.bulk_create(absences)
    seeding.log(f"{len(ess)} Enterprise accounts with TAM pairs; {len(absences)} absences")
    return primary_of
