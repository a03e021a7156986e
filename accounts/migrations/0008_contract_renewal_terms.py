"""Renewal terms on contracts, renewal reminders once per contract and offset, and an account's opt-in for its
contacts. SQLite rebuilds the contract table to add columns with a default, which drops its triggers: the ones
holding one active contract per day are put back (PostgreSQL keeps its exclusion constraint)."""

import importlib

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

from core.vendor_sql import run_by_vendor

_one_a_day = importlib.import_module("accounts.migrations.0003_contract_one_active_per_day")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_outbox_moves_to_core"),
    ]

    operations = [
        migrations.CreateModel(
            name="RenewalReminder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("days_before", models.PositiveSmallIntegerField()),
                ("sent", models.BooleanField(default=True)),
                ("run", models.UUIDField(help_text="The job run that claimed this row.")),
                ("created_at", models.DateTimeField()),
            ],
            options={
                "ordering": ["contract", "-days_before"],
            },
        ),
        migrations.AddField(
            model_name="account",
            name="renewal_notices_to_contacts",
            field=models.BooleanField(
                default=False,
                help_text="The account opts in: its customer users get the contract renewal reminders too.",
                verbose_name="renewal reminders to the customer's contacts",
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="notice_days",
            field=models.PositiveSmallIntegerField(
                default=90,
                help_text="The renewal is due (decided, or notice given) within this many days before the end.",
                validators=[django.core.validators.MaxValueValidator(730)],
                verbose_name="notice period (days)",
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="renewal_term_months",
            field=models.PositiveSmallIntegerField(
                default=12,
                help_text="How long a renewal runs unless an end date is chosen.",
                validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(120)],
                verbose_name="renewal term (months)",
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="renews_automatically",
            field=models.BooleanField(
                default=False,
                help_text="Renewed by the portal on its end date, for its renewal term, unless notice is given.",
            ),
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("notice_days__lte", 730), ("renewal_term_months__gte", 1), ("renewal_term_months__lte", 120)
                ),
                name="contract_renewal_terms_in_range",
            ),
        ),
        migrations.AddField(
            model_name="renewalreminder",
            name="contract",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="renewal_reminders", to="accounts.contract"
            ),
        ),
        migrations.AddConstraint(
            model_name="renewalreminder",
            constraint=models.UniqueConstraint(
                fields=("contract", "days_before"), name="renewal_reminder_once_per_offset"
            ),
        ),
        run_by_vendor(
            {"sqlite": _one_a_day.SQLITE_BACKWARD + _one_a_day.SQLITE_FORWARD},
            {"sqlite": _one_a_day.SQLITE_BACKWARD + _one_a_day.SQLITE_FORWARD},
        ),
    ]
