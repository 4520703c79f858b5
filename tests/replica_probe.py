"""Requests sent through Django in a process of their own, for tests/test_replication.py.

    python -m tests.replica_probe '[{"get": "/?q=cancer"}, {"contact": "NCT01234567"}]'

The settings come from the environment (DATABASE_URL, DATABASE_REPLICA_URLS). Prints,
as JSON, for each request: its status code, every SQL statement with the database
alias it ran on, the body of a JSON answer, and the version of the search index this
process holds afterwards.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import ExitStack


def main(actions: list[dict]) -> list[dict]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")
    django.setup()
    from django.db import connections
    from django.test import Client

    from trials import contact
    from trials.models import Trial
    from trials.search import bitmaps

    client = Client()
    done = []
    for action in actions:
        queries: list[tuple[str, str]] = []
        if "contact" in action:
            trial = Trial.objects.get(nct_id=action["contact"])
            offered = contact.contactable_sites(list(trial.sites.all()))
            form = {
                "first_name": "Ada",
                "last_name": "Probe",
                "email": "ada.probe@example.net",
                "phone": "+44 20 7946 0958",
                "consent": "on",
                **({"site": str(offered[0].pk)} if len(offered) > 1 else {}),
            }
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(_recorder(alias, queries)))
            if "get" in action:
                response = client.get(action["get"])
            else:
                response = client.post(f"/trials/{action['contact']}/contact/", form)
        loaded = bitmaps._loaded
        done.append(
            {
                "status": response.status_code,
                "queries": queries,
                "json": response.json() if response["Content-Type"] == "application/json" else None,
                "index": loaded.version if loaded else None,
            }
        )
    return done


def _recorder(alias: str, queries: list):
    def record(execute, sql, params, many, context):
        queries.append((alias, sql))
        return execute(sql, params, many, context)

    return record


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
