"""`manage.py seed_if_empty`: load the seed trials on a database that has no trials yet."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from trials.models import Trial


class Command(BaseCommand):
    help = "Load fixtures/seed_trials.json when the database holds no trials (used by `make run`)."

    def handle(self, *args, **options):
        if Trial.objects.exists():
            self.stdout.write(
                f"{Trial.objects.count()} trials already there; seed data not loaded."
            )
            return
        call_command("loaddata", "seed_trials", verbosity=options["verbosity"])
