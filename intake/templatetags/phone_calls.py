"""The phone-answer target per account, from the phone system's own times: a section of the SLA report."""

import datetime as dt

from django import template

from accounts.quarters import vendor_zone

from ..telephony import phone_answer_compliance, phone_answer_target

register = template.Library()


@register.inclusion_tag("intake/partials/phone_compliance.html")
def phone_answer_compliance_since(since: dt.date):
    start = dt.datetime.combine(since, dt.time(0), tzinfo=vendor_zone())
    minutes = phone_answer_target().total_seconds() / 60
    return {"rows": phone_answer_compliance(start), "since": since, "target": f"{minutes:g} minutes"}
