"""The Django admin: trials as imported (read-only) and the coordinators' contact request queue.

Coordinators are staff users in the "Coordinators" group (migration 0003) with
CoordinatorAssignments. Every contact request queryset here passes through
`workflow.visible_to`, so a request a coordinator cannot see they cannot open,
change, search, autocomplete, export or read the history of either. Views,
changes and exports of requests go to the audit log, which only superusers read.
Coordinators assigned to a whole trial also write its plain-language summary
(summaries.py); each change to one goes to the audit log too.
"""

from . import access, alerts, requests, summaries, trials  # noqa: F401  (each registers its ModelAdmins)
