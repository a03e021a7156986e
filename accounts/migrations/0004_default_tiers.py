"""The FAQ's Standard and Enterprise tiers and the default support-hours calendar, for every install."""

from django.db import migrations


def install(apps, schema_editor):
    from accounts.defaults import install_default_tiers

    install_default_tiers(
        apps.get_model("accounts", "BusinessCalendar"),
        apps.get_model("accounts", "OpenInterval"),
        apps.get_model("accounts", "Tier"),
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_contract_one_active_per_day")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
