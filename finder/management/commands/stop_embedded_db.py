"""`manage.py stop_embedded_db`: stop the embedded PostgreSQL server (`make stop-db`)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from finder.embedded_db.server import stop_server


class Command(BaseCommand):
    help = "Stop the embedded PostgreSQL server that runs when DATABASE_URL is unset."

    def handle(self, *args, **options):
        stopped = stop_server(settings.PGDATA_DIR)
        self.stdout.write("Stopped the embedded PostgreSQL." if stopped else "It was not running.")
