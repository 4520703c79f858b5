"""`manage.py import_ctgov PATH [PATH ...]` or `--api QUERY`: import ClinicalTrials.gov studies."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError

from trials.ctgov_api import ApiUnavailable, iter_api
from trials.importer import StrictAbort, Summary, first_line, import_items
from trials.sources import iter_paths


class Command(BaseCommand):
    help = (
        "Import ClinicalTrials.gov API v2 studies from files (one study, an API page, a JSON array, "
        "JSON Lines, gzip of these, the bulk ZIP, or directories of them) or from the live API."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="files or directories to import")
        parser.add_argument(
            "--api",
            metavar="QUERY",
            help="fetch from the ClinicalTrials.gov API v2, e.g. "
            "'query.cond=lupus nephritis&filter.overallStatus=RECRUITING'",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes that parse and write in parallel (e.g. the number of cores); default 1",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="stop at the first bad record and write nothing at all",
        )

    def handle(self, *args, paths, api, strict, workers, **options):
        if bool(paths) == bool(api):
            raise CommandError("give either one or more PATHs or --api QUERY")
        # Parallel workers decode JSON Lines themselves: the reading process only splits lines.
        items = iter_api(api) if api else iter_paths(paths, deferred=workers > 1)
        show_bar = sys.stderr.isatty() and options["verbosity"] > 0
        try:
            summary = import_items(
                items, strict=strict, workers=workers, progress=self._bar if show_bar else None
            )
        except StrictAbort as exc:
            raise CommandError(
                f"--strict: stopped at a bad record, nothing was written.\n  {exc}"
            ) from None
        except ApiUnavailable as exc:
            raise CommandError(f"ClinicalTrials.gov API: {exc}") from None
        except (OperationalError, InterfaceError) as exc:  # importer.DatabaseUnavailable too
            kept = (
                "With --strict, nothing was written"
                if strict
                else "The studies written before that are kept, whole batches only"
            )
            raise CommandError(
                f"the database could not be reached ({first_line(exc)}). {kept}; run the import "
                "again to complete it."
            ) from None
        finally:
            if show_bar:
                sys.stderr.write("\n")
        for problem in summary.problems:
            self.stderr.write(f"skipped: {problem}")
        for change in summary.site_changes:
            self.stdout.write(f"Coordinators' site: {change}")
        self.stdout.write(f"Imported: {summary}")
        if summary.skipped:
            raise CommandError(
                f"{summary.skipped} record(s) skipped; see the messages above", returncode=1
            )

    def _bar(self, summary: Summary) -> None:
        sys.stderr.write(
            f"\r{summary.seen:>9,} studies  {summary.created:,} created  {summary.updated:,} updated  "
            f"{summary.unchanged:,} unchanged  {summary.skipped:,} skipped"
        )
        sys.stderr.flush()
