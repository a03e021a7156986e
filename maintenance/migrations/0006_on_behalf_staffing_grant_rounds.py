"""Cancellations say on whose behalf; events flagged when their TAM cannot follow coverage; a quarter's grant is
unique per account, quarter and round, so a grant forfeited with a contract that ended can be granted again.

No row is rewritten: every new column is nullable without a default (PostgreSQL adds it in place; SQLite adds it
with ALTER TABLE, never rebuilding the table and its triggers), grants written before count as round 1 through
the constraints' COALESCE, and the unique constraints are partial indexes, created before the old ones go.
"""

import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_outbox_moves_to_core"),
        ("maintenance", "0005_credit_balance"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="creditentry",
            name="grant_round",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Which grant of its quarter a grant is (1, then 2 after the first was forfeited), and which grant a forfeit of the quarter's grant or at the bank cap goes with. Empty on rows written before: round 1.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="maintenanceevent",
            name="cancelled_on_behalf_of",
            field=models.CharField(
                blank=True,
                choices=[
                    ("customer", "At the customer's request"),
                    ("vendor", "By the vendor (the TAM cannot perform it)"),
                ],
                max_length=8,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="maintenanceevent",
            name="staffing_flagged_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="maintenanceevent",
            name="staffing_problem",
            field=models.CharField(
                blank=True,
                help_text="Why the acting TAM at the event's time cannot perform it (nobody free, or booked then); the admin overview lists flagged events.",
                max_length=300,
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="creditentry",
            name="quarter_start",
            field=models.DateField(
                blank=True,
                help_text="The quarter a grant, a forfeit at the bank cap, or a forfeit of a quarter's grant belongs to.",
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="maintenanceevent",
            index=models.Index(
                condition=models.Q(("staffing_flagged_at__isnull", False), ("status__in", ["requested", "confirmed"])),
                fields=["starts_at"],
                name="event_needs_a_tam",
            ),
        ),
        migrations.AddConstraint(
            model_name="creditentry",
            constraint=models.UniqueConstraint(
                models.F("account"),
                models.F("quarter_start"),
                django.db.models.functions.comparison.Coalesce("grant_round", models.Value(1)),
                condition=models.Q(("kind", "grant")),
                name="credit_one_grant_per_quarter_round",
            ),
        ),
        migrations.AddConstraint(
            model_name="creditentry",
            constraint=models.UniqueConstraint(
                models.F("account"),
                models.F("quarter_start"),
                django.db.models.functions.comparison.Coalesce("grant_round", models.Value(1)),
                condition=models.Q(("cause", "bank_cap"), ("kind", "forfeit")),
                name="credit_one_cap_forfeit_per_quarter_round",
            ),
        ),
        migrations.AddConstraint(
            model_name="creditentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("cause", "ineligible"), ("kind", "forfeit"), ("quarter_start__isnull", False)),
                fields=("account", "quarter_start", "grant_round"),
                name="credit_one_forfeit_per_grant",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="creditentry",
            name="credit_one_grant_per_quarter",
        ),
        migrations.RemoveConstraint(
            model_name="creditentry",
            name="credit_one_cap_forfeit_per_quarter",
        ),
    ]
