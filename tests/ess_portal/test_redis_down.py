"""With Redis down the portal keeps serving: sign-in, pages and the API work, /healthz says what is down."""

import pytest
from django.core.cache import caches


@pytest.fixture
def redis_down(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {"BACKEND": "ess_portal.cache.TolerantRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    # Django rebuilds its cache handler when the CACHES setting changes.


def test_sign_in_and_pages_work_while_redis_is_down(client, redis_down, ess, alice, password):
    response = client.post("/accounts/login/", {"login": alice.email, "password": password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["broker"] == {"kind": "redis", "status": "unavailable"}


def test_the_tolerant_cache_misses_and_drops_writes(redis_down):
    cache = caches["default"]
    assert cache.get("k", "fallback") == "fallback"
    assert cache.add("lock", True) is True
    cache.set("k", 1)
    assert cache.get_many(["k"]) == {}
