"""`manage.py build_seed_fixture`: rebuild fixtures/seed_trials.json from the seed studies.

fixtures/source/seed_studies.json holds the seed pages' trials, transcribed into
ClinicalTrials.gov API v2 JSON. This command imports them with the real importer
inside a transaction it rolls back, and writes what was stored as a fixture, so
the fixture always matches what an import of the same studies stores.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from trials.importer import import_items
from trials.models import ArmGroup, Contact, Intervention, Outcome, Site, Trial
from trials.sources import iter_paths

SOURCE = Path(settings.BASE_DIR) / "fixtures" / "source" / "seed_studies.json"
TARGET = Path(settings.BASE_DIR) / "fixtures" / "seed_trials.json"


class _Rollback(Exception):
    pass


def build_fixture() -> tuple[str, list[str]]:
    """Return the fixture's JSON text and the problems met while importing the source."""
    try:
        with transaction.atomic():
            if Trial.objects.exists():
                raise CommandError("build_seed_fixture needs an empty trials table")
            summary = import_items(iter_paths([SOURCE]))
            parts = []
            for model in (Trial, Site, ArmGroup, Intervention, Outcome, Contact):
                stored = [f.name for f in model._meta.concrete_fields if not f.generated]
                parts.append(
                    serializers.serialize("python", model.objects.order_by("pk"), fields=stored)
                )
            text = json.dumps(_renumber(parts), indent=1, ensure_ascii=False, cls=DjangoJSONEncoder)
            raise _Rollback
    except _Rollback:
        pass
    return text, [str(p) for p in summary.problems]


def _renumber(parts: list[list[dict]]) -> list[dict]:
    """Primary keys 1, 2, 3... per model, so the fixture does not depend on sequences."""
    trials, *children = parts
    trial_pks = {obj["pk"]: number for number, obj in enumerate(trials, start=1)}
    for obj in trials:
        obj["pk"] = trial_pks[obj["pk"]]
    for rows in children:
        for number, obj in enumerate(rows, start=1):
            obj["pk"] = number
            obj["fields"]["trial"] = trial_pks[obj["fields"]["trial"]]
    return [obj for rows in parts for obj in rows]


class Command(BaseCommand):
    help = "Rebuild fixtures/seed_trials.json from fixtures/source/seed_studies.json."

    def handle(self, *args, **options):
        text, problems = build_fixture()
        for problem in problems:
            self.stderr.write(f"left out: {problem}")
        TARGET.write_text(text + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {TARGET.relative_to(settings.BASE_DIR)}")
