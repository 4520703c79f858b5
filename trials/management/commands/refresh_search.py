"""`manage.py refresh_search`: rebuild what search reads precomputed, without an import."""

import time

from django.core.management.base import BaseCommand

from trials.search import summaries


class Command(BaseCommand):
    help = (
        "Rebuild the condition vocabulary, the status counts and the search bitmaps "
        "(every import does this; run it after deleting trials, or on a database from an "
        "older version)."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        summaries.refresh()
        self.stdout.write(f"Search summaries rebuilt in {time.monotonic() - started:.1f} s.")
