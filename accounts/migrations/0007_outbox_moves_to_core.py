"""The outbox now lives in core; its table is kept (state only), no row is touched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_outbox"),
        ("core", "0001_outbox_from_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="OutboxMessage")]),
    ]
