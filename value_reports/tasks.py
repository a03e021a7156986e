from celery import shared_task

from .generation import reports_generate


@shared_task(name="value_reports.generate")
def generate_value_reports() -> dict:
    """Make the value reports of the quarter that ended (hourly, so a missed or late run catches up)."""
    report = reports_generate()
    return {"quarters": [str(q) for q in report.quarters], "created": report.created, "mailed": report.mailed}
