"""Every configuration page answers an administrator, and refuses everyone else (403) before reading anything: a
TAM, a TAM-level resource, support staff and customers alike. A visitor who is not signed in is sent to sign in."""

import datetime as dt

import pytest
from django.urls import reverse

NOW = dt.datetime(2026, 5, 4, 16, 0, tzinfo=dt.UTC)  # a Monday, 10:00 in Denver
pytestmark = pytest.mark.time_machine(NOW, tick=False)

PAGES = {
    "config:index": lambda w: [],
    "config:tiers": lambda w: [],
    "config:tier-new": lambda w: [],
    "config:tier": lambda w: [w.enterprise.pk],
    "config:limits": lambda w: [],
    "config:calendars": lambda w: [],
    "config:calendar-new": lambda w: [],
    "config:calendar": lambda w: [w.calendar.pk],
    "config:calendar-preview": lambda w: [],
    "config:people": lambda w: [],
    "config:person": lambda w: [w.support.pk],
    "config:accounts": lambda w: [],
    "config:account-new": lambda w: [],
    "config:account": lambda w: [w.acme.slug],
    "sla_config:policies": lambda w: [],
    "sla_config:policy": lambda w: [w.enterprise.pk],
    "sla_config:example": lambda w: [],
}
OTHERS = ["tam", "tam_level", "support", "alice"]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_an_admin_reads_every_page(name, configured, client_for):
    response = client_for(configured.admin).get(reverse(name, args=PAGES[name](configured)))
    assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(PAGES))
def test_everyone_else_is_refused(name, configured, client_for, client):
    url = reverse(name, args=PAGES[name](configured))
    for persona in OTHERS:
        assert client_for(getattr(configured, persona)).get(url).status_code == 403, persona
    client.logout()
    assert client.get(url)["Location"].startswith("/accounts/login/")


def test_the_menu_leads_admins_to_the_configuration_pages(configured, client_for):
    page = client_for(configured.admin).get("/").content.decode()
    assert 'href="/configuration/"' in page
    for persona in OTHERS:
        assert 'href="/configuration/"' not in client_for(getattr(configured, persona)).get("/").content.decode()
