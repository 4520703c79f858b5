from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TrialsConfig(AppConfig):
    name = "trials"
    verbose_name = "Trials"

    def ready(self):
        from .models import Trial
        from .search.summaries import refresh_after_fixture

        # `loaddata seed_trials` writes trials without the importer: copy their facets and
        # rebuild the search summaries once its transaction commits.
        post_save.connect(refresh_after_fixture, sender=Trial, dispatch_uid="trials-fixture")
        # A deleted trial leaves the data version as it was: drop the search bitmaps,
        # which still count it (searches go to PostgreSQL until the next rebuild).
        post_delete.connect(forget_bitmaps, sender=Trial, dispatch_uid="trials-forget-bitmaps")


def forget_bitmaps(sender, **kwargs) -> None:
    from .search import bitmaps

    bitmaps.forget()
