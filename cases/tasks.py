from celery import shared_task

from .chaser import sla_chase


@shared_task(name="cases.chase_sla")
def chase_sla() -> dict:
    report = sla_chase()
    return {"warned": report.warned, "breached": report.breached, "reescalated": report.reescalated}
