"""`manage.py create_coordinator USERNAME --trial NCT... [--site ID...]`: a study coordinator.

Creates (or updates) a staff user in the "Coordinators" group and assigns it
trials or single sites; safe to run twice. The password is asked for when run
in a terminal; otherwise the account gets none and `manage.py changepassword`
(or the admin) sets it.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from trials.models import CoordinatorAssignment, Site, Trial

GROUP = "Coordinators"


@transaction.atomic
def create_coordinator(
    username: str, *, email: str = "", nct_ids: Sequence[str] = (), site_ids: Sequence[int] = ()
) -> tuple[object, bool, int]:
    """The user, whether it was created, and how many assignments were added."""
    trials = {t.nct_id: t for t in Trial.objects.filter(nct_id__in=[n.upper() for n in nct_ids])}
    if missing := sorted({n.upper() for n in nct_ids} - set(trials)):
        raise CommandError(f"no trial with NCT ID {', '.join(missing)}")
    sites = {s.pk: s for s in Site.objects.filter(pk__in=site_ids).select_related("trial")}
    if missing := sorted(set(site_ids) - set(sites)):
        raise CommandError(f"no site with id {', '.join(map(str, missing))}")
    try:
        group = Group.objects.get(name=GROUP)
    except Group.DoesNotExist:
        raise CommandError(f'the "{GROUP}" group is missing: run `manage.py migrate`') from None
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": email, "is_staff": True}
    )
    if created:
        user.set_unusable_password()
    user.is_staff = True
    if email:
        user.email = email
    user.save()
    user.groups.add(group)
    added = 0
    for trial in trials.values():
        added += CoordinatorAssignment.objects.get_or_create(user=user, trial=trial, site=None)[1]
    for site in sites.values():
        added += CoordinatorAssignment.objects.get_or_create(
            user=user, trial=site.trial, site=site
        )[1]
    return user, created, added


class Command(BaseCommand):
    help = (
        'Create or update a study coordinator: a staff user in the "Coordinators" group, '
        "assigned the given trials (all their sites) and single sites."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--trial", action="append", default=[], metavar="NCT_ID", help="repeatable"
        )
        parser.add_argument(
            "--site",
            action="append",
            default=[],
            type=int,
            metavar="SITE_ID",
            help="one site of a trial (its id in the admin); repeatable",
        )
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="do not ask a password"
        )

    def handle(self, *args, username, email, trial, site, interactive, **options):
        user, created, added = create_coordinator(
            username, email=email, nct_ids=trial, site_ids=site
        )
        if interactive and sys.stdin.isatty() and created:
            self._ask_password(user)
        self.stdout.write(
            f"{'Created' if created else 'Updated'} coordinator {user.get_username()}: "
            f"{added} new assignment(s), {user.trial_assignments.count()} in all."
        )
        if not user.has_usable_password():
            self.stdout.write(
                f"No password yet: run `manage.py changepassword {user.get_username()}`."
            )

    def _ask_password(self, user) -> None:
        while True:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords differ.")
                continue
            try:
                validate_password(password, user)
            except ValidationError as exc:
                self.stderr.write("\n".join(exc.messages))
                continue
            user.set_password(password)
            user.save(update_fields=["password"])
            return
