from celery import shared_task

from accounts.priority import accounts_priority_refresh

from . import tally
from .chaser import sla_chase


@shared_task(name="cases.chase_sla")
def chase_sla() -> dict:
    report = sla_chase()
    folded = tally.compact()  # the count of cases per status, kept short (cases/tally.py)
    flags = accounts_priority_refresh()  # a contract that starts or ends today changes the queue's priority
    return {
        "warned": report.warned,
        "breached": report.breached,
        "reescalated": report.reescalated,
        "folded": folded,
        "priority_changed": flags,
    }
