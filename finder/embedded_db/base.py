"""Django's PostgreSQL backend, pointed at the embedded server (started on demand)."""

from __future__ import annotations

from django.conf import settings
from django.db.backends.postgresql import base

from .server import APP_ROLE, ensure_database, ensure_server, forget_server

_created: set[str] = set()


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        socket_dir = ensure_server(settings.PGDATA_DIR)
        self.settings_dict["HOST"] = socket_dir
        self.settings_dict["USER"] = APP_ROLE  # not a superuser (see server.py)
        self.settings_dict.setdefault("PORT", "")
        name = self.settings_dict["NAME"]
        # The test runner connects to "postgres" to create its own database.
        if name and name != "postgres" and not name.startswith("test_") and name not in _created:
            ensure_database(socket_dir, name)
            _created.add(name)
        return super().get_connection_params()

    def get_new_connection(self, conn_params):
        try:
            return super().get_new_connection(conn_params)
        except Exception:
            # The embedded server may have been stopped: start it again, once, then retry.
            forget_server(settings.PGDATA_DIR)
            conn_params["host"] = ensure_server(settings.PGDATA_DIR)
            return super().get_new_connection(conn_params)
