"""purge_contact_requests: delete patients' contact requests older than the retention period.

Run it daily (cron, systemd timer). The history of each request goes with it; the
audit log keeps the deleted ids (no personal data) and why they were deleted.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from trials.models import AuditLogEntry, ContactRequest


def purge_contact_requests(older_than_days: int, *, dry_run: bool = False) -> int:
    """Delete the requests received more than `older_than_days` ago; safe to run twice."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    with transaction.atomic():
        expired = ContactRequest.objects.filter(created_at__lt=cutoff).select_for_update()
        ids = list(expired.values_list("pk", flat=True))
        if ids and not dry_run:
            ContactRequest.objects.filter(pk__in=ids).delete()
            AuditLogEntry.objects.create(
                user=None,
                action=AuditLogEntry.Action.DELETE,
                contact_request_ids=ids,
                detail=f"Retention: received more than {older_than_days} days ago.",
            )
    return len(ids)


class Command(BaseCommand):
    help = (
        "Delete contact requests older than CONTACT_REQUEST_RETENTION_DAYS "
        "(TRIALFINDER_CONTACT_RETENTION_DAYS), with their history."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            help="Keep requests of the last DAYS days instead (default: the setting).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args, days: int | None, dry_run: bool, **options) -> None:
        days = settings.CONTACT_REQUEST_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be 1 or more")
        count = purge_contact_requests(days, dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(
            f"{count} contact request{'s' if count != 1 else ''} older than {days} days {verb}."
        )
