from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Account, BusinessCalendar, Contract, Holiday, OpenInterval, TamAbsence, Tier, User
from .roles import Role


class SafeDateTimeField(serializers.DateTimeField):
    """A date-time whose conversion to UTC cannot overflow into a server error (year 1 or 9999 in a far zone)."""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except (OverflowError, ValueError) as error:
            raise serializers.ValidationError("Enter a date and time between the years 1900 and 9000.") from error

    def enforce_timezone(self, value):
        try:
            value = super().enforce_timezone(value)
        except (OverflowError, ValueError) as error:
            raise serializers.ValidationError("Enter a date and time between the years 1900 and 9000.") from error
        if not 1900 <= value.year <= 9000:
            raise serializers.ValidationError("Enter a date and time between the years 1900 and 9000.")
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


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = [
            "id",
            "name",
            "email_phone_support",
            "software_updates",
            "assigned_tam",
            "events_per_quarter",
            "bank_cap",
            "release_previews",
            "proactive_reviews_per_quarter",
            "priority_support",
            "store_discount_percent",
            "support_calendar",
        ]


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
        return PersonSerializer(user).data if user else None

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_primary_tam(self, account):
        return self._person(account.assignment.primary if account.assignment else None)

    @extend_schema_field(PersonSerializer(allow_null=True))
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
    end_date = serializers.DateField()


class TamAbsenceSerializer(serializers.ModelSerializer):
    tam = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(
            groups__name__in=[Role.TAM.value, Role.TAM_LEVEL.value], is_active=True
        ).distinct(),
        required=False,
        help_text="Defaults to the signed-in user.",
    )
    tam_name = serializers.CharField(source="tam.display_name", read_only=True)
    starts_at = SafeDateTimeField()
    ends_at = SafeDateTimeField()

    class Meta:
        model = TamAbsence
        fields = ["id", "tam", "tam_name", "starts_at", "ends_at", "note", "cancelled_at"]
        read_only_fields = ["cancelled_at"]
