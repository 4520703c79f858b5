"""purge_shared_lists: delete the shared lists whose link has expired.

Run it daily (cron, systemd timer), like purge_contact_requests. Revoked and destroyed
lists are deleted at once; this deletes the ciphertext of the expired ones, and the
per-address counts of sharing older than a day.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from trials import sharing


class Command(BaseCommand):
    help = "Delete shared lists whose link has expired, and sharing's per-address counts older than a day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        lists, events = sharing.purge(dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(
            f"{lists} expired shared list{'s' if lists != 1 else ''} {verb}; "
            f"{events} per-address count{'s' if events != 1 else ''} {verb}."
        )
