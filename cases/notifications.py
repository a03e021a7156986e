"""E-mails about cases. Customers only ever get public replies; internal notes never leave the portal.

Each one names its case in ``References`` and replies go to the portal's mailbox (``Reply-To``), so an answer by
mail threads back into the case (intake/)."""

import datetime as dt

from django.conf import settings
from django.urls import reverse

from accounts.coverage import NoTamAvailable, acting_tam
from accounts.models import User
from accounts.notifications import email_users
from core.outbox import thread_headers

from .models import Case, CaseEntry, ClockKind, ContactLog, Escalation, Milestone


def _url(case: Case) -> str:
    return settings.ESS_BASE_URL + reverse("cases:detail", args=[case.pk])


def _thread(case: Case) -> dict[str, str]:
    return thread_headers("case", case.pk)


def _customers(case: Case):
    if case.contact_id and case.contact.is_active:
        return [case.contact]
    return list(User.objects.filter(account_id=case.account_id, is_active=True))


def _staff_owner(case: Case) -> list[User]:
    if case.assignee_id:
        return [case.assignee]
    return []


def case_opened(case: Case) -> None:
    if case.on_behalf and case.contact_id:
        email_users(
            [case.contact],
            subject=f"[{case.reference}] We opened a case for you: {case.subject}",
            template="cases/email/opened.txt",
            context={"case": case, "url": _url(case)},
            headers=_thread(case),
        )


def reply_posted(entry: CaseEntry) -> None:
    """A staff reply goes to the customer; a customer reply to the assignee."""
    case = entry.case
    if not entry.public:
        return
    recipients = _staff_owner(case) if entry.author and entry.author.is_customer_user else _customers(case)
    recipients = [user for user in recipients if entry.author_id != user.pk]
    email_users(
        recipients,
        subject=f"[{case.reference}] {case.subject}",
        template="cases/email/reply.txt",
        context={"case": case, "entry": entry, "url": _url(case)},
        headers=_thread(case),
    )


def span_label(span: dt.timedelta) -> str:
    """A target's length as a person says it: "15 minutes", "2 hours", "1 hour 30 minutes"."""
    hours, minutes = divmod(round(span.total_seconds() / 60), 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def escalated(escalation: Escalation, clock: Milestone | None) -> None:
    """Tell the person the case was escalated to, and by when to acknowledge it if the tier's policy says."""
    within = span_label(clock.duration) if clock is not None else ""
    if clock is not None and clock.clock == ClockKind.BUSINESS:
        within += " of business hours"
    ask = f": acknowledge within {within}" if within else ""
    email_users(
        [escalation.escalated_to],
        subject=f"[{escalation.case.reference}] Escalated to you{ask}",
        template="cases/email/escalated.txt",
        context={"escalation": escalation, "case": escalation.case, "within": within, "url": _url(escalation.case)},
        headers=_thread(escalation.case),
    )


def milestone_owner(milestone: Milestone) -> list[User]:
    """Who answers for a clock: the escalation's target, the TAM of a message, else the case's assignee, else
    the account's acting TAM."""
    if milestone.escalation_id:
        return [milestone.escalation.escalated_to]
    if milestone.contact_id and milestone.contact.tam_id:
        return [milestone.contact.tam]
    if milestone.case.assignee_id:
        return [milestone.case.assignee]
    try:
        return [acting_tam(milestone.case.account, milestone.due_at)]
    except NoTamAvailable:
        return []


def sla_warning(milestone: Milestone) -> None:
    email_users(
        milestone_owner(milestone),
        subject=f"[{milestone.case.reference}] SLA warning: {milestone.name}",
        template="cases/email/sla.txt",
        context={"milestone": milestone, "case": milestone.case, "breach": False, "url": _url(milestone.case)},
        headers=_thread(milestone.case),
    )


def sla_breach(milestone: Milestone) -> None:
    email_users(
        milestone_owner(milestone),
        subject=f"[{milestone.case.reference}] SLA breached: {milestone.name}",
        template="cases/email/sla.txt",
        context={"milestone": milestone, "case": milestone.case, "breach": True, "url": _url(milestone.case)},
        headers=_thread(milestone.case),
    )


def tam_message_received(contact: ContactLog, address: str = "") -> None:
    """Tell the TAM a message was sent to (the acting TAM when it came) that it waits for their reply."""
    if contact.tam_id is None:
        return
    email_users(
        [contact.tam],
        subject=f"[{contact.case.reference}] {contact.get_kind_display()}: {contact.case.subject}",
        template="cases/email/tam_message.txt",
        context={"contact": contact, "case": contact.case, "address": address, "url": _url(contact.case)},
        headers=_thread(contact.case),
    )
