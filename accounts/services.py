"""Every write to accounts, contracts, coverage, calendars and people goes through these functions.

Each aggregate keeps its services, and the predicates saying who may call them, in its own module; this is the
table of contents other apps and the tests import from.

- ``accounts.people``: invitations, roles, an admin's edits of a person, one's own profile.
- ``accounts.configuration``: tiers, business calendars and holidays, customer accounts, TAM assignments.
- ``accounts.contracts``: contracts (an account's tier over days).
- ``accounts.renewals``: renewal terms, renewing, who gets the renewal reminders (and the daily renewal jobs).
- ``accounts.absences``: TAM absences.

Privileged services (``core.authentication.privileged``) need a recently entered password, on every route.
"""

from .absences import (
    absence_cancel,
    absence_record,
    absence_update,
    may_manage_absence,
    may_manage_absences_of,
    may_record_absences,
)
from .configuration import (
    account_save,
    calendar_add_holiday,
    calendar_import_holidays,
    calendar_remove_holiday,
    calendar_save,
    calendar_set_holidays,
    calendar_set_hours,
    coverage_assign,
    limits_save,
    may_configure,
    public_holidays,
    public_holidays_ticked,
    tier_save,
)
from .contracts import contract_cancel, contract_change_tier, contract_create, contract_end, may_manage_contracts
from .people import (
    invitable_roles,
    may_invite,
    may_manage_people,
    user_invite,
    user_set_roles,
    user_update,
    user_update_profile,
)
from .renewals import (
    account_set_renewal_notices,
    contract_renew,
    contract_set_renewal_terms,
    may_manage_renewals,
    may_set_renewal_notices,
)

__all__ = [
    "absence_cancel",
    "absence_record",
    "absence_update",
    "account_save",
    "account_set_renewal_notices",
    "calendar_add_holiday",
    "calendar_import_holidays",
    "calendar_remove_holiday",
    "calendar_save",
    "calendar_set_holidays",
    "calendar_set_hours",
    "contract_cancel",
    "contract_change_tier",
    "contract_create",
    "contract_end",
    "contract_renew",
    "contract_set_renewal_terms",
    "coverage_assign",
    "invitable_roles",
    "limits_save",
    "may_configure",
    "may_invite",
    "may_manage_absence",
    "may_manage_absences_of",
    "may_manage_contracts",
    "may_manage_people",
    "may_manage_renewals",
    "may_record_absences",
    "may_set_renewal_notices",
    "public_holidays",
    "public_holidays_ticked",
    "tier_save",
    "user_invite",
    "user_set_roles",
    "user_update",
    "user_update_profile",
]
