"""No server error under races: each route that creates something unique (an invitation for an address, a contract
on some days, an absence, a tier, a calendar, an account, a TAM pair, a holiday, imported holidays, on the portal's
configuration pages, the configuration site and the API; a renewal; an API token or a service token of a name; a
new e-mail address) is sent the same request ten times at once. One request makes the thing; each of the others
gets the one result or a clear refusal (a form error, a 400, or a 409 when the database caught the race), never a
500, and the thing exists once."""

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from accounts.models import Account, BusinessCalendar, Contract, TamAbsence, TamAssignment, Tier, User
from accounts.quarters import vendor_today
from accounts.roles import Role
from integrations.models import ApiToken
from tests.conftest import signed_in_with_password
from tests.factories import PASSWORD
from tests.figures import record
from tests.races import at_once
from tests.security.page_forms import admin_form_values, form_values

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TIMES = 10
SEEN: dict[str, dict[int, int]] = {}


def teardown_module():
    if SEEN:
        errors = sum(count for statuses in SEEN.values() for status, count in statuses.items() if status >= 500)
        record(
            "races-accounts",
            f"races (accounts): {len(SEEN)} create routes x {TIMES} requests at once, {errors} server errors, "
            "each thing made once",
        )


@dataclass(frozen=True)
class CreateRoute:
    url: object  # a path ("{calendar}" is the support calendar's id), or a function of the world
    actor: str
    data: object  # a dict, or a function of (client, world) for a configuration form read from its page
    count: object  # a function of the world: how many of the thing exist
    json: bool = False
    made: tuple[int, ...] = (302,)  # the answer of the request that made it
    refused: tuple[int, ...] = (200,)  # the others: the page again with the refusal, or 400/409 from the API


def _absence_times():
    starts = (timezone.now() + dt.timedelta(days=9)).replace(microsecond=0)
    return starts, starts + dt.timedelta(hours=8)


def _ending(w) -> str:
    """Globex's contract, made to end in 60 days (a renewal continues a contract that ends): its id."""
    contract = Contract.objects.get(account=w.globex)
    Contract.objects.filter(pk=contract.pk).update(end_date=vendor_today() + dt.timedelta(days=60))
    return str(contract.pk)


def _renewals(w) -> int:
    return Contract.objects.filter(account=w.globex, start_date=vendor_today() + dt.timedelta(days=61)).count()


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime("%Y-%m-%dT%H:%M")


