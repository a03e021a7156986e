from celery import shared_task

from .renewals import contracts_renew_automatically, renewal_reminders_send


@shared_task(name="accounts.contract_renewals")
def contract_renewals() -> dict:
    """Renew the contracts that renew automatically on their end date, then send the renewal reminders due
    (hourly: each run does only what is due, so a missed or doubled run does no harm)."""
    renewed = contracts_renew_automatically()
    return {"renewed": len(renewed), "reminded": renewal_reminders_send()}
