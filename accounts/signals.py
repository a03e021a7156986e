"""Signals other apps listen to, so accounts never imports them."""

from django.dispatch import Signal

# Sent after a contract is created, ended, cancelled or replaced (tier change), with
# account=, contract=, and actor=. The maintenance bank forfeits or grants credits on it.
contract_changed = Signal()

# Sent after who acts for accounts may have changed: a TAM absence recorded, changed or cancelled (tam=, the
# person away) or an account's TAMs reassigned (account=), with actor=. Maintenance moves events to the acting TAM.
coverage_changed = Signal()


def touch_calendar(sender, instance, **kwargs):
    """A calendar's hours or holidays changed: bump its version so cached schedules are rebuilt."""
    from django.utils import timezone

    from .models import BusinessCalendar

    BusinessCalendar.objects.filter(pk=instance.calendar_id).update(updated_at=timezone.now())
