"""Write ClinicalTrials.gov studies into the trial store: upsert by NCT ID, in batches.

`import_items(items)` takes what trials.sources yields and returns a Summary.
A study whose record is unchanged is left alone; a changed one is updated in
place (the Trial row keeps its id, sites keep theirs when they are the same
place), so contact requests that point at trials and sites survive imports.
Each batch is one transaction; when a batch fails in the database, its trials
are retried one by one so a single bad trial is reported and skipped alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import multiprocessing
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter

import orjson
import psycopg
from django.db import DatabaseError, OperationalError, connection, reset_queries, transaction
from django.utils import timezone

from .ctgov import RecordError, StudyRecord, parse_study
from .models import (
    ArmGroup,
    Contact,
    ContactRequest,
    CoordinatorAssignment,
    Intervention,
    Outcome,
    Site,
    Trial,
)
from .search import summaries
from .sources import Item, decoded
from .vocabularies import opens

BATCH_SIZE = 250
# Every batch holds this advisory lock shared while it writes; `changes_until` takes it
# alone for a moment, so the time it returns has every earlier batch committed.
CHANGES_LOCK = 7_210_421
CHILDREN = [
    (Site, "sites"),
    (ArmGroup, "arm_groups"),
    (Intervention, "interventions"),
    (Outcome, "outcomes"),
    (Contact, "contacts"),
]
SITE_FIELDS = [
    "position",
    "facility",
    "status",
    "city",
    "state",
    "zip_code",
    "country",
    "latitude",
    "longitude",
    "contacts",
    "listed",
]


@dataclass
class Problem:
    source: str
    position: str
    nct_id: str | None
    message: str

    def __str__(self) -> str:
        where = ", ".join(p for p in [self.source, self.position] if p)
        who = f" [{self.nct_id}]" if self.nct_id else ""
        return f"{where}{who}: {self.message}"


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Sites with coordinators that were renamed or vanished, and what became of them.
    site_changes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def seen(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped

    @property
    def rate(self) -> float:
        return self.seen / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} skipped in {self.seconds:.1f} s ({self.rate:,.0f} studies/s)"
        )


class StrictAbort(Exception):
    """--strict: the first bad record stops the import; nothing is written."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class DatabaseUnavailable(OperationalError):
    """The database could not be reached or went away: no record's fault, so the import
    stops rather than report every study after it as refused. Batches already written
    stay; importing again completes it. (An OperationalError: pages answer it with 503.)"""


# Errors that say the connection failed or was closed, not that a record was refused:
# no SQLSTATE (the client's own), class 08, and the server shutting down or starting.
_GONE_STATES = ("08", "57P01", "57P02", "57P03")


def first_line(exc: Exception) -> str:
    """A database error's message without the detail and hint lines that follow it."""
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def _unreachable(exc: Exception) -> bool:
    error = exc if isinstance(exc, psycopg.Error) else exc.__cause__
    if not isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)):
        return False
    return not error.sqlstate or error.sqlstate.startswith(_GONE_STATES)


def import_items(
    items: Iterable[Item],
    *,
    strict: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[Summary], None] | None = None,
    workers: int = 1,
) -> Summary:
    """Import every study in `items`; with strict=True, all or nothing.

    workers > 1 parses and writes batches in that many processes (each batch still
    one transaction); reading stays here. Inside a transaction, or with strict=True,
    the import runs in this process.
    """
    summary = Summary()
    started = time.monotonic()
    with _fewer_collections():
        if strict:
            with transaction.atomic():
                _run(items, summary, strict, batch_size, progress)
        elif workers > 1 and not connection.in_atomic_block:
            _run_in_workers(items, summary, workers, batch_size, progress)
        else:
            _run(items, summary, strict, batch_size, progress)
    if summary.created or summary.updated:
        summaries.refresh()
        alerts_after_import()
    summary.seconds = time.monotonic() - started
    return summary