ROUTES = {
    "invitation page": CreateRoute(
        "/people/invite/",
        "tam",
        lambda c, w: {"email": "race@acme.example", "role": Role.CUSTOMER.value, "account": w.acme.pk},
        lambda w: User.objects.filter(email="race@acme.example").count(),
    ),
    "invitation API": CreateRoute(
        "/api/v1/invitations/",
        "admin",
        lambda c, w: {"email": "race@globex.example", "role": Role.CUSTOMER.value, "account": w.globex.pk},
        lambda w: User.objects.filter(email="race@globex.example").count(),
        json=True,
        made=(201,),
        refused=(400, 409),
    ),
    "contract API": CreateRoute(
        "/api/v1/contracts/",
        "admin",
        lambda c, w: {"account": w.initech.pk, "tier": w.standard.pk, "start_date": "2026-01-01"},
        lambda w: Contract.objects.filter(account=w.initech).count(),
        json=True,
        made=(201,),
        refused=(400, 409),
    ),
    "absence page": CreateRoute(
        "/people/absences/",
        "tam",
        lambda c, w: {"starts_at": _local(w.away[0]), "ends_at": _local(w.away[1]), "note": "Race"},
        lambda w: TamAbsence.objects.filter(tam=w.tam).count(),
    ),
    "absence API": CreateRoute(
        "/api/v1/absences/",
        "backup_tam",
        lambda c, w: {"starts_at": w.away[0].isoformat(), "ends_at": w.away[1].isoformat()},
        lambda w: TamAbsence.objects.filter(tam=w.backup_tam).count(),
        json=True,
        made=(201,),
        refused=(400, 409),
    ),
    "configuration: contract": CreateRoute(
        "/config/accounts/contract/add/",
        "admin",
        lambda c, w: admin_form_values(
            c, "/config/accounts/contract/add/", account=w.initech.pk, tier=w.standard.pk, start_date="2026-01-01"
        ),
        lambda w: Contract.objects.filter(account=w.initech).count(),
    ),
    "configuration: tier": CreateRoute(
        "/config/accounts/tier/add/",
        "admin",
        lambda c, w: admin_form_values(c, "/config/accounts/tier/add/", name="Gold", support_calendar=w.calendar.pk),
        lambda w: Tier.objects.filter(name="Gold").count(),
    ),
    "configuration: calendar": CreateRoute(
        "/config/accounts/businesscalendar/add/",
        "admin",
        lambda c, w: admin_form_values(
            c,
            "/config/accounts/businesscalendar/add/",
            name="Night desk",
            time_zone="Europe/Paris",
            **{"intervals-0-weekday": "0", "intervals-0-opens": "20:00", "intervals-0-closes": "23:00"},
        ),
        lambda w: BusinessCalendar.objects.filter(name="Night desk").count(),
    ),
    "configuration: account": CreateRoute(
        "/config/accounts/account/add/",
        "admin",
        lambda c, w: admin_form_values(c, "/config/accounts/account/add/", name="Umbrella", slug="umbrella"),
        lambda w: Account.objects.filter(slug="umbrella").count(),
    ),
    "configuration: TAM pair": CreateRoute(
        "/config/accounts/tamassignment/add/",
        "admin",
        lambda c, w: admin_form_values(
            c, "/config/accounts/tamassignment/add/", account=w.initech.pk, primary=w.tam.pk, backup=w.backup_tam.pk
        ),
        lambda w: TamAssignment.objects.current().filter(account=w.initech).count(),
        refused=(302,),  # the same pair again is the assignment the account has
    ),
    "configuration: person": CreateRoute(
        "/config/accounts/user/add/",
        "admin",
        lambda c, w: admin_form_values(
            c,
            "/config/accounts/user/add/",
            email="race@initech.example",
            role=Role.CUSTOMER.value,
            account=w.initech.pk,
        ),
        lambda w: User.objects.filter(email="race@initech.example").count(),
    ),
    "configuration: holiday import": CreateRoute(
        "/config/accounts/businesscalendar/{calendar}/import-holidays/",
        "admin",
        lambda c, w: {"country": "US", "subdivision": "", "year": "2027", "date": ["2027-12-24"], "confirm": "1"},
        lambda w: w.calendar.holidays.filter(date=dt.date(2027, 12, 24)).count(),
        refused=(302,),  # a second import adds nothing it already has
    ),
    # The portal's own configuration pages.
    "configuration page: tier": CreateRoute(
        "/configuration/tiers/new/",
        "admin",
        lambda c, w: form_values(c, "/configuration/tiers/new/", name="Gold", support_calendar=w.calendar.pk),
        lambda w: Tier.objects.filter(name="Gold").count(),
    ),
    "configuration page: calendar": CreateRoute(
        "/configuration/calendars/new/",
        "admin",
        lambda c, w: form_values(c, "/configuration/calendars/new/", name="Night desk", time_zone="Europe/Paris"),
        lambda w: BusinessCalendar.objects.filter(name="Night desk").count(),
    ),
    "configuration page: account": CreateRoute(
        "/configuration/accounts/new/",
        "admin",
        lambda c, w: {"name": "Umbrella", "slug": "umbrella", "calendar": ""},
        lambda w: Account.objects.filter(slug="umbrella").count(),
    ),
    "configuration page: contract": CreateRoute(
        "/configuration/accounts/initech/contracts/",
        "admin",
        lambda c, w: {"tier": w.standard.pk, "start_date": "2026-01-01"},
        lambda w: Contract.objects.filter(account=w.initech).count(),
    ),
    "configuration page: TAM pair": CreateRoute(
        "/configuration/accounts/initech/tams/",
        "admin",
        lambda c, w: {"primary": w.tam.pk, "backup": w.backup_tam.pk},
        lambda w: TamAssignment.objects.current().filter(account=w.initech).count(),
        refused=(302,),  # the same pair again is the assignment the account has
    ),
    "configuration page: holiday": CreateRoute(
        "/configuration/calendars/{calendar}/holidays/",
        "admin",
        lambda c, w: {"date": "2027-12-24", "name": "Christmas Eve"},
        lambda w: w.calendar.holidays.filter(date=dt.date(2027, 12, 24)).count(),
        refused=(302,),  # a date the calendar has is renamed: the same name again changes nothing
    ),
    "configuration page: holiday import": CreateRoute(
        "/configuration/calendars/{calendar}/holidays/import/",
        "admin",
        lambda c, w: {"country": "US", "subdivision": "", "year": "2027", "date": ["2027-12-25"]},
        lambda w: w.calendar.holidays.filter(date=dt.date(2027, 12, 25)).count(),
        refused=(302,),  # a second import adds nothing it already has
    ),
    # Renewals.
    "renewal page": CreateRoute(
        lambda w: f"/renewals/contracts/{_ending(w)}/renew/", "admin", lambda c, w: {}, _renewals
    ),
    "renewal API": CreateRoute(
        lambda w: f"/api/v1/renewals/{_ending(w)}/renew/",
        "admin",
        lambda c, w: {},
        _renewals,
        json=True,
        made=(201,),
        refused=(400, 409),
    ),
    # Integrations: a token's name is unique per person, a service token's among those in use.
    "token page": CreateRoute(
        "/integrations/tokens/",
        "admin",
        lambda c, w: {"name": "Reporting", "days": "30", "scopes": ["read"]},
        lambda w: ApiToken.objects.filter(user=w.admin, name="Reporting").count(),
        made=(200,),  # the page shows the new token once
    ),
    "token API": CreateRoute(
        "/api/v1/tokens/",
        "tam",
        lambda c, w: {"name": "Laptop", "days": 30},
        lambda w: ApiToken.objects.filter(user=w.tam, name="Laptop").count(),
        json=True,
        made=(201,),
        refused=(400, 409),
    ),
    "service token API": CreateRoute(
        "/api/v1/tokens/service/",
        "admin",
        lambda c, w: {"name": "ERP bridge", "role": Role.SUPPORT.value, "days": 30, "scopes": ["read"]},
        lambda w: ApiToken.objects.filter(name="ERP bridge").count(),
        json=True,
        made=(201,),
        refused=(400, 409),
    ),
    # A new e-mail address, asked for ten times at once: one address waits for its proof.
    "e-mail address API": CreateRoute(
        "/api/v1/me/emails/",
        "tam",
        lambda c, w: {"email": "terry.new@ess.example", "password": PASSWORD},
        lambda w: EmailAddress.objects.filter(user=w.tam, email="terry.new@ess.example").count(),
        json=True,
        made=(201,),
        refused=(400, 409),
    ),
}


