"""The configuration pages' navigation: their sections, the current one marked."""

from django import template
from django.urls import reverse

register = template.Library()

SECTIONS = [
    ("Overview", "config:index"),
    ("Tiers", "config:tiers"),
    ("Business calendars", "config:calendars"),
    ("SLA policies", "sla_config:policies"),
    ("Notice periods and limits", "config:limits"),
    ("People and roles", "config:people"),
    ("Accounts and contracts", "config:accounts"),
]


@register.inclusion_tag("config/partials/sections.html", takes_context=True)
def configuration_sections(context):
    """The configuration's sections, the one the page belongs to marked (the longest link its path starts with)."""
    path = context["request"].path
    links = [(label, reverse(name)) for label, name in SECTIONS]
    current = max((url for _, url in links if path.startswith(url)), key=len, default=None)
    return {"sections": [{"label": label, "url": url, "current": url == current} for label, url in links]}