@contextlib.contextmanager
def _fewer_collections():
    """Run the cyclic garbage collector less often while importing (the workers, forked
    inside, too).

    Each study makes thousands of short-lived objects that reference counting frees,
    yet they set off collections, and the full ones walk everything Django has loaded.
    Freezing what exists and collecting less often avoids that; memory stays flat, as
    the objects are freed anyway.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _import_chunk(items: list[Item], batch_size: int) -> Summary:
    """In a worker process: import one chunk of items, batch by batch."""
    summary = Summary()
    _run(items, summary, False, batch_size, None)
    return summary


def _run_in_workers(items, summary, workers, batch_size, progress) -> None:
    """Hand chunks of items to worker processes, at most 2 per worker in flight."""
    connection.close()  # the children are forked: none may inherit an open connection
    context = multiprocessing.get_context("fork")
    in_flight: list = []

    def collect(result) -> None:
        done = result.get()
        summary.created += done.created
        summary.updated += done.updated
        summary.unchanged += done.unchanged
        summary.skipped += done.skipped
        summary.problems.extend(done.problems)
        summary.site_changes.extend(done.site_changes)
        if progress:
            progress(summary)

    with context.Pool(workers) as pool:
        try:
            chunk: list[Item] = []
            for item in itertools.chain(items, [None]):
                if item is not None:
                    chunk.append(item)
                    if len(chunk) < batch_size:
                        continue
                if chunk:
                    in_flight.append(pool.apply_async(_import_chunk, (chunk, batch_size)))
                    chunk = []
                while in_flight and (len(in_flight) >= 2 * workers or item is None):
                    collect(in_flight.pop(0))
        except Exception:
            # The chunks already handed out finish (or fail) first: ending the pool while
            # one is still being sent to a worker can hang, the sender waiting for a
            # worker that is gone.
            for result in in_flight:
                result.wait()
            raise


def _parse(item: Item) -> tuple[Item, StudyRecord | None, Problem | None]:
    if item.error:
        return item, None, Problem(item.source, item.position, None, item.error)
    try:
        return item, parse_study(item.study), None
    except RecordError as exc:
        return item, None, Problem(item.source, item.position, exc.nct_id, str(exc))
    except RecursionError:  # writing out a record nested deeper than Python recurses
        return item, None, Problem(item.source, item.position, None, "nested too deeply")


def _run(items, summary, strict, batch_size, progress) -> None:
    batch: dict[str, tuple[Item, StudyRecord]] = {}
    for item, record, problem in map(_parse, decoded(items)):
        if problem:
            summary.skipped += 1
            summary.problems.append(problem)
            if strict:
                raise StrictAbort(problem)
            continue
        if record.nct_id in batch:  # the same study twice: the later one wins
            _write_batch(list(batch.values()), summary, strict)
            batch = {}
        batch[record.nct_id] = (item, record)
        if len(batch) >= batch_size:
            _write_batch(list(batch.values()), summary, strict)
            batch = {}
            reset_queries()  # with DEBUG on, Django would keep thousands of them
            if progress:
                progress(summary)
    if batch:
        _write_batch(list(batch.values()), summary, strict)
    if progress:
        progress(summary)


def _write_batch(batch: list[tuple[Item, StudyRecord]], summary: Summary, strict: bool) -> None:
    try:
        with transaction.atomic():
            counts = _upsert([record for _, record in batch])
    except (DatabaseError, psycopg.Error) as exc:
        if _unreachable(exc):
            raise DatabaseUnavailable(first_line(exc)) from None
        if len(batch) > 1 and not strict:
            for one in batch:  # find the trial the database refused; write the others
                _write_batch([one], summary, strict)
            return
        item, record = batch[0] if len(batch) == 1 else (Item("", ""), None)
        problem = Problem(
            item.source,
            item.position,
            record and record.nct_id,
            f"the database refused it: {first_line(exc)}",
        )
        summary.skipped += len(batch)
        summary.problems.append(problem)
        if strict:
            raise StrictAbort(problem) from exc
        return
    summary.created += counts["created"]
    summary.updated += counts["updated"]
    summary.unchanged += counts["unchanged"]
    summary.site_changes.extend(counts["site_changes"])


def _upsert(records: list[StudyRecord]) -> dict[str, int]:
    with connection.cursor() as cursor:
        # A batch's commit does not wait for its flush to disk. A crash of the machine may
        # lose the last batches written, never part of one: the database stays
        # consistent, and importing again adds them.
        cursor.execute("SET LOCAL synchronous_commit = off")
        # Parallel workers may hold the same study in two batches: one writes it at a time
        # (locks taken in NCT ID order, so two batches cannot deadlock).
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(n)) FROM unnest(%s::text[]) n",
            [sorted(r.nct_id for r in records)],
        )
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [CHANGES_LOCK])
    existing = {
        nct_id: (pk, source_hash, last_update, status)
        for nct_id, pk, source_hash, last_update, status in Trial.objects.filter(
            nct_id__in=[r.nct_id for r in records]
        ).values_list("nct_id", "pk", "source_hash", "last_update", "overall_status")
    }
    new = [r for r in records if r.nct_id not in existing]
    changed = [
        (existing[r.nct_id][0], r)
        for r in records
        if r.nct_id in existing
        and existing[r.nct_id][1] != r.fields["source_hash"]
        and not _older(r.fields["last_update"], existing[r.nct_id][2])
    ]
    trial_ids = list(zip(_next_ids(Trial, len(new)), new, strict=True))
    now = timezone.now()
    if trial_ids:
        # Every record's fields come in the same order; the original JSON goes as its text.
        fields = [name for name in trial_ids[0][1].fields if name != "raw"]
        values = itemgetter(*fields)
        _copy(
            Trial,
            ["id", "imported_at", "first_imported_at", *fields, "raw"],
            [(pk, now, now, *values(r.fields), r.raw_json) for pk, r in trial_ids],
        )
    for pk, record in changed:
        opened = {"opened_at": now} if _opens(existing[record.nct_id], record) else {}
        Trial.objects.filter(pk=pk).update(**record.fields, imported_at=now, **opened)
    summaries.copy_facets([pk for pk, _ in trial_ids] + [pk for pk, _ in changed])
    if changed:
        changed_ids = [pk for pk, _ in changed]
        for model in (ArmGroup, Intervention, Outcome, Contact):
            model.objects.filter(trial_id__in=changed_ids).delete()
        site_changes = _sync_sites(changed)
        # Their other rows were deleted above: the new version's take their place.
        _insert_children(changed, [c for c in CHILDREN if c[0] is not Site])
    else:
        site_changes = []
    _insert_children(trial_ids)
    return {
        "created": len(new),
        "updated": len(changed),
        "unchanged": len(records) - len(new) - len(changed),
        "site_changes": site_changes,
    }


def _opens(stored: tuple, record: StudyRecord) -> bool:
    return opens(stored[3], record.fields["overall_status"])


def changes_until() -> dt.datetime:
    """A time up to which every batch's changes (new trials, trials that opened) are
    committed: it waits for the batches being written, and a batch begun later records
    a later time."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [CHANGES_LOCK])
        try:
            return timezone.now()
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [CHANGES_LOCK])


