"""The database a search reads the trials from.

Searches read the catalogue (the trials, their sites and the stored index) through the
connection the project's database router picks for the Trial model: a read replica for a
request that only reads, when the site has replicas; the default database otherwise.
Writes (an import's rebuilds) stay on `django.db.connection`.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper


def reading() -> BaseDatabaseWrapper:
    # The model by name: tsquery, which reads here, is imported while the models load.
    return connections[router.db_for_read(apps.get_model("trials", "Trial"))]
