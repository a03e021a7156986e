from rest_framework import serializers

from .models import Account, User


class AccountSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "name", "slug"]


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    account = AccountSummarySerializer(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "time_zone", "roles", "account"]

    def get_roles(self, user) -> list[str]:
        return sorted(user.roles)
