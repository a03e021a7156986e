"""``Cache-Control: no-store`` on every response the portal builds for a signed-in person (pages, the API,
attachments, exports, the configuration site) and on the calendar feed, whose token is its key: a browser or a
proxy never keeps what one person was shown. Every route and method of the URL configuration is asked, as the
role that legitimately uses it (the isolation matrix's owner)."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from .test_isolation_matrix import (
    PUBLIC,
    ROWS,
    SELF,
    TOKEN,
    Access,
    _acme_id,
    _ask,
    _signed_in,
    access_of,
    fill,
    post_data,
)
from .world import PERSONAS, committed_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from committed_world(django_db_blocker, tmp_path_factory)


@pytest.fixture
def owners(world, db):
    return {persona: _signed_in(email, minutes_ago=0) for persona, email in PERSONAS.items()}


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_route_answers_a_signed_in_person_with_no_store(world, owners):
    ids = {**world.ids, "account_id": _acme_id()}
    kept = []
    asked = 0
    for row in ROWS:
        try:
            access = access_of(row)
        except KeyError:  # a route the isolation matrix has not classified yet (its own test says so): ask an
            access = Access("admin", 403, obj="unclassified")  # admin, naming no object of anyone's
            url, _ = fill(row, access, ids, missing=True)
        else:
            url, _ = fill(row, access, ids, missing=False)
        if access.owner == TOKEN:
            response = _ask(Client(), row.method, url, {})
        else:
            owner = owners["customer" if access.owner in (SELF, PUBLIC) else access.owner]
            response = _ask(owner, row.method, url, post_data(access, ids), json=row.json)
        asked += 1
        if not _no_store(response):
            kept.append(f"{row.method} {url}: {response.status_code} {response.get('Cache-Control')!r}")
    assert not kept, "responses a cache may keep:\n" + "\n".join(kept)
    assert asked > 250


def test_refusals_and_missing_pages_are_not_kept_either(world, owners):
    alice = owners["customer"]
    for url in ("/customers/", "/api/v1/contracts/987654321/", "/no-such-page/", "/config/"):
        response = alice.get(url)
        assert response.status_code in (302, 403, 404)
        assert _no_store(response), url


def test_static_assets_keep_their_caching(client):
    assert finders.find("css/app.css")
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and not _no_store(response)
