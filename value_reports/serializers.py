"""The API's shapes. They parse types only; the services say what the input means."""

from rest_framework import serializers

from accounts.models import Tier

from .models import ValueReport


class ValueReportSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    quarter = serializers.CharField(source="quarter.label", read_only=True)

    class Meta:
        model = ValueReport
        fields = ["id", "account", "quarter", "quarter_start", "tier_name", "generated_at", "figures"]


class SubscriptionSerializer(serializers.Serializer):
    subscribed = serializers.BooleanField()


class RenewalNoticesSerializer(serializers.Serializer):
    to_contacts = serializers.BooleanField()


class RenewalSerializer(serializers.Serializer):
    """A contract ending soon with what a lapse would put at stake."""

    contract = serializers.IntegerField(source="contract.pk")
    account = serializers.CharField(source="contract.account.slug")
    account_name = serializers.CharField(source="contract.account.name")
    tier = serializers.CharField(source="contract.tier.name")
    start_date = serializers.DateField(source="contract.start_date")
    end_date = serializers.DateField(source="contract.end_date")
    days_left = serializers.IntegerField()
    state = serializers.CharField()
    renews_automatically = serializers.BooleanField(source="contract.renews_automatically")
    notice_days = serializers.IntegerField(source="contract.notice_days")
    renewal_term_months = serializers.IntegerField(source="contract.renewal_term_months")
    credits_banked = serializers.IntegerField(source="banked")
    credits_booked = serializers.IntegerField(source="reserved")
    open_cases = serializers.IntegerField()
    sla_met_percent = serializers.FloatField(source="compliance", allow_null=True)
    tam = serializers.CharField(source="tam.display_name", allow_null=True, default=None)


class RenewalListSerializer(serializers.Serializer):
    """The renewals list: the day it was read for, the window, and the contracts in it."""

    today = serializers.DateField()
    days = serializers.IntegerField()
    results = RenewalSerializer(many=True)


class RenewSerializer(serializers.Serializer):
    tier = serializers.PrimaryKeyRelatedField(
        queryset=Tier.objects.all(), required=False, allow_null=True, default=None, help_text="Another tier."
    )
    end_date = serializers.DateField(required=False, allow_null=True, default=None)


class TermsSerializer(serializers.Serializer):
    renews_automatically = serializers.BooleanField()
    notice_days = serializers.IntegerField()
    renewal_term_months = serializers.IntegerField()
