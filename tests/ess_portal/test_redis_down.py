"""With Redis down the portal keeps serving: sign-in, pages and the API work, /healthz says what is down, and
staff see a banner saying background jobs are on hold until Redis is back."""

import datetime as dt

import pytest
from django.core.cache import caches
from django.utils import timezone

from ess_portal.models import JobStatus


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


def _chaser_ran(minutes_ago: int) -> None:
    JobStatus.objects.update_or_create(
        task="cases.chase_sla", defaults={"last_started_at": timezone.now() - dt.timedelta(minutes=minutes_ago)}
    )


def test_staff_see_a_job_status_banner_while_redis_is_down(client_for, redis_down, support):
    _chaser_ran(minutes_ago=1)
    client = client_for(support)
    home = client.get("/")
    assert home.status_code == 200
    assert 'hx-get="/status/jobs/"' in home.content.decode()  # each page asks for the banner once shown
    banner = client.get("/status/jobs/")
    assert banner.status_code == 200
    assert "The job queue cannot be reached" in banner.content.decode()
    assert 'role="alert"' in banner.content.decode()


@pytest.mark.redis
def test_the_banner_clears_when_redis_is_back(client_for, settings, support):
    _chaser_ran(minutes_ago=1)
    client = client_for(support)
    original = settings.REDIS_URL
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert "cannot be reached" in client.get("/status/jobs/").content.decode()
    settings.REDIS_URL = original
    assert client.get("/status/jobs/").content.decode().strip() == ""


def test_a_stopped_worker_shows_when_the_jobs_last_ran(client_for, support):
    client = client_for(support)
    assert "have not run yet" in client.get("/status/jobs/").content.decode()
    _chaser_ran(minutes_ago=30)
    stale = client.get("/status/jobs/").content.decode()
    assert "Background jobs have not run since" in stale
    _chaser_ran(minutes_ago=1)
    assert client.get("/status/jobs/").content.decode().strip() == ""


def test_only_staff_ask_for_the_job_status(client, client_for, alice):
    assert client.get("/status/jobs/").status_code == 302
    customer = client_for(alice)
    assert "/status/jobs/" not in customer.get("/").content.decode()
    assert customer.get("/status/jobs/").status_code == 403
