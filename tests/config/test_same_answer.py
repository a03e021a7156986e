"""Same input, same answer, on the configuration pages.

- Writes the API has too (contracts: create, end, cancel): the same input through the page's form and through the
  API ends the same way (done; refused with the same words; 403 with the same words) and leaves the same rows.
- Writes only the pages (and the break-glass Django admin) make: the page answers with the service's own words,
  exactly what the service says when called with the same values, and leaves the same rows.

Each path runs inside a savepoint that is rolled back, from the same world. Forms only parse: every message is a
service's.
"""

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.urls import get_resolver

from accounts import services
from accounts.models import Account, BusinessCalendar, Contract, Holiday, OpenInterval, TamAssignment, Tier, User
from accounts.roles import Role
from cases.models import SlaTarget
from cases.policies import policy_save
from core.errors import DomainError, NotAllowed
from core.models import Limits
from tests.reviews.test_same_answer import DONE, forbidden, refused
from tests.reviews.test_same_answer import _api_answer as answer_of_api
from tests.reviews.test_same_answer import _page_answer as answer_of_page
from tests.security.test_isolation_matrix import _walk, accepted_methods

NOW = dt.datetime(2026, 5, 4, 16, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in Denver
pytestmark = pytest.mark.time_machine(NOW, tick=False)
T = dt.time
CONTRACTS_ONLY = "Only administrators change contracts."
CONFIGURATION_ONLY = "Only administrators change the configuration."
PEOPLE_ONLY = "Only administrators change people's roles and details."


def _week(**days) -> dict:
    """The page's grid for a week: ``monday=[("06:00", "18:00")]``."""
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    grid = {}
    for day, name in enumerate(names):
        for slot, (opens, closes) in enumerate(days.get(name, [])):
            grid[f"opens_{day}_{slot}"], grid[f"closes_{day}_{slot}"] = opens, closes
    return grid


# --- Writes the API makes too ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiCase:
    name: str
    actor: str
    page: str  # the page's URL ("{...}" filled from the world)
    api: str  # "METHOD url"
    data: dict = field(default_factory=dict)
    expect: tuple = DONE
    api_only: dict = field(default_factory=dict)


NEW = {"tier": "{standard.pk}", "start_date": "2026-06-01", "end_date": ""}
NEW_PAGE, NEW_API = "/configuration/accounts/initech/contracts/", "POST /api/v1/contracts/"
END_PAGE, END_API = (
    "/configuration/contracts/{globex_contract.pk}/end/",
    "POST /api/v1/contracts/{globex_contract.pk}/end/",
)
CANCEL_PAGE = "/configuration/contracts/{globex_contract.pk}/cancel/"
CANCEL_API = "POST /api/v1/contracts/{globex_contract.pk}/cancel/"
API_CASES = [
    ApiCase(
        "an admin gives an account a contract", "admin", NEW_PAGE, NEW_API, NEW, api_only={"account": "{initech.pk}"}
    ),
    ApiCase(
        "a contract ends after it starts",
        "admin",
        NEW_PAGE,
        NEW_API,
        {**NEW, "end_date": "2026-05-01"},
        refused("A contract ends on or after the day it starts."),
        api_only={"account": "{initech.pk}"},
    ),
    ApiCase(
        "Enterprise needs the TAMs first",
        "admin",
        NEW_PAGE,
        NEW_API,
        {**NEW, "tier": "{enterprise.pk}"},
        refused("Enterprise includes an assigned TAM: assign Initech a primary and a backup TAM first."),
        api_only={"account": "{initech.pk}"},
    ),
    ApiCase(
        "one contract a day",
        "admin",
        "/configuration/accounts/globex/contracts/",
        NEW_API,
        NEW,
        refused(
            "Globex Logistics already has an active contract on those days (Globex Logistics · Standard · "
            "2026-01-01 to open-ended). End it first, or change tier from a date."
        ),
        api_only={"account": "{globex.pk}"},
    ),
    ApiCase(
        "a TAM gives no contract", "tam", NEW_PAGE, NEW_API, NEW, forbidden(CONTRACTS_ONLY), {"account": "{initech.pk}"}
    ),
    ApiCase("an admin ends a contract", "admin", END_PAGE, END_API, {"end_date": "2027-06-30"}),
    ApiCase(
        "an end before the start",
        "admin",
        END_PAGE,
        END_API,
        {"end_date": "2025-12-31"},
        refused("A contract ends on or after the day it starts; cancel it instead."),
    ),
    ApiCase(
        "an end cannot be removed",
        "admin",
        END_PAGE,
        END_API,
        {"end_date": None},
        refused("An end date cannot be removed; create a new contract instead."),
    ),
    ApiCase(
        "support staff end no contract",
        "support",
        END_PAGE,
        END_API,
        {"end_date": "2027-06-30"},
        forbidden(CONTRACTS_ONLY),
    ),
    ApiCase("an admin cancels a contract", "admin", CANCEL_PAGE, CANCEL_API),
    ApiCase(
        "a cancelled contract stays cancelled",
        "admin",
        "/configuration/contracts/{cancelled_contract.pk}/cancel/",
        "POST /api/v1/contracts/{cancelled_contract.pk}/cancel/",
        expect=refused("This contract is already cancelled."),
    ),
    ApiCase("a TAM cancels no contract", "tam", CANCEL_PAGE, CANCEL_API, expect=forbidden(CONTRACTS_ONLY)),
]


# --- Writes only the pages make: the page says what the service says -------------------------------------------


@dataclass(frozen=True)
class ServiceCase:
    name: str
    actor: str
    page: str
    data: dict
    service: Callable[[SimpleNamespace, User], object]
    expect: tuple = DONE


def _limits(**changes):
    values = {
        "event_notice_days": 14,
        "event_free_cancellation_hours": 48,
        "event_shortest_hours": 1,
        "event_longest_hours": 3,
        "renewal_reminder_days": [90, 60, 30, 7],
    }
    return {**values, **changes}


def _limits_page(**changes) -> dict:
    values = _limits(**changes)
    return {**values, "renewal_reminder_days": ", ".join(str(days) for days in values["renewal_reminder_days"])}


LIMITS_PAGE, LIMITS_API = "/configuration/limits/", "PATCH /api/v1/limits/"
API_CASES += [
    ApiCase(
        "three weeks' notice, by page or API",
        "admin",
        LIMITS_PAGE,
        LIMITS_API,
        _limits_page(event_notice_days=21),
        api_only=_limits(event_notice_days=21),
    ),
    ApiCase(
        "no event shorter than the longest, by page or API",
        "admin",
        LIMITS_PAGE,
        LIMITS_API,
        _limits_page(event_shortest_hours=4),
        refused("The longest event cannot be shorter than the shortest."),
        api_only=_limits(event_shortest_hours=4),
    ),
    ApiCase(
        "reminders within two years, by page or API",
        "admin",
        LIMITS_PAGE,
        LIMITS_API,
        _limits_page(renewal_reminder_days=[900, 30]),
        refused("Give at most eight reminder days, each from 0 to 730 days before the end."),
        api_only=_limits(renewal_reminder_days=[900, 30]),
    ),
    ApiCase(
        "a notice of more than a year, by page or API",
        "admin",
        LIMITS_PAGE,
        LIMITS_API,
        _limits_page(event_notice_days=400),
        refused("Ensure this value is less than or equal to 365."),
        api_only=_limits(event_notice_days=400),
    ),
    ApiCase(
        "support staff set no limits, by page or API",
        "support",
        LIMITS_PAGE,
        LIMITS_API,
        _limits_page(event_notice_days=21),
        forbidden(CONFIGURATION_ONLY),
        api_only=_limits(event_notice_days=21),
    ),
]


def _tier_values(w, **changes) -> dict:
    from accounts.models import TIER_FIELDS

    return {**{name: getattr(w.enterprise, name) for name in TIER_FIELDS}, **changes}


def _tier_page(w, **changes) -> dict:
    values = _tier_values(w, **changes)
    values["support_calendar"] = values["support_calendar"].pk
    return {name: ("on" if value is True else "" if value is False else value) for name, value in values.items()}


def _policy_page(w, **target) -> dict:
    """The Standard policy's page form with its targets as they are, and one new target."""
    rows = list(w.standard_policy.targets.order_by("pk"))
    data = {"warn_at_percent": "75", "targets-TOTAL_FORMS": str(len(rows) + 1), "targets-INITIAL_FORMS": str(len(rows))}
    for n, row in enumerate(rows):
        data.update(
            {f"targets-{n}-id": row.pk, f"targets-{n}-name": row.name, f"targets-{n}-start_event": row.start_event}
        )
        data.update({f"targets-{n}-meet_event": row.meet_event, f"targets-{n}-severity": row.severity or ""})
        data.update({f"targets-{n}-duration": f"{int(row.duration.total_seconds() // 60)} min"})
        data.update({f"targets-{n}-clock": row.clock, f"targets-{n}-calendar": row.calendar_id or ""})
        data.update({f"targets-{n}-active": "on" if row.active else ""})
    n = len(rows)
    data.update({f"targets-{n}-{name}": value for name, value in target.items()})
    return {name: value for name, value in data.items() if value != ""}


def _policy_rows(w, **target) -> list[dict]:
    rows = [
        {"id": row.pk, **{name: getattr(row, name) for name in ("name", "start_event", "meet_event", "severity")}}
        | {"duration": row.duration, "clock": row.clock, "calendar": row.calendar}
        | {"paused_while_waiting": False, "is_example": False, "active": row.active}
        for row in w.standard_policy.targets.order_by("pk")
    ]
    return [*rows, {"id": None, "paused_while_waiting": False, "is_example": False, "active": True, **target}]


PHONE = {"name": "Phone answered", "start_event": "call_received", "severity": None, "clock": "wall"}
SERVICE_CASES = [
    ServiceCase(
        "an admin changes a benefit",
        "admin",
        "/configuration/tiers/{enterprise.pk}/",
        {"bank_cap": 3},
        lambda w, actor: services.tier_save(actor=actor, tier=w.enterprise, values=_tier_values(w, bank_cap=3)),
    ),
    ServiceCase(
        "the bank holds a quarter",
        "admin",
        "/configuration/tiers/{enterprise.pk}/",
        {"bank_cap": 0},
        lambda w, actor: services.tier_save(actor=actor, tier=w.enterprise, values=_tier_values(w, bank_cap=0)),
        refused("The bank must hold at least one quarter's events."),
    ),
    ServiceCase(
        "tier names are unique",
        "admin",
        "/configuration/tiers/new/",
        {"name": "Standard"},
        lambda w, actor: services.tier_save(actor=actor, values=_tier_values(w, name="Standard")),
        refused("A tier with this name already exists."),
    ),
    ServiceCase(
        "a TAM changes no tier",
        "tam",
        "/configuration/tiers/{enterprise.pk}/",
        {},
        lambda w, actor: services.tier_save(actor=actor, tier=w.enterprise, values=_tier_values(w)),
        forbidden(CONFIGURATION_ONLY),
    ),
    ServiceCase(
        "an admin opens Saturday mornings",
        "admin",
        "/configuration/calendars/{calendar.pk}/hours/",
        _week(**{day: [("06:00", "18:00")] for day in ("monday", "tuesday", "wednesday", "thursday", "friday")})
        | _week(saturday=[("09:00", "12:00")]),
        lambda w, actor: services.calendar_set_hours(
            actor=actor, calendar=w.calendar, weekly={**{d: [(T(6), T(18))] for d in range(5)}, 5: [(T(9), T(12))]}
        ),
    ),
    ServiceCase(
        "intervals of a day do not overlap",
        "admin",
        "/configuration/calendars/{calendar.pk}/hours/",
        {"opens_0_0": "06:00", "closes_0_0": "18:00", "opens_0_1": "17:00", "closes_0_1": "19:00"},
        lambda w, actor: services.calendar_set_hours(
            actor=actor, calendar=w.calendar, weekly={0: [(T(6), T(18)), (T(17), T(19))]}
        ),
        refused("Monday: 17:00–19:00 overlaps 06:00–18:00."),
    ),
    ServiceCase(
        "a week has some open hours",
        "admin",
        "/configuration/calendars/{calendar.pk}/hours/",
        {},
        lambda w, actor: services.calendar_set_hours(actor=actor, calendar=w.calendar, weekly={}),
        refused("A calendar needs some open hours: give at least one interval."),
    ),
    ServiceCase(
        "a zone is an IANA zone",
        "admin",
        "/configuration/calendars/{calendar.pk}/details/",
        {"name": "Support hours", "time_zone": "Mountain", "description": ""},
        lambda w, actor: services.calendar_save(
            actor=actor, calendar=w.calendar, name="Support hours", time_zone="Mountain"
        ),
        refused("“Mountain” is not a known IANA time zone, e.g. America/Denver."),
    ),
    ServiceCase(
        "a holiday by hand",
        "admin",
        "/configuration/calendars/{calendar.pk}/holidays/",
        {"date": "2026-12-24", "name": "Christmas Eve"},
        lambda w, actor: services.calendar_add_holiday(
            actor=actor, calendar=w.calendar, day=dt.date(2026, 12, 24), name="Christmas Eve"
        ),
    ),
    ServiceCase(
        "a holiday removed",
        "admin",
        "/configuration/calendars/{calendar.pk}/holidays/remove/",
        {"date": "2026-12-25"},
        lambda w, actor: services.calendar_remove_holiday(actor=actor, calendar=w.calendar, day=dt.date(2026, 12, 25)),
    ),
    ServiceCase(
        "Colorado's holidays imported",
        "admin",
        "/configuration/calendars/{calendar.pk}/holidays/import/",
        {"country": "US", "subdivision": "CO", "year": "2027", "date": ["2027-01-01", "2027-07-05"]},
        lambda w, actor: services.calendar_import_holidays(
            actor=actor,
            calendar=w.calendar,
            holidays=[(dt.date(2027, 1, 1), "New Year's Day"), (dt.date(2027, 7, 5), "Independence Day (observed)")],
        ),
    ),
    ServiceCase(
        "a region the package does not know",
        "admin",
        "/configuration/calendars/{calendar.pk}/holidays/import/",
        {"country": "US", "subdivision": "XX", "year": "2027", "date": ["2027-01-01"]},
        lambda w, actor: services.public_holidays(country="US", subdivision="XX", year=2027),
        refused("No holiday data for region “XX” of US: choose one of the list, or leave it empty."),
    ),
    ServiceCase(
        "a new calendar with its week",
        "admin",
        "/configuration/calendars/new/",
        {"name": "Night desk", "time_zone": "Europe/Paris", "description": ""} | _week(monday=[("20:00", "00:00")]),
        lambda w, actor: services.calendar_set_hours(
            actor=actor,
            calendar=services.calendar_save(actor=actor, name="Night desk", time_zone="Europe/Paris"),
            weekly={0: [(T(20), T(0))]},
        ),
    ),
    ServiceCase(
        "support changes no calendar",
        "support",
        "/configuration/calendars/{calendar.pk}/hours/",
        _week(monday=[("06:00", "18:00")]),
        lambda w, actor: services.calendar_set_hours(actor=actor, calendar=w.calendar, weekly={0: [(T(6), T(18))]}),
        forbidden(CONFIGURATION_ONLY),
    ),
    ServiceCase(
        "three weeks' notice",
        "admin",
        "/configuration/limits/",
        _limits_page(event_notice_days=21),
        lambda w, actor: services.limits_save(actor=actor, values=_limits(event_notice_days=21)),
    ),
    ServiceCase(
        "the longest event is not shorter than the shortest",
        "admin",
        "/configuration/limits/",
        _limits_page(event_shortest_hours=4),
        lambda w, actor: services.limits_save(actor=actor, values=_limits(event_shortest_hours=4)),
        refused("The longest event cannot be shorter than the shortest."),
    ),
    ServiceCase(
        "reminders within two years",
        "admin",
        "/configuration/limits/",
        _limits_page(renewal_reminder_days=[900, 30]),
        lambda w, actor: services.limits_save(actor=actor, values=_limits(renewal_reminder_days=[900, 30])),
        refused("Give at most eight reminder days, each from 0 to 730 days before the end."),
    ),
    ServiceCase(
        "a TAM sets no limits",
        "tam",
        "/configuration/limits/",
        _limits_page(),
        lambda w, actor: services.limits_save(actor=actor, values=_limits()),
        forbidden(CONFIGURATION_ONLY),
    ),
    ServiceCase(
        "an admin makes support staff TAM-level",
        "admin",
        "/configuration/people/{support.pk}/roles/",
        {"roles": [Role.SUPPORT.value, Role.TAM_LEVEL.value]},
        lambda w, actor: services.user_set_roles(
            actor=actor, user=w.support, roles={Role.SUPPORT, Role.TAM_LEVEL}, account=None
        ),
    ),
    ServiceCase(
        "a customer user needs an account",
        "admin",
        "/configuration/people/{support.pk}/roles/",
        {"roles": [Role.CUSTOMER.value]},
        lambda w, actor: services.user_set_roles(actor=actor, user=w.support, roles={Role.CUSTOMER}, account=None),
        refused("A customer user belongs to exactly one account: choose it."),
    ),
    ServiceCase(
        "an admin keeps their own role",
        "admin",
        "/configuration/people/{admin.pk}/roles/",
        {"roles": [Role.SUPPORT.value]},
        lambda w, actor: services.user_set_roles(actor=actor, user=actor, roles={Role.SUPPORT}, account=None),
        refused("You cannot take away your own administrator role: another administrator can."),
    ),
    ServiceCase(
        "an admin renames a person",
        "admin",
        "/configuration/people/{support.pk}/details/",
        {"first_name": "Samuel", "last_name": "Support", "time_zone": "Europe/London"},
        lambda w, actor: services.user_update(
            actor=actor,
            user=w.support,
            first_name="Samuel",
            last_name="Support",
            time_zone="Europe/London",
            is_active=True,
        ),
    ),
    ServiceCase(
        "an admin deactivates a person",
        "admin",
        "/configuration/people/{support.pk}/access/",
        {"active": "0"},
        lambda w, actor: services.user_update(
            actor=actor,
            user=w.support,
            first_name="Sam",
            last_name="Support",
            time_zone="America/Denver",
            is_active=False,
        ),
    ),
    ServiceCase(
        "an admin does not deactivate themselves",
        "admin",
        "/configuration/people/{admin.pk}/access/",
        {"active": "0"},
        lambda w, actor: services.user_update(
            actor=actor, user=actor, first_name="Ada", last_name="Admin", time_zone="America/Denver", is_active=False
        ),
        refused("You cannot deactivate yourself: another administrator can."),
    ),
    ServiceCase(
        "a TAM changes nobody's roles",
        "tam",
        "/configuration/people/{support.pk}/roles/",
        {"roles": [Role.ADMIN.value]},
        lambda w, actor: services.user_set_roles(actor=actor, user=w.support, roles={Role.ADMIN}, account=None),
        forbidden(PEOPLE_ONLY),
    ),
    ServiceCase(
        "an admin adds an account",
        "admin",
        "/configuration/accounts/new/",
        {"name": "Hooli", "slug": "hooli"},
        lambda w, actor: services.account_save(actor=actor, name="Hooli", slug="hooli", calendar=None),
    ),
    ServiceCase(
        "account addresses are unique",
        "admin",
        "/configuration/accounts/initech/details/",
        {"name": "Initech", "slug": "acme"},
        lambda w, actor: services.account_save(
            actor=actor, account=w.initech, name="Initech", slug="acme", calendar=None
        ),
        refused("A account with this slug already exists."),
    ),
    ServiceCase(
        "an admin assigns the TAMs",
        "admin",
        "/configuration/accounts/initech/tams/",
        {"primary": "{tam.pk}", "backup": "{backup_tam.pk}"},
        lambda w, actor: services.coverage_assign(actor=actor, account=w.initech, primary=w.tam, backup=w.backup_tam),
    ),
    ServiceCase(
        "the backup is someone else",
        "admin",
        "/configuration/accounts/initech/tams/",
        {"primary": "{tam.pk}", "backup": "{tam.pk}"},
        lambda w, actor: services.coverage_assign(actor=actor, account=w.initech, primary=w.tam, backup=w.tam),
        refused("The backup TAM must be someone other than the primary."),
    ),
    ServiceCase(
        "only TAMs own accounts",
        "admin",
        "/configuration/accounts/initech/tams/",
        {"primary": "{support.pk}", "backup": "{tam.pk}"},
        lambda w, actor: services.coverage_assign(actor=actor, account=w.initech, primary=w.support, backup=w.tam),
        refused("Sam Support is not a TAM."),
    ),
    ServiceCase(
        "Globex moves to Enterprise from July",
        "admin",
        "/configuration/accounts/globex/change-tier/",
        {"tier": "{enterprise.pk}", "from_date": "2026-07-01"},
        lambda w, actor: services.contract_change_tier(
            actor=actor, account=w.globex, tier=w.enterprise, from_date=dt.date(2026, 7, 1)
        ),
        refused("Enterprise includes an assigned TAM: assign Globex Logistics a primary and a backup TAM first."),
    ),
    ServiceCase(
        "no contract on that day",
        "admin",
        "/configuration/accounts/initech/change-tier/",
        {"tier": "{enterprise.pk}", "from_date": "2026-07-01"},
        lambda w, actor: services.contract_change_tier(
            actor=actor, account=w.initech, tier=w.enterprise, from_date=dt.date(2026, 7, 1)
        ),
        refused("Initech has no active contract on 2026-07-01."),
    ),
    ServiceCase(
        "Acme moves to Standard from July",
        "admin",
        "/configuration/accounts/acme/change-tier/",
        {"tier": "{standard.pk}", "from_date": "2026-07-01"},
        lambda w, actor: services.contract_change_tier(
            actor=actor, account=w.acme, tier=w.standard, from_date=dt.date(2026, 7, 1)
        ),
    ),
    ServiceCase(
        "a new SLA target",
        "admin",
        "/configuration/sla/{standard.pk}/",
        {},
        lambda w, actor: policy_save(
            actor=actor,
            policy=w.standard_policy,
            tier=w.standard,
            warn_at_percent=75,
            targets=_policy_rows(
                w, **PHONE, meet_event="call_answered", duration=dt.timedelta(minutes=5), calendar=None
            ),
        ),
    ),
    ServiceCase(
        "a call is met by being answered",
        "admin",
        "/configuration/sla/{standard.pk}/",
        {},
        lambda w, actor: policy_save(
            actor=actor,
            policy=w.standard_policy,
            tier=w.standard,
            warn_at_percent=75,
            targets=_policy_rows(w, **PHONE, meet_event="resolved", duration=dt.timedelta(minutes=5), calendar=None),
        ),
        refused("Phone answered: after “Phone call received” the clock is met by “Call answered”."),
    ),
    ServiceCase(
        "business time needs a calendar",
        "admin",
        "/configuration/sla/{standard.pk}/",
        {},
        lambda w, actor: policy_save(
            actor=actor,
            policy=w.standard_policy,
            tier=w.standard,
            warn_at_percent=75,
            targets=_policy_rows(
                w,
                **{**PHONE, "clock": "business"},
                meet_event="call_answered",
                duration=dt.timedelta(minutes=5),
                calendar=None,
            ),
        ),
        refused("Phone answered: business time is counted on a calendar: choose one."),
    ),
    ServiceCase(
        "support changes no SLA policy",
        "support",
        "/configuration/sla/{standard.pk}/",
        {},
        lambda w, actor: policy_save(
            actor=actor, policy=w.standard_policy, tier=w.standard, warn_at_percent=75, targets=_policy_rows(w)[:-1]
        ),
        forbidden(CONFIGURATION_ONLY),
    ),
]
# The policy cases post the page's whole form: the targets as they are, and the new one as typed.
POLICY_PAGE_TARGETS = {
    "a new SLA target": {**PHONE, "meet_event": "call_answered", "duration": "5 min", "severity": "", "active": "on"},
    "a call is met by being answered": {
        **PHONE,
        "meet_event": "resolved",
        "duration": "5 min",
        "severity": "",
        "active": "on",
    },
    "business time needs a calendar": {
        **PHONE,
        "clock": "business",
        "meet_event": "call_answered",
        "duration": "5 min",
        "severity": "",
        "active": "on",
    },
}


# --- Running both ways -----------------------------------------------------------------------------------------

TRACKED = [Contract, Tier, BusinessCalendar, OpenInterval, Holiday, Account, TamAssignment, User, SlaTarget, Limits]


def rows() -> dict[str, list]:
    """Every row the configuration writes, told apart by what it holds (ids and times differ between the paths)."""
    skip = {"id", "created_at", "updated_at", "valid_from", "password", "last_login", "date_joined"}
    state = {}
    for model in TRACKED:
        fields = [f for f in model._meta.concrete_fields if f.name not in skip]
        state[model.__name__] = sorted(
            repr([(f.name, str(getattr(row, f.name)) if f.is_relation else getattr(row, f.name)) for f in fields])
            for row in model.objects.all()
        )
    state["roles"] = sorted(User.groups.through.objects.values_list("user__email", "group__name"))
    return state


def _in_a_savepoint(call):
    with transaction.atomic():
        answer = call()
        state = rows()
        transaction.set_rollback(True)
    return answer, state


def _filled(value, w):
    if isinstance(value, list):
        return [_filled(item, w) for item in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return value.format(**vars(w))
    if isinstance(value, str) and "{" in value:
        return value.format(**vars(w))
    return value


def _service_answer(call) -> tuple:
    try:
        call()
    except NotAllowed as error:
        return forbidden(error.message)
    except DomainError as error:
        return refused(*[text for texts in error.errors.values() for text in texts])
    return DONE


@pytest.fixture
def world(configured):
    from cases.models import SlaPolicy

    initech = Account.objects.create(name="Initech", slug="initech")
    cancelled = services.contract_create(
        actor=None,
        account=initech,
        tier=configured.standard,
        start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2019, 6, 30),
    )
    services.contract_cancel(actor=None, contract=cancelled)
    Holiday.objects.create(calendar=configured.calendar, date=dt.date(2026, 12, 25), name="Christmas Day")
    return SimpleNamespace(
        **vars(configured),
        initech=initech,
        cancelled_contract=cancelled,
        standard_policy=SlaPolicy.objects.get(tier=configured.standard),
    )


@pytest.mark.parametrize("case", API_CASES, ids=[case.name for case in API_CASES])
def test_the_page_and_the_api_give_the_same_answer(case, world, client_for):
    client = client_for(getattr(world, case.actor))
    page_data = {name: _filled(value, world) for name, value in case.data.items()}
    page_data = {name: "" if value is None else value for name, value in page_data.items()}
    api_data = {name: _filled(value, world) for name, value in {**case.data, **case.api_only}.items()}
    api_data = {
        name: (None if value == "" else int(value) if name in ("account", "tier") else value)
        for name, value in api_data.items()
    }
    before = rows()

    page_answer, after_page = _in_a_savepoint(lambda: answer_of_page(client.post(_filled(case.page, world), page_data)))
    method, url = _filled(case.api, world).split(" ")
    api_answer, after_api = _in_a_savepoint(
        lambda: answer_of_api(client.generic(method, url, json.dumps(api_data), content_type="application/json"))
    )

    assert page_answer == api_answer == case.expect
    assert after_page == after_api
    assert (after_page != before) == (case.expect == DONE)


def _page_data(case: ServiceCase, world, client) -> dict:
    if case.page.endswith("/configuration/tiers/{enterprise.pk}/") or case.page == "/configuration/tiers/new/":
        return {**_tier_page(world), **case.data}
    if case.name in POLICY_PAGE_TARGETS:
        return _policy_page(world, **POLICY_PAGE_TARGETS[case.name])
    if case.page.startswith("/configuration/sla/"):
        return _policy_page(world)
    return {name: _filled(value, world) for name, value in case.data.items()}


@pytest.mark.parametrize("case", SERVICE_CASES, ids=[case.name for case in SERVICE_CASES])
def test_the_page_says_what_the_service_says(case, world, client_for):
    actor = getattr(world, case.actor)
    client = client_for(actor)
    data = _page_data(case, world, client)
    before = rows()

    page_answer, after_page = _in_a_savepoint(lambda: answer_of_page(client.post(_filled(case.page, world), data)))
    service_answer, after_service = _in_a_savepoint(lambda: _service_answer(lambda: case.service(world, actor)))

    assert page_answer == service_answer == case.expect
    assert after_page == after_service
    assert (after_page != before) == (case.expect == DONE)


def test_every_write_of_the_pages_is_driven():
    """Each write route of the configuration pages has a case above, through the API or against its service."""
    written = set()
    for route, name, callback in _walk(get_resolver().url_patterns):
        if name.startswith(("config:", "sla_config:")) and "POST" in accepted_methods(route, name, callback):
            written.add("/" + route)
    driven = {case.page for case in [*API_CASES, *SERVICE_CASES]}
    missing = sorted(route for route in written if not any(_matches(route, page) for page in driven))
    assert not missing, f"drive these writes in API_CASES or SERVICE_CASES: {missing}"


def _matches(route: str, page: str) -> bool:
    regex = re.sub(r"<(?:\w+:)?\w+>", r"[^/]+", route)
    return re.fullmatch(regex, re.sub(r"\{[^}]+\}", "x", page)) is not None
