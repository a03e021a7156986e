import zoneinfo

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Limits
from core.outbox import tam_address

from .configuration import LIMIT_FIELDS
from .local_time import EARLIEST_YEAR, LATEST_YEAR, OUT_OF_RANGE, LocalTimeError, from_wall_clock
from .models import TIER_FIELDS, Account, BusinessCalendar, Contract, Holiday, OpenInterval, TamAbsence, Tier, User
from .roles import Role

LOCAL_TIME_HELP = (
    "ISO 8601. With an offset (2026-05-26T19:00:00-06:00, or Z) it is that instant. Without one it is read in the "
    "requesting user's own time zone (their profile's), as the pages read it; a time the clocks skip or repeat "
    "there at a daylight-saving change is refused (400) with the same message as on the page."
)


class LocalDateTimeField(serializers.DateTimeField):
    """A date-time without an offset is read in the requesting user's zone by ``accounts.local_time``, the reader
    the pages' field uses, whatever the API client's session or token; one whose conversion to UTC could overflow
    (year 1 or 9999 in a far zone) is refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", LOCAL_TIME_HELP)
        super().__init__(**kwargs)

    def _zone(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            return zoneinfo.ZoneInfo(user.time_zone)
        return timezone.get_current_timezone()

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except (OverflowError, ValueError) as error:
            raise serializers.ValidationError(OUT_OF_RANGE) from error

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
                raise serializers.ValidationError(OUT_OF_RANGE)
            try:
                value = from_wall_clock(value, self._zone())
            except LocalTimeError as error:
                raise serializers.ValidationError(str(error), code=error.code) from error
        try:
            value = super().enforce_timezone(value)
        except (OverflowError, ValueError) as error:
            raise serializers.ValidationError(OUT_OF_RANGE) from error
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise serializers.ValidationError(OUT_OF_RANGE)
        return value


class AccountSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "name", "slug"]


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    account = AccountSummarySerializer(read_only=True, allow_null=True)  # none for vendor staff

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "time_zone", "roles", "account"]

    def get_roles(self, user) -> list[str]:
        return sorted(user.roles)


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email"]


class TamSerializer(PersonSerializer):
    direct_email = serializers.SerializerMethodField(help_text="Mail to it opens a case with the TAM-reply clock.")

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "direct_email"]

    def get_direct_email(self, user) -> str:
        return tam_address(user.pk)


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$", "example": "06:00:00"})
class WallClockTimeField(serializers.TimeField):
    """A local wall-clock time, HH:MM:SS, without an offset (the calendar has the zone): OpenAPI's ``time``
    format is RFC 3339's, which requires one."""


class OpenIntervalSerializer(serializers.ModelSerializer):
    opens = WallClockTimeField()
    closes = WallClockTimeField(help_text="00:00:00 is midnight, the end of the day.")

    class Meta:
        model = OpenInterval
        fields = ["weekday", "opens", "closes"]


class HolidaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Holiday
        fields = ["date", "name"]


class BusinessCalendarSerializer(serializers.ModelSerializer):
    intervals = OpenIntervalSerializer(many=True, read_only=True)
    holidays = HolidaySerializer(many=True, read_only=True)

    class Meta:
        model = BusinessCalendar
        fields = ["id", "name", "time_zone", "description", "intervals", "holidays"]


class LimitsSerializer(serializers.ModelSerializer):
    """The portal's notice periods and limits; a change names only the fields it changes."""

    renewal_reminder_days = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=True,
        help_text="Days before a contract's end at which its renewal reminder goes out, e.g. [90, 60, 30, 7].",
    )

    class Meta:
        model = Limits
        fields = [*LIMIT_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]
        extra_kwargs = {
            "updated_at": {
                "allow_null": True,
                "help_text": "When an administrator last changed them; null: the defaults.",
            }
        }


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["id", *TIER_FIELDS]


class AccountSerializer(serializers.ModelSerializer):
    tier = serializers.SerializerMethodField()
    primary_tam = serializers.SerializerMethodField()
    backup_tam = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = ["id", "name", "slug", "tier", "calendar", "primary_tam", "backup_tam"]

    def get_tier(self, account) -> str | None:
        tier = account.tier_today
        return tier.name if tier else None

    def _person(self, user):
        return TamSerializer(user).data if user else None

    @extend_schema_field(TamSerializer(allow_null=True))
    def get_primary_tam(self, account):
        return self._person(account.assignment.primary if account.assignment else None)

    @extend_schema_field(TamSerializer(allow_null=True))
    def get_backup_tam(self, account):
        return self._person(account.assignment.backup if account.assignment else None)


class ContractSerializer(serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())
    tier = serializers.PrimaryKeyRelatedField(queryset=Tier.objects.all())

    class Meta:
        model = Contract
        fields = ["id", "account", "tier", "start_date", "end_date", "status", "created_at"]
        read_only_fields = ["status", "created_at"]


class ContractEndSerializer(serializers.Serializer):
    end_date = serializers.DateField(
        allow_null=True, help_text="The last day the contract covers; once set, it can be moved but not removed."
    )


class TamAbsenceSerializer(serializers.ModelSerializer):
    tam = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="The person away; defaults to the signed-in user. Admins record anyone's absence.",
    )
    tam_name = serializers.CharField(source="tam.display_name", read_only=True)
    starts_at = LocalDateTimeField()
    ends_at = LocalDateTimeField()

    class Meta:
        model = TamAbsence
        fields = ["id", "tam", "tam_name", "starts_at", "ends_at", "note", "cancelled_at"]
        read_only_fields = ["cancelled_at"]


class InvitationSerializer(serializers.Serializer):
    """An invitation to the portal; the person chooses a password from the link sent to ``email``."""

    email = serializers.EmailField()
    first_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The customer account, for a customer user only.",
    )
