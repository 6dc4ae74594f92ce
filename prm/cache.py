"""A Redis cache that degrades to "cache miss" when Redis is unreachable.

The cache only speeds things up (and backs allauth's rate limits); an outage of Redis must not
take the portal down with it, so connection errors are logged and treated as misses.
"""

from __future__ import annotations

import functools
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_FALLBACKS = {
    "get": lambda *a, **k: k.get("default", a[1] if len(a) > 1 else None),
    "get_many": lambda *a, **k: {},
    "has_key": lambda *a, **k: False,
    "add": lambda *a, **k: False,
    "incr": lambda *a, **k: 0,
    "delete_many": lambda *a, **k: None,
    "set_many": lambda *a, **k: [],
}


def _fail_soft(name, method):
    fallback = _FALLBACKS.get(name, lambda *a, **k: None)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            logger.warning("cache %s skipped, Redis unavailable: %s", name, exc)
            return fallback(*args, **kwargs)

    return wrapper


class FailSoftRedisCacheClient(RedisCacheClient):
    pass


for _name in ("get", "get_many", "has_key", "add", "set", "set_many", "touch", "delete", "delete_many", "incr", "clear"):
    setattr(FailSoftRedisCacheClient, _name, _fail_soft(_name, getattr(RedisCacheClient, _name)))


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient
