import datetime as dt
import functools
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from phonenumber_field.modelfields import PhoneNumberField

from .business_hours import Schedule
from .querysets import (
    AccountQuerySet,
    BusinessCalendarQuerySet,
    ConfigurationQuerySet,
    ContractQuerySet,
    TamAbsenceQuerySet,
    TamAssignmentQuerySet,
)
from .roles import ROLE_PRIORITY, STAFF_ROLES, Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known IANA time zone, e.g. America/Denver.")


class BusinessCalendar(models.Model):
    """Open hours per weekday in one IANA zone, with holiday dates: the clock for business-time targets."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="IANA zone whose wall-clock hours the open intervals follow, e.g. America/Denver. "
        "A fixed UTC-7 without daylight saving is America/Phoenix.",
    )
    description = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BusinessCalendarQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.time_zone})"

    def schedule(self) -> Schedule:
        """The pure business-hours engine for this calendar; built once per calendar version and process."""
        return _schedule_for(self.pk, self.updated_at)


@functools.lru_cache(maxsize=256)
def _schedule_for(calendar_id: int, version: dt.datetime) -> Schedule:
    calendar = BusinessCalendar.objects.get(pk=calendar_id)
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for interval in calendar.intervals.all():
        weekly.setdefault(interval.weekday, []).append((interval.opens, interval.closes))
    holidays = calendar.holidays.values_list("date", flat=True)
    return Schedule(tz=calendar.time_zone, weekly=weekly, holidays=list(holidays))


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpenInterval(models.Model):
    """One open stretch of a weekday; a day may have several. Closing at 00:00 means midnight (24:00)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="intervals")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["calendar", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="interval_weekday_valid"),
            models.CheckConstraint(
                condition=Q(opens__lt=F("closes")) | Q(closes=dt.time(0)), name="interval_opens_before_closes"
            ),
            models.UniqueConstraint(fields=["calendar", "weekday", "opens"], name="interval_unique_start"),
        ]

    def __str__(self) -> str:
        closes = "24:00" if self.closes == dt.time(0) else self.closes.strftime("%H:%M")
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{closes}"

    @property
    def closes_minutes(self) -> int:
        return 24 * 60 if self.closes == dt.time(0) else self.closes.hour * 60 + self.closes.minute

    def clean(self):
        if self.closes != dt.time(0) and self.opens >= self.closes:
            raise ValidationError({"closes": "An interval closes after it opens (00:00 means midnight)."})


