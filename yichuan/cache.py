"""The shared cache fails soft: Redis down or hung costs speed, never a 500.

Django's RedisCache raises on connection errors, so a Redis outage turned the login (allauth's
rate limits), the dashboard (its figures) and every other page that touches the cache into
500s. ``FailSoftRedisCache`` logs the error and answers as if the cache were empty:

- reads miss (``get`` returns the default, ``get_many`` nothing, ``has_key`` False, ``incr``
  raises ValueError as for a missing key);
- writes are dropped (``set``, ``set_many``, ``delete``, ``touch``, ``clear``);
- ``add`` answers True, "stored", like ``set``. allauth takes its rate-limit lock with
  ``add``: False would make every login wait a second and then be refused as rate-limited.
  The price while the cache is down: allauth's rate limits count nothing (django-axes'
  lockout lives in the database and still holds) and a TOTP code is not remembered as used,
  so it could be replayed within its 90-second window.

After an error the process leaves that Redis alone for ``RETRY_AFTER`` seconds, so a page that
touches the cache many times pays the socket timeout (OPTIONS in settings) once, not per
call, and the log gets one warning per outage rather than one per call.
"""

import functools
import logging
import re
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0

_down_until = {}  # the Redis URLs of this process found down: {url: monotonic time}


class CacheUnavailable(Exception):
    """The cache is (still) marked down: nothing was sent to it."""


def _fail_soft(on_error):
    """Run the client method; on a Redis error (or while Redis is marked down) log and return
    ``on_error(*args)`` instead."""

    def wrap(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                self._check_up()
                result = method(self, *args, **kwargs)
            except CacheUnavailable:
                return on_error(*args)
            except self._lib.RedisError as exc:
                self._mark_down(exc)
                return on_error(*args)
            if self._where in _down_until:
                self._mark_up()
            return result

        return wrapper

    return wrap


def _missing_key(key, *args):
    raise ValueError(f"Key {key!r} not found (the cache is unavailable).")


def _return(value):
    return lambda *args: value


class FailSoftRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._where = ",".join(servers)
        self._shown = re.sub(r"//[^@/]*@", "//***@", self._where)  # no password in the log

    def _check_up(self):
        if time.monotonic() < _down_until.get(self._where, 0.0):
            raise CacheUnavailable

    def _mark_down(self, exc):
        first = self._where not in _down_until
        _down_until[self._where] = time.monotonic() + RETRY_AFTER
        (logger.warning if first else logger.info)(
            "cache %s unavailable (%s: %s): treated as empty for %.0fs",
            self._shown, type(exc).__name__, exc, RETRY_AFTER)

    def _mark_up(self):
        if _down_until.pop(self._where, None) is not None:
            logger.warning("cache %s is back", self._shown)

    def ping(self):
        """Whether Redis answers now (for /healthz): ignores the down mark, never raises."""
        try:
            self.get_client(write=True).ping()
        except self._lib.RedisError as exc:
            self._mark_down(exc)
            return False
        self._mark_up()
        return True

    add = _fail_soft(_return(True))(RedisCacheClient.add)
    get = _fail_soft(lambda key, default: default)(RedisCacheClient.get)
    set = _fail_soft(_return(None))(RedisCacheClient.set)
    touch = _fail_soft(_return(False))(RedisCacheClient.touch)
    delete = _fail_soft(_return(False))(RedisCacheClient.delete)
    get_many = _fail_soft(lambda keys: {})(RedisCacheClient.get_many)
    has_key = _fail_soft(_return(False))(RedisCacheClient.has_key)
    incr = _fail_soft(_missing_key)(RedisCacheClient.incr)
    set_many = _fail_soft(_return(None))(RedisCacheClient.set_many)
    delete_many = _fail_soft(_return(None))(RedisCacheClient.delete_many)
    clear = _fail_soft(_return(False))(RedisCacheClient.clear)


class FailSoftRedisCache(RedisCache):
    """RedisCache whose errors are misses and no-ops (the module says which)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient

    def ping(self):
        return self._cache.ping()
