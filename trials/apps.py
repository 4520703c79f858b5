from django.apps import AppConfig
from django.db.models.signals import post_save


class TrialsConfig(AppConfig):
    name = "trials"
    verbose_name = "Trials"

    def ready(self):
        from .importer import refresh_after_fixture
        from .models import TrialFacets

        # `loaddata seed_trials` writes trials without the importer: rebuild the search
        # summaries once its transaction commits.
        post_save.connect(refresh_after_fixture, sender=TrialFacets, dispatch_uid="trials-fixture")
