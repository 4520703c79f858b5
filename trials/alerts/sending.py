"""Sending the alerts that are due: what is new for each subscription, once, by the queue.

`send_due()` (`manage.py send_alerts` from cron, and the task every import queues) takes
the time up to which imports have committed their changes (`importer.changes_until`),
the active subscriptions whose period has passed, and the trials new to TrialFinder or
opened since the earliest of those subscriptions' last matches: a few thousand, loaded
once into a `Subset`. Each distinct search is matched once; each subscription then
keeps the trials that changed since its own last match.

One transaction for each batch of subscriptions with news writes their sent log (unique
per subscription and trial, so a trial is never sent twice), their Alerts and the tasks
that e-mail them, and moves their match time on; subscriptions with nothing new move on
together and get no e-mail. A run killed half-way leaves each subscription done or
untouched, never half-done: the next run does the rest. The e-mails go through the task
queue, which keeps them while the mail server is down.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from ..importer import changes_until
from ..models import Alert, AlertTrial, Subscription, Trial
from ..search.criteria import Criteria
from ..search.subset import Subset
from .tasks import send_alerts, send_due_alerts

logger = logging.getLogger(__name__)

RUN_LOCK = 7_210_422  # one run at a time (cron and an import's task may meet)
QUIET_BATCH = 5_000
# Optimisation: subscriptions with news are recorded this many to a transaction, and their
# e-mails queued ALERTS_PER_TASK to a task: one transaction and one task per subscription
# spent a run's time on round trips and commits. A batch is written whole or not at all.
SEND_BATCH = 500
ALERTS_PER_TASK = 100
SUBSCRIPTIONS = Subscription._meta.db_table
ALERTS = Alert._meta.db_table
SENT_LOG = AlertTrial._meta.db_table
Reason = AlertTrial.Reason


@dataclass
class Run:
    due: int = 0  # subscriptions whose period had passed
    alerts: int = 0  # e-mails queued
    trials: int = 0  # trials in them
    quiet: int = 0  # subscriptions with nothing new (no e-mail)
    changed: int = 0  # trials new or opened in the run's window
    busy: bool = False  # another run was under way; this one did nothing

    def add(self, alerts: int, trials: int) -> None:
        self.alerts += alerts
        self.trials += trials

    def __str__(self) -> str:
        if self.busy:
            return "Another run is sending alerts; nothing done."
        return (
            f"{self.due} subscription{'s' if self.due != 1 else ''} due, "
            f"{self.changed} trial{'s' if self.changed != 1 else ''} new or opened: "
            f"{self.alerts} alert{'s' if self.alerts != 1 else ''} queued "
            f"({self.trials} trial{'s' if self.trials != 1 else ''}), "
            f"{self.quiet} with nothing new."
        )


@dataclass(frozen=True)
class Changes:
    """The trials new or opened in a window, their times as seconds since the epoch."""

    ids: np.ndarray
    first: np.ndarray  # when first imported
    opened: np.ndarray  # when last opened (-inf: never)

    def for_window(self, since: dt.datetime, until: dt.datetime) -> tuple[np.ndarray, np.ndarray]:
        """Masks of the trials new in (since, until], and of those opened then (not new)."""
        start, end = since.timestamp(), until.timestamp()
        new = (self.first > start) & (self.first <= end)
        return new, (self.opened > start) & (self.opened <= end) & ~new


def changes(since: dt.datetime, until: dt.datetime) -> Changes:
    """The trials first imported, or opened, in (since, until], in id order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, extract(epoch FROM first_imported_at)::float8, "
            "coalesce(extract(epoch FROM opened_at)::float8, '-Infinity') "
            f"FROM {Trial._meta.db_table} "
            "WHERE first_imported_at > %s AND first_imported_at <= %s "
            "OR opened_at > %s AND opened_at <= %s ORDER BY id",
            [since, until, since, until],
        )
        rows = cursor.fetchall()
    ids, first, opened = zip(*rows, strict=True) if rows else ((), (), ())
    return Changes(np.array(ids, dtype=np.int64), np.array(first), np.array(opened))


def queue_sending() -> None:
    """Queue a run (the end of an import), if anyone could get an alert."""
    if Subscription.objects.active().exists():
        send_due_alerts.enqueue()


