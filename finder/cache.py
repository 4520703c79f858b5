"""A database cache whose counters are atomic, for limits shared by every server process.

Django's DatabaseCache increments a value by reading it and writing it back: two
gunicorn workers counting the same client at once could both write the same number,
and a limit would let requests through uncounted. Here the increment holds the row's
lock between the read and the write, so concurrent increments queue up instead.
"""

from __future__ import annotations

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        with transaction.atomic(using=db):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",
                    [self.make_and_validate_key(key, version=version)],
                )
            return super().incr(key, delta, version)
