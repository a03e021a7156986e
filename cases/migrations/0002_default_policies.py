from django.db import migrations


def install(apps, schema_editor):
    from cases.defaults import install_default_policies

    install_default_policies(
        apps.get_model("accounts", "Tier"),
        apps.get_model("accounts", "BusinessCalendar"),
        apps.get_model("cases", "SlaPolicy"),
        apps.get_model("cases", "SlaTarget"),
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("accounts", "0005_absence_never_overlaps")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
