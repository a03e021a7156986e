"""Default periodic-job schedules, stored in django-celery-beat's tables.

Each app lists its jobs in ``DEFAULT_SCHEDULES`` below; after every migrate, missing entries are
created. Existing entries are never overwritten, so an admin's change to a schedule survives
deploys. Beat fires in UTC; every job computes "what is due up to now", so a late or doubled run
does no harm.
"""

DEFAULT_SCHEDULES: list[dict] = [
    # Hourly: quarter starts fall at local midnight in the vendor zone, and a mid-quarter contract start
    # is granted within the hour. Each run does only what is due, so extra runs cost little.
    {
        "name": "Maintenance credits: quarterly grant and bank cap",
        "task": "maintenance.roll_over_quarter",
        "every_minutes": 60,
    },
    {"name": "SLA chaser: warnings, breaches, re-escalations", "task": "cases.chase_sla", "every_minutes": 1},
    {"name": "Mail outbox: send and retry", "task": "accounts.deliver_outbox", "every_minutes": 1},
    {"name": "Webhooks: send and retry", "task": "integrations.deliver_webhooks", "every_minutes": 1},
    # Does nothing until INBOUND_EMAIL_URL names a mailbox; a mail server's pipe needs no job.
    {"name": "Mail in: poll the support mailbox", "task": "intake.poll_mailbox", "every_minutes": 1},
    {
        "name": "Proactive reviews: one per Enterprise account each quarter",
        "task": "reviews.create_quarterly_reviews",
        "every_minutes": 60,
    },
    {"name": "Previews and reviews: chase the TAM", "task": "reviews.chase", "every_minutes": 60},
    # Hourly: automatic renewals on the end date and reminders before it are each made once, whatever the runs.
    {
        "name": "Contracts: automatic renewals and renewal reminders",
        "task": "accounts.contract_renewals",
        "every_minutes": 60,
    },
    {
        "name": "Value reports: one per Enterprise account when a quarter ends",
        "task": "value_reports.generate",
        "every_minutes": 60,
    },
    {
        "name": "Maintenance events: reminders two days ahead",
        "task": "maintenance.send_event_reminders",
        "every_minutes": 15,
    },
]


def install_default_schedules(sender=None, **kwargs):
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    for entry in DEFAULT_SCHEDULES:
        if PeriodicTask.objects.filter(name=entry["name"]).exists():
            continue
        if "every_minutes" in entry:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=entry["every_minutes"], period=IntervalSchedule.MINUTES
            )
            PeriodicTask.objects.create(name=entry["name"], task=entry["task"], interval=interval)
        else:
            crontab, _ = CrontabSchedule.objects.get_or_create(timezone="UTC", **entry["crontab"])
            PeriodicTask.objects.create(name=entry["name"], task=entry["task"], crontab=crontab)