def send_due() -> Run:
    """Queue an alert for each due subscription with news; see the module's docstring."""
    with _alone() as alone:
        if not alone:
            return Run(busy=True)
        until = changes_until()
        due = list(
            Subscription.objects.due(until).values_list(
                "pk", "query", "criteria", "matched_until", "confirmed_at"
            )
        )
        run = Run(due=len(due))
        if not due:
            return run
        since = {pk: matched or confirmed for pk, _, _, matched, confirmed in due}
        changed = changes(min(since.values()), until)
        run.changed = len(changed.ids)
        subset = Subset(changed.ids.tolist())
        # The changed trials in the subset's order (a trial deleted meanwhile is left out).
        kept = np.isin(changed.ids, subset.ids)
        changed = Changes(changed.ids[kept], changed.first[kept], changed.opened[kept])
        searches = defaultdict(list)
        for pk, query, criteria, _, _ in due:
            searches[query].append((pk, criteria))  # the same query: the same criteria
        quiet, batch = [], []
        for group in searches.values():
            matching = subset.matching(Criteria.from_json(group[0][1]))
            for pk, _ in group:
                new, opened = changed.for_window(since[pk], until)
                found = [(int(t), Reason.NEW) for t in changed.ids[new & matching]]
                found += [(int(t), Reason.OPENED) for t in changed.ids[opened & matching]]
                if not found:
                    quiet.append(pk)
                    continue
                batch.append((pk, since[pk], found))
                if len(batch) == SEND_BATCH:
                    run.add(*_deliver(batch, until))
                    batch = []
        if batch:
            run.add(*_deliver(batch, until))
        run.quiet = len(quiet)
        for start in range(0, len(quiet), QUIET_BATCH):
            Subscription.objects.filter(pk__in=quiet[start : start + QUIET_BATCH]).update(
                matched_until=until
            )
    logger.info("alerts: %s", run)
    return run


def _deliver(batch: list[tuple[int, dt.datetime, list]], until: dt.datetime) -> tuple[int, int]:
    """Record and queue the alerts of a batch of subscriptions (id, last match, trials
    found) in one transaction; how many alerts and trials. A subscription changed since
    it was matched (unsubscribed, paused, done by another run) is left out, and so is
    each trial the sent log's unique constraint says it had before."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Locks the subscriptions as they were matched and moves them on.
        cursor.execute(
            f"UPDATE {SUBSCRIPTIONS} s SET matched_until = %s "
            "FROM unnest(%s::bigint[], %s::timestamptz[]) u(id, since) "
            "WHERE s.id = u.id AND s.matched_until IS NOT DISTINCT FROM u.since "
            "AND s.confirmed_at IS NOT NULL AND s.paused_at IS NULL RETURNING s.id",
            [until, [pk for pk, _, _ in batch], [since for _, since, _ in batch]],
        )
        moved = sorted(row[0] for row in cursor.fetchall())
        if not moved:
            return 0, 0
        cursor.execute(
            f"INSERT INTO {ALERTS} (subscription_id, created_at) "
            "SELECT unnest(%s::bigint[]), now() RETURNING subscription_id, id",
            [moved],
        )
        alert_of = dict(cursor.fetchall())
        rows = [
            (pk, alert_of[pk], trial, reason)
            for pk, _, found in batch
            if pk in alert_of
            for trial, reason in found
        ]
        cursor.execute(
            f"INSERT INTO {SENT_LOG} (subscription_id, alert_id, trial_id, reason) "
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[]) "
            "ON CONFLICT (subscription_id, trial_id) DO NOTHING RETURNING alert_id",
            [list(column) for column in zip(*rows, strict=True)],
        )
        sizes = Counter(row[0] for row in cursor.fetchall())
        if empty := [alert for alert in alert_of.values() if alert not in sizes]:
            cursor.execute(f"DELETE FROM {ALERTS} WHERE id = ANY(%s)", [empty])
        sent = [pk for pk, alert in alert_of.items() if alert in sizes]
        cursor.execute(
            f"UPDATE {SUBSCRIPTIONS} SET last_sent_at = %s WHERE id = ANY(%s)", [until, sent]
        )
        alerts = sorted(sizes)
        for start in range(0, len(alerts), ALERTS_PER_TASK):
            send_alerts.enqueue(alerts[start : start + ALERTS_PER_TASK])
    return len(sizes), sum(sizes.values())


@contextlib.contextmanager
def _alone():
    """Whether this run is the only one (a session lock: a killed run releases it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK])
        alone = cursor.fetchone()[0]
        if alone and not connection.in_atomic_block:
            # Optimisation: one transaction per subscription with news must not wait for
            # its own flush to disk. If the machine (not this process) crashes, the last
            # of them may be lost, each whole, with its e-mail task: the next run does
            # those subscriptions again.
            cursor.execute("SET synchronous_commit = off")
    try:
        yield alone
    finally:
        if alone:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
                cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK])
