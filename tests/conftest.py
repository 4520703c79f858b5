"""Shared fixtures: the real ClinicalTrials.gov records, loaded once into the test database."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from django.conf import settings

from finder.catalogues import compile_catalogues

# The .mo files are built, not committed: a fresh checkout's tests read the catalogues too.
compile_catalogues()

SHARED = Path(settings.BASE_DIR).parent / "shared"
CTGOV = SHARED / "data" / "ctgov"
STUDIES = CTGOV / "studies.jsonl.gz"
EDGE_CASES = CTGOV / "edge-cases.jsonl"


def read_studies(path: Path = STUDIES) -> list[dict]:
    """The records as JSON, read independently of the importer."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fp:
        return [json.loads(line) for line in fp if line.strip()]


@pytest.fixture(scope="session")
def real_studies() -> list[dict]:
    return read_studies(STUDIES)


@pytest.fixture(scope="session")
def edge_studies() -> list[dict]:
    return read_studies(EDGE_CASES)


def keep_sequences_ahead() -> None:
    """Call after loaddata: it resets id sequences to the fixture's highest key, and a
    sequence ignores the test's rollback, so later inserts would reuse the ids of the
    real records. Move every sequence of the trials app well past them, for good."""
    from django.apps import apps
    from django.db import connection

    with connection.cursor() as cursor:
        for model in apps.get_app_config("trials").get_models():
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)",
                [model._meta.db_table, model._meta.pk.column],
            )
            sequence = cursor.fetchone()[0]
            if sequence:
                cursor.execute(f"SELECT last_value FROM {sequence}")
                cursor.execute(
                    "SELECT setval(%s, %s)", [sequence, max(cursor.fetchone()[0], 10_000_000)]
                )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the real records imported (tests roll back their changes)."""
    from django.core.management import call_command

    from trials.importer import import_items
    from trials.sources import iter_paths

    with django_db_blocker.unblock():
        call_command("load_places", verbosity=0)
        import_items(iter_paths([STUDIES, EDGE_CASES]))


CHROMIUM = Path("/usr/bin/chromium")
BROWSER_SKIP = (
    "Chromium is not installed: browser tests skipped (apt-get install chromium, then make test)"
)


def pytest_collection_modifyitems(config, items):
    if items and not (STUDIES.exists() and EDGE_CASES.exists()):
        # Most tests check results against these records: without them, stop here with
        # the reason rather than fail by the dozen.
        raise pytest.UsageError(
            f"the real ClinicalTrials.gov records are not at {CTGOV}: "
            "the tests need the shared folder beside the checkout (../shared)"
        )
    browser_tests = [item for item in items if "browser" in item.keywords]
    if not browser_tests or CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI=true but {CHROMIUM} is missing: the browser tests cannot run")
    for item in browser_tests:
        item.add_marker(pytest.mark.skip(reason=BROWSER_SKIP))
    config._browser_tests_skipped = len(browser_tests)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = getattr(config, "_browser_tests_skipped", 0)
    if skipped:
        terminalreporter.write_line(
            f"NOTE: {skipped} browser tests were SKIPPED because {CHROMIUM} is missing. "
            "To run them: sudo apt-get install chromium, then make test.",
            yellow=True,
            bold=True,
        )


@pytest.fixture(autouse=True)
def english_between_tests():
    """A request in another language leaves that language active in the thread (as
    LocaleMiddleware does for each request): each test starts in English."""
    from django.utils import translation

    yield
    translation.activate("en")