def alerts_after_import() -> None:
    """Queue the sending of the alerts that are due: the import may bring news."""
    from .alerts.sending import queue_sending  # the alerts read the importer's lock

    queue_sending()


def _older(incoming, stored) -> bool:
    """An older version of a study than the one stored never replaces it."""
    return incoming is not None and stored is not None and incoming < stored


def _insert_children(trial_ids: list[tuple[int, StudyRecord]], children=CHILDREN) -> None:
    for model, attr in children:
        first = next((row for _, r in trial_ids for row in getattr(r, attr)), None)
        if first is None:
            continue
        names = list(first)  # the parser makes every row of a kind with the same keys
        values = itemgetter(*names)
        _copy(
            model,
            ["trial_id", *names],
            [(pk, *values(row)) for pk, r in trial_ids for row in getattr(r, attr)],
        )


def _next_ids(model, count: int) -> list[int]:
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model, names: list[str], rows: list[tuple]) -> None:
    """Insert rows (tuples of the fields `names`) with COPY, which is much faster than
    INSERT for a batch of studies.

    Arrays and JSON arrive as the text PostgreSQL reads them: psycopg's own dumpers
    for them are written in Python and are slow for this volume."""
    fields = [model._meta.get_field(name) for name in names]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    kinds = [f.get_internal_type() for f in fields]
    arrays = [i for i, kind in enumerate(kinds) if kind == "ArrayField"]
    json_columns = [i for i, kind in enumerate(kinds) if kind == "JSONField"]
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                if arrays or json_columns:
                    row = list(row)
                    for i in arrays:
                        row[i] = _text_array(row[i])
                    for i in json_columns:
                        if not isinstance(row[i], str):  # a str is JSON text already
                            row[i] = orjson.dumps(row[i]).decode()
                copy.write_row(row)