@pytest.fixture
def world(ess, standard, admin_user, tam, backup_tam):
    return SimpleNamespace(
        acme=ess,
        globex=standard,
        initech=Account.objects.create(name="Initech", slug="initech"),
        standard=Tier.objects.get(name="Standard"),
        calendar=BusinessCalendar.objects.get(name="Support hours"),
        away=_absence_times(),
        admin=admin_user,
        tam=tam,
        backup_tam=backup_tam,
    )


def _clients(user, n: int) -> list[Client]:
    clients = []
    for _ in range(n):
        client = Client(raise_request_exception=False)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        signed_in_with_password(client, user)
        clients.append(client)
    return clients


@pytest.mark.parametrize("name", list(ROUTES))
def test_ten_at_once_make_one_and_no_server_error(name, world):
    route = ROUTES[name]
    clients = _clients(getattr(world, route.actor), TIMES)
    url = route.url(world) if callable(route.url) else route.url.format(calendar=world.calendar.pk)
    data = route.data(clients[0], world)

    def send(n):
        if route.json:
            return clients[n].post(url, data, content_type="application/json")
        return clients[n].post(url, data)

    outcomes = at_once(TIMES, send)
    assert not outcomes.errors, outcomes.errors
    statuses = outcomes.tally(lambda response: response.status_code)
    assert all(status < 500 for status in statuses), statuses
    assert statuses[route.made[0]] >= 1, statuses
    assert set(statuses) <= {*route.made, *route.refused}, statuses
    SEEN[name] = dict(statuses)
    assert route.count(world) == 1
