"""Private calendar feeds: the right events, made once however many requests ask at the same moment, replaced or
revoked; only TAMs and customers have one."""

import pytest
from django.test import Client

from maintenance.models import CalendarFeed
from tests.conftest import signed_in_with_password
from tests.figures import record
from tests.races import at_once

from .conftest import NOW, book

pytestmark = pytest.mark.time_machine(NOW, tick=False)


def test_private_feeds_show_the_right_events_and_can_be_revoked(client, client_for, banked, alice, tam, bob, standard):
    event = book(banked, alice)
    client_for(tam).post("/maintenance/feed/")
    token = CalendarFeed.objects.get(tam=tam).token
    body = client.get(f"/feeds/{token}.ics").content.decode()
    assert f"UID:{event.uid}@ess-portal" in body
    client_for(bob).post("/maintenance/feed/")
    bob_feed = CalendarFeed.objects.get(account=standard).token
    assert "BEGIN:VEVENT" not in client.get(f"/feeds/{bob_feed}.ics").content.decode()
    client_for(tam).post("/maintenance/feed/", {"action": "revoke"})
    assert client.get(f"/feeds/{token}.ics").status_code == 404
    assert "You have no feed yet" in client_for(tam).get("/maintenance/feed/").content.decode()


def test_making_the_feed_again_keeps_its_address_and_replacing_it_shuts_the_old_one(client, client_for, banked, alice):
    customer = client_for(alice)
    customer.post("/maintenance/feed/", {"action": "create"})
    first = CalendarFeed.objects.get(account=banked, revoked_at__isnull=True).token
    customer.post("/maintenance/feed/", {"action": "create"})
    assert CalendarFeed.objects.get(account=banked, revoked_at__isnull=True).token == first
    assert first in customer.get("/maintenance/feed/").content.decode()
    customer.post("/maintenance/feed/", {"action": "replace"})
    second = CalendarFeed.objects.get(account=banked, revoked_at__isnull=True).token
    assert second != first
    assert client.get(f"/feeds/{first}.ics").status_code == 404
    assert client.get(f"/feeds/{second}.ics").status_code == 200


def test_feeds_are_for_tams_and_customers(client_for, support):
    client = client_for(support)
    assert client.get("/maintenance/feed/").status_code == 403
    refused = client.post("/maintenance/feed/", {"action": "create"})
    assert refused.status_code == 403
    assert "Calendar feeds are for TAMs and customers." in refused.content.decode()
    assert client_for(support).post("/maintenance/feed/", {"action": "nonsense"}).status_code == 404
    assert not CalendarFeed.objects.exists()


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    signed_in_with_password(client, user)
    return client


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["create", "replace"])
def test_ten_requests_at_once_leave_one_live_feed_and_no_server_error(action, ess, alice, tam):
    for user, owner in ((alice, {"account": ess}), (tam, {"tam": tam})):
        clients = [_signed_in(user) for _ in range(10)]
        outcomes = at_once(10, lambda n, clients=clients: clients[n].post("/maintenance/feed/", {"action": action}))
        assert outcomes.errors == []
        assert outcomes.tally(lambda response: response.status_code) == {302: 10}
        assert CalendarFeed.objects.filter(revoked_at__isnull=True, **owner).count() == 1
        if action == "create":
            assert CalendarFeed.objects.filter(**owner).count() == 1  # the others found it made
    record("feeds", f"calendar feed: 10 simultaneous '{action}' requests each for a TAM and a customer: one live feed")
