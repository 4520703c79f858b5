from django.apps import AppConfig


class FinderConfig(AppConfig):
    name = "finder"
    verbose_name = "Patient site"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)