def _text_array(values: list[str]) -> str:
    """A list of strings as a PostgreSQL array literal: {"a","b \\"c\\""}."""
    if not values:
        return "{}"
    joined = '","'.join(values)
    if "\\" in joined or joined.count('"') != 2 * (len(values) - 1):  # a value needs escaping
        joined = '","'.join(v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return '{"' + joined + '"}'


def _sync_sites(changed: list[tuple[int, StudyRecord]]) -> list[str]:
    """Update sites in place by their key; keep a vanished site a patient already wrote to.

    A site's key hashes its name, so a site renamed on ClinicalTrials.gov arrives as a
    new site. A coordinator assigned to the old one must not lose their queue: the
    assignment moves to the new site at the same place (same city, state, postcode and
    country) when there is exactly one, else the old site stays, unlisted, with its
    assignment. Returns a line for each such change, for the import's summary.
    """
    trial_ids = [pk for pk, _ in changed]
    current = {(s.trial_id, s.key): s for s in Site.objects.filter(trial_id__in=trial_ids)}
    requested = set(
        ContactRequest.objects.filter(site__trial_id__in=trial_ids).values_list(
            "site_id", flat=True
        )
    )
    assigned = set(
        CoordinatorAssignment.objects.filter(
            trial_id__in=trial_ids, site__isnull=False
        ).values_list("site_id", flat=True)
    )
    to_update, to_create, keep = [], [], set()
    for pk, record in changed:
        for data in record.sites:
            site = current.get((pk, data["key"]))
            if site is None:
                to_create.append(Site(trial_id=pk, **data))
                continue
            keep.add(site.pk)
            for name in SITE_FIELDS:
                setattr(site, name, data[name])
            to_update.append(site)
    gone = [s for s in current.values() if s.pk not in keep]
    Site.objects.bulk_create(to_create)
    notes = [_move_assignments(site, to_create) for site in gone if site.pk in assigned]
    still_assigned = set(
        CoordinatorAssignment.objects.filter(site__in=gone).values_list("site_id", flat=True)
    )
    kept = requested | still_assigned
    Site.objects.filter(pk__in=[s.pk for s in gone if s.pk not in kept]).delete()
    for site in gone:
        if site.pk in kept:
            site.listed = False
            to_update.append(site)
    if to_update:
        Site.objects.bulk_update(to_update, SITE_FIELDS)
    return notes


def _place(site: Site) -> tuple:
    return (site.trial_id, site.city, site.state, site.zip_code, site.country)


def _move_assignments(site: Site, created: list[Site]) -> str:
    """Move the coordinators' assignments of a vanished site to the one new site at its
    place; a line saying what happened either way."""
    assignments = CoordinatorAssignment.objects.filter(site=site).select_related("user", "trial")
    users = ", ".join(sorted(a.user.get_username() for a in assignments))
    nct_id = assignments[0].trial.nct_id
    was = f"{nct_id}: the site “{site.facility or site}” ({', '.join(p for p in (site.city, site.country) if p)})"
    same_place = [s for s in created if _place(s) == _place(site)]
    if len(same_place) != 1:
        return (
            f"{was} is no longer listed; it stays, unlisted, with its coordinators ({users}). "
            "Assign them the site that replaces it."
        )
    new = same_place[0]
    for assignment in assignments:
        duplicate = CoordinatorAssignment.objects.filter(
            user_id=assignment.user_id, trial_id=assignment.trial_id, site=new
        )
        if duplicate.exists():
            assignment.delete()
        else:
            assignment.site = new
            assignment.save(update_fields=["site"])
    return f"{was} is now listed as “{new.facility}”; its coordinators ({users}) moved with it."