class Holiday(models.Model):
    """A date the calendar is closed all day (by the calendar's local date)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Tier(models.Model):
    """A support level and every benefit it carries; admins edit these as data."""

    name = models.CharField(max_length=60, unique=True)
    email_phone_support = models.BooleanField("support by e-mail, phone and remote screen sharing", default=True)
    software_updates = models.BooleanField("software updates (release notes, downloads)", default=True)
    assigned_tam = models.BooleanField("assigned TAM and backup TAM", default=False)
    events_per_quarter = models.PositiveSmallIntegerField("planned maintenance events per quarter", default=0)
    bank_cap = models.PositiveSmallIntegerField("most events banked at any time", default=0)
    release_previews = models.BooleanField(default=False)
    proactive_reviews_per_quarter = models.PositiveSmallIntegerField("proactive system reviews per quarter", default=0)
    priority_support = models.BooleanField(
        "priority support", default=False, help_text="First in the queue at equal urgency; escalation to a TAM."
    )
    store_discount_percent = models.DecimalField(
        "discount on store orders (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    support_calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, related_name="tiers", help_text="Support hours of this tier."
    )

    objects = ConfigurationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bank_cap__gte=F("events_per_quarter")), name="tier_bank_holds_a_quarter"
            ),
            models.CheckConstraint(
                condition=Q(store_discount_percent__gte=0, store_discount_percent__lte=100),
                name="tier_discount_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if (
            self.bank_cap is not None
            and self.events_per_quarter is not None
            and self.bank_cap < self.events_per_quarter
        ):
            raise ValidationError({"bank_cap": "The bank must hold at least one quarter's events."})


# A tier's benefits, as the FAQ table groups them: what every tier has, and what Enterprise adds.
EVERY_TIER_BENEFITS = ["email_phone_support", "software_updates"]
ENTERPRISE_BENEFITS = [
    "assigned_tam",
    "events_per_quarter",
    "bank_cap",
    "release_previews",
    "proactive_reviews_per_quarter",
    "priority_support",
    "store_discount_percent",
]
TIER_FIELDS = ["name", "support_calendar", *EVERY_TIER_BENEFITS, *ENTERPRISE_BENEFITS]


class Account(models.Model):
    """A customer organisation. Customer users belong to exactly one account."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
        help_text="Leave empty to use the support hours of the account's tier (e.g. set one for another region).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    renewal_notices_to_contacts = models.BooleanField(
        "renewal reminders to the customer's contacts",
        default=False,
        help_text="The account opts in: its customer users get the contract renewal reminders too.",
    )
    priority_support_today = models.BooleanField(
        default=False,
        db_default=False,  # a row written by plain SQL (a load, a bench) starts without it, like the others
        editable=False,
        help_text="The contract in force today gives priority support (kept by accounts.priority).",
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def contract_today(self) -> "Contract | None":
        """The contract in force on the day given to ``with_coverage`` (prefetched)."""
        contracts = self.contracts_on_day
        return contracts[0] if contracts else None

    @property
    def tier_today(self) -> "Tier | None":
        contract = self.contract_today
        return contract.tier if contract else None

    @property
    def assignment(self) -> "TamAssignment | None":
        """The current primary and backup TAM (prefetched by ``with_coverage``)."""
        assignments = self.current_assignments
        return assignments[0] if assignments else None

    def support_calendar(self) -> "BusinessCalendar | None":
        """The account's own calendar, else its tier's support hours (needs ``with_coverage``)."""
        if self.calendar_id:
            return self.calendar
        tier = self.tier_today
        return tier.support_calendar if tier else None


class ContractStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"


class Contract(models.Model):
    """An account's tier for a span of days. At most one active contract covers any day (a database constraint).

    Whether a contract is upcoming, current or ended follows from its dates; ``status`` only says whether it
    counts at all (a cancelled contract was entered in error or withdrawn before it started).
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contracts")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="contracts")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Last day covered; empty for open-ended.")
    status = models.CharField(max_length=12, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Renewal terms (accounts.renewals): whether the vendor renews it on its end date, and the notice period.
    renews_automatically = models.BooleanField(
        default=False, help_text="Renewed by the portal on its end date, for its renewal term, unless notice is given."
    )
    notice_days = models.PositiveSmallIntegerField(
        "notice period (days)",
        default=90,
        validators=[MaxValueValidator(730)],
        help_text="The renewal is due (decided, or notice given) within this many days before the end.",
    )
    renewal_term_months = models.PositiveSmallIntegerField(
        "renewal term (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="How long a renewal runs unless an end date is chosen.",
    )

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["account", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="contract_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(renewal_term_months__gte=1, renewal_term_months__lte=120, notice_days__lte=730),
                name="contract_renewal_terms_in_range",
            ),
        ]
        indexes = [models.Index(fields=["account", "start_date"], name="contract_account_start")]

    def __str__(self) -> str:
        end = f"{self.end_date:%Y-%m-%d}" if self.end_date else "open-ended"
        return f"{self.account} · {self.tier} · {self.start_date:%Y-%m-%d} to {end}"

    def covers(self, day: dt.date) -> bool:
        return (
            self.status == ContractStatus.ACTIVE
            and self.start_date <= day
            and (self.end_date is None or day <= self.end_date)
        )


class RenewalReminder(models.Model):
    """A contract's renewal reminder at one offset before its end: one row per contract and offset, however often
    or concurrently the reminder job runs. ``sent`` is off for an offset the job passed while it was down, recorded
    without mail because a nearer one went out in the same run."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="renewal_reminders")
    days_before = models.PositiveSmallIntegerField()
    sent = models.BooleanField(default=True)
    run = models.UUIDField(help_text="The job run that claimed this row.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["contract", "-days_before"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "days_before"], name="renewal_reminder_once_per_offset")
        ]

    def __str__(self) -> str:
        return f"{self.contract}: {self.days_before} days before the end"


class TamAssignment(models.Model):
    """Who owns an account from when: a primary and a backup TAM. Rows are history; the open one is current."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="tam_assignments")
    primary = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="primary_assignments")
    backup = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="backup_assignments")
    valid_from = models.DateTimeField(default=timezone.now)
    valid_to = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TamAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["account", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(valid_to__isnull=True), name="assignment_one_current_per_account"
            ),
            models.CheckConstraint(condition=~Q(primary=F("backup")), name="assignment_backup_differs"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="assignment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.primary} (backup {self.backup})"


class TamAbsence(models.Model):
    """A scheduled absence of a TAM; customers of the TAM's accounts see it and who covers."""

    tam = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TamAbsenceQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="absence_ends_after_start"),
        ]
        indexes = [models.Index(fields=["tam", "ends_at"], name="absence_tam_ends")]

    def __str__(self) -> str:
        return f"{self.tam} away {self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%Y-%m-%d %H:%M}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an e-mail address. Roles are auth groups (see ``accounts.roles``)."""

    username = None
    email = models.EmailField("e-mail address", unique=True)
    time_zone = models.CharField(
        max_length=64,
        default="America/Denver",
        validators=[validate_time_zone],
        help_text="Times are shown to this user in this zone.",
    )
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="The customer account of a customer user; empty for vendor staff.",
    )
    phone = PhoneNumberField(
        blank=True, help_text="A number the phone system can tell the person by (with the country code abroad)."
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    @property
    def primary_role(self) -> Role | None:
        return next((role for role in ROLE_PRIORITY if role in self.roles), None)

    @property
    def is_customer_user(self) -> bool:
        return Role.CUSTOMER in self.roles and self.account_id is not None

    @property
    def is_vendor_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def is_tam(self) -> bool:
        return Role.TAM in self.roles

    @property
    def is_tam_level(self) -> bool:
        """Every TAM, plus staff flagged TAM-level, may stand in for a TAM."""
        return Role.TAM in self.roles or Role.TAM_LEVEL in self.roles

    @property
    def is_support(self) -> bool:
        return Role.SUPPORT in self.roles

    @property
    def is_portal_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def acts_as_tam(self) -> bool:
        """May do a TAM's work on accounts (confirm events, plan previews, run reviews, record absences): TAMs,
        TAM-level resources and admins."""
        return self.is_tam_level or self.is_portal_admin


class AppliedQuarter(models.Model):
    """The marker of a quarterly job (``accounts.quarters.catch_up_quarters``): a quarter start it has applied and
    when; the concrete model adds the job's counters."""

    quarter_start = models.DateField(unique=True)
    applied_at = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["-quarter_start"]
