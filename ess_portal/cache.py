"""The Redis cache, tolerant of Redis being down: the portal keeps serving (degraded) instead of failing.

While Redis is unreachable, reads miss, writes are dropped and ``add`` reports success, so sign-in rate limits
and one-time-code replay checks fail open for the outage. Every failure is logged; the admin overview and
/healthz show the broker down.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _tolerant(name, fallback):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(TolerantRedisCache, self), name)(*args, **kwargs)
        except RedisError:
            logger.warning("cache %s failed: Redis unreachable; serving without the cache", name, exc_info=True)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    method.__name__ = name
    return method


class TolerantRedisCache(RedisCache):
    get = _tolerant("get", lambda key, default=None, version=None: default)
    get_many = _tolerant("get_many", {})
    set = _tolerant("set", None)
    set_many = _tolerant("set_many", [])
    add = _tolerant("add", True)  # callers spin on add() as a lock: never make them wait for Redis
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many", None)
    touch = _tolerant("touch", False)
    has_key = _tolerant("has_key", False)
