"""The queue's sort key as columns the database keeps (cases/urgency.py): added, filled once from the milestones,
indexed. The triggers that keep them are installed after every migrate."""

from django.conf import settings
from django.db import migrations, models

from cases.urgency import REFRESH_ALL


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0009_user_phone'),
        ('cases', '0004_milestone_warning_skips_breached'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='due_next',
            field=models.DateTimeField(blank=True, editable=False, help_text='The earliest due time of a clock neither met nor paused.', null=True),
        ),
        migrations.AddField(
            model_name='case',
            name='due_next_customer',
            field=models.DateTimeField(blank=True, editable=False, help_text='The same, over the clocks the customer sees.', null=True),
        ),
        migrations.RunSQL(REFRESH_ALL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['due_next'], name='case_queue_due'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['account', 'due_next_customer'], name='case_account_queue_due'),
        ),
    ]
