"""Which database a query goes to: the primary, or one of its read replicas.

The primary (DATABASE_URL, alias "default") takes every write and every read of data
that a request may have just written: contact requests, sessions, accounts, the
audit log, e-mail tasks, alerts. Read replicas (DATABASE_REPLICA_URLS, aliases
"replica_1", ...) are copies kept by PostgreSQL's streaming replication; they serve
the public catalogue (the trials, their sites and the search tables and index that
imports write) to requests that only read: the search page, trial pages, the API.

`read_from_replica` (a middleware) picks the replica for each such request and
`ReplicaRouter` sends the catalogue's reads there, so every read of one request comes
from one database: a replica behind an import answers from its own consistent state.
A request that writes (POST and the other unsafe methods), the admin, management
commands (imports) and the e-mail worker read everything from the primary.

Each server process keeps to one replica (chosen by its process id, so the processes
of a server spread over them), and so loads one search index. A replica that cannot
be reached is left alone for DATABASE_REPLICA_RETRY_SECONDS, with a warning in the
log, and requests read from the next replica, or from the primary.
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db import Error as DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

logger = logging.getLogger(__name__)

# The models of the public catalogue: written by imports alone, read by everyone.
CATALOGUE = frozenset(
    {
        "trials.trial",
        "trials.trialfacets",
        "trials.statussummary",
        "trials.searchindex",
        "trials.site",
        "trials.armgroup",
        "trials.intervention",
        "trials.outcome",
        "trials.contact",
        "trials.conditionterm",
    }
)
# Methods whose requests only read (RFC 9110's safe methods).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The replica this request reads the catalogue from; unset (the primary) outside a
# request that only reads.
_reading_from: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "reading_from", default=None
)
# Replicas that could not be reached, with the time to try each again (time.monotonic()).
_down: dict[str, float] = {}
_down_lock = threading.Lock()


def reading_from() -> str:
    """The alias the catalogue is read from in this context."""
    return _reading_from.get() or DEFAULT_DB_ALIAS


class ReplicaRouter:
    """The catalogue's reads to this request's replica; everything else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        # The database cache's stand-in model has no label: it is not the catalogue.
        if getattr(model._meta, "label_lower", None) in CATALOGUE:
            return reading_from()
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # A replica holds the primary's rows: a trial read there and a contact request
        # written on the primary may refer to each other.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        # Replicas are read-only copies: migrations reach them through replication.
        return db == DEFAULT_DB_ALIAS


def replicas_in_turn() -> list[str]:
    """The replicas, starting with this process's own (its process id picks it)."""
    replicas = list(settings.DATABASE_REPLICAS)
    if not replicas:
        return []
    first = os.getpid() % len(replicas)
    return replicas[first:] + replicas[:first]


def choose_replica() -> str | None:
    """The first replica in this process's turn that answers; None: the primary."""
    now = time.monotonic()
    for alias in replicas_in_turn():
        if _down.get(alias, 0) > now:
            continue
        error = unreachable(alias)
        if error is None:
            if _down.pop(alias, None) is not None:
                logger.warning("read replica %s answers again: reading from it", alias)
            return alias
        with _down_lock:
            if alias not in _down:
                logger.warning(
                    "read replica %s cannot be reached (%s): its reads go to the next "
                    "replica or the primary; trying it again every %d s",
                    alias,
                    error,
                    settings.DATABASE_REPLICA_RETRY_SECONDS,
                )
            _down[alias] = now + settings.DATABASE_REPLICA_RETRY_SECONDS
    return None


def unreachable(alias: str) -> str | None:
    """Why the replica does not answer (the error's class), or None when it does. Its
    persistent connection is checked (Django's health check, once per request), or a
    new one is opened."""
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        connection.close()
        return type(error).__name__
    return None


def only_reads(request: HttpRequest) -> bool:
    """Whether a request may read the catalogue from a replica: it only reads, and is
    not the admin's (coordinators see what they have just changed)."""
    return request.method in SAFE_METHODS and not request.path.startswith(reverse("admin:index"))


def read_from_replica(get_response: Callable[[HttpRequest], HttpResponse]):
    """Middleware: a request that only reads reads the catalogue from a replica."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not settings.DATABASE_REPLICAS or not only_reads(request):
            return get_response(request)
        token = _reading_from.set(choose_replica())
        try:
            return get_response(request)
        finally:
            _reading_from.reset(token)

    return middleware
