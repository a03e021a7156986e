"""A clock the chaser breached before it warned (its first run after downtime) is never warned: the warning index
leaves it out, so the warning scan does not grow with such clocks."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_milestone_unmet_by_case"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="milestone", name="milestone_warning_due"),
        migrations.AddIndex(
            model_name="milestone",
            index=models.Index(
                condition=models.Q(
                    ("breached_at__isnull", True),
                    ("met_at__isnull", True),
                    ("paused_at__isnull", True),
                    ("warned_at__isnull", True),
                ),
                fields=["warn_at"],
                name="milestone_warning_due",
            ),
        ),
    ]
