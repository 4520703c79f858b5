"""purge_alerts: delete alert subscriptions past their time, and ask before deleting.

Run it daily (cron, systemd timer). It deletes sign-ups never confirmed within the
confirmation link's life, subscriptions not re-confirmed for ALERT_RETENTION_DAYS
(TRIALFINDER_ALERT_RETENTION_DAYS) with their sent log, and links older than that; and
queues a reminder to re-confirm two weeks before a subscription's deletion.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from trials.alerts.subscriptions import CONFIRM_DAYS, purge


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


class Command(BaseCommand):
    help = (
        "Delete unconfirmed alert sign-ups and subscriptions not re-confirmed within "
        "ALERT_RETENTION_DAYS; remind those close to it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be done; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        purged = purge(dry_run=dry_run)
        verb = "would be" if dry_run else ""
        days = settings.ALERT_RETENTION_DAYS
        lines = [
            f"{_n(purged.unconfirmed, 'sign-up')} not confirmed within {CONFIRM_DAYS} days",
            f"{_n(purged.expired, 'subscription')} not re-confirmed for {days} days",
            f"{_n(purged.tokens, 'link')} older than {days} days",
        ]
        for line in lines:
            self.stdout.write(f"{line} {verb + ' ' if verb else ''}deleted.")
        self.stdout.write(
            f"{_n(purged.reminded, 'reminder')} to re-confirm {verb + ' ' if verb else ''}queued."
        )
