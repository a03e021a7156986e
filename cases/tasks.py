from celery import shared_task

from . import tally
from .chaser import sla_chase


@shared_task(name="cases.chase_sla")
def chase_sla() -> dict:
    report = sla_chase()
    folded = tally.compact()  # the count of cases per status, kept short (cases/tally.py)
    return {"warned": report.warned, "breached": report.breached, "reescalated": report.reescalated, "folded": folded}
