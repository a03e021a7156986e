"""Outbox rows get a stable Message-ID, a failed state and a place for secrets withheld from the body.

Columns are added with defaults; rows already stored keep every value they had and each gets its own
Message-ID (filled in batches before the column becomes unique)."""

from django.db import migrations, models

import core.models

BATCH = 1000


def give_each_row_a_message_id(apps, schema_editor):
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    while True:
        rows = list(OutboxMessage.objects.filter(message_id="").only("pk")[:BATCH])
        if not rows:
            return
        for row in rows:
            row.message_id = core.models.new_message_id()
        OutboxMessage.objects.bulk_update(rows, ["message_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_outbox_from_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="secrets",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="[placeholder, value] pairs put into the body when sent; emptied then",
            ),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="failed_at",
            field=models.DateTimeField(blank=True, help_text="given up: the message cannot be sent", null=True),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="message_id",
            field=models.CharField(default="", max_length=255, verbose_name="Message-ID"),
        ),
        migrations.RunPython(give_each_row_a_message_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outboxmessage",
            name="message_id",
            field=models.CharField(
                default=core.models.new_message_id, max_length=255, unique=True, verbose_name="Message-ID"
            ),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="body",
            field=models.TextField(help_text="as stored and shown here: live links and codes are withheld"),
        ),
        migrations.RemoveIndex(model_name="outboxmessage", name="outbox_waiting_by_time"),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                condition=models.Q(("failed_at__isnull", True), ("sent_at__isnull", True)),
                fields=["next_attempt_at"],
                name="outbox_due_by_time",
            ),
        ),
    ]
