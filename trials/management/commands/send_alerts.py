"""send_alerts: queue the e-mail alerts that are due (run it from cron, e.g. hourly).

Every import also queues a run at its end. Safe to run twice, or at the same time as
another run (the second does nothing); a run stopped half-way is completed by the next.
The e-mails themselves go out through the task queue (`manage.py db_worker`).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from trials.alerts.sending import send_due


class Command(BaseCommand):
    help = (
        "Queue an e-mail for each subscription that is due and has trials new to it "
        "(sent by db_worker)."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(str(send_due()))
