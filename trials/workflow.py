"""The coordinators' side of contact requests: who sees which, the status workflow, the audit log.

`visible_to(queryset, user)` is the one visibility rule: a superuser sees every
request; anyone else sees the requests of the trials (or single sites) they are
assigned to, and nothing when they have no assignment. The admin applies it to
every queryset it builds, so lists, change pages, history, search, autocomplete,
actions and the CSV export all share it.

`change_status`, `assign` and `add_note` are the only code that moves a request
along: each records a ContactRequestEvent, so the history says who did what and
when. The admin's change form and its bulk action both call them.

The study team's plain-language summary of a trial follows the same idea:
`summary_trials(user)` is the one rule for which trials a user may write one for
(a superuser any; a coordinator those they are assigned as a whole, without a
site, since the summary speaks for the whole study), and `save_summary` /
`delete_summary` write it and its audit log entry together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import (
    AuditLogEntry,
    ContactRequest,
    ContactRequestEvent,
    CoordinatorAssignment,
    TeamSummary,
    Trial,
)

Status = ContactRequest.Status
User = AbstractBaseUser | AnonymousUser

FORWARD = [Status.NEW, Status.CONTACTED, Status.PRE_SCREENING, Status.SCHEDULED, Status.ENROLLED]
FINAL = frozenset({Status.ENROLLED, Status.NOT_ELIGIBLE, Status.WITHDREW})
# A request waiting longer than this for a first answer is shown as late.
WAITING_TOO_LONG = dt.timedelta(hours=24)


class InvalidTransition(Exception):
    """A status change the workflow does not allow; the message is meant for the coordinator."""


def label(status: str) -> str:
    return Status(status).label if status in Status.values else status


# Visibility


def assignment_covers(user: User) -> Exists:
    """True for a ContactRequest row that one of `user`'s assignments covers."""
    return Exists(
        CoordinatorAssignment.objects.filter(user_id=user.pk, trial_id=OuterRef("trial_id")).filter(
            Q(site__isnull=True) | Q(site_id=OuterRef("site_id"))
        )
    )


def visible_to(queryset: QuerySet[ContactRequest], user: User) -> QuerySet[ContactRequest]:
    if not user.is_active or not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(assignment_covers(user))


def assignable_users(request: ContactRequest) -> QuerySet:
    """Who may be assigned a request: active staff who can see it, and its current assignee."""
    covers = CoordinatorAssignment.objects.filter(
        user_id=OuterRef("pk"), trial_id=request.trial_id
    ).filter(Q(site__isnull=True) | Q(site_id=request.site_id))
    return (
        get_user_model()
        .objects.filter(
            Q(is_active=True, is_staff=True) & (Q(is_superuser=True) | Exists(covers))
            | Q(pk=request.assignee_id)
        )
        .order_by("username")
    )


def is_late(request: ContactRequest) -> bool:
    """No first answer yet, and the patient has waited longer than they should."""
    return (
        request.first_response_at is None and timezone.now() - request.created_at > WAITING_TOO_LONG
    )


def can_reopen(user: User) -> bool:
    return bool(user.is_superuser)


# Transitions


def next_statuses(current: str, *, reopen: bool = False) -> list[str]:
    """The statuses a request in `current` may move to (a superuser may reopen a final one)."""
    if current in FINAL:
        return [s for s in Status.values if s != current] if reopen else []
    following = FORWARD[FORWARD.index(current) + 1]
    return [following, Status.NOT_ELIGIBLE, Status.WITHDREW]


def check_transition(current: str, new: str, *, reopen: bool = False) -> None:
    if new not in Status.values:
        raise InvalidTransition(f"“{new}” is not a status.")
    if new == current or new in next_statuses(current, reopen=reopen):
        return
    if current in FINAL:
        raise InvalidTransition(
            f"“{label(current)}” is a final status: the request cannot become "
            f"“{label(new)}”. Only a superuser can reopen it."
        )
    following = FORWARD[FORWARD.index(current) + 1]
    raise InvalidTransition(
        f"A request that is “{label(current)}” cannot become “{label(new)}”: the next step is "
        f"“{label(following)}” (or “Not eligible” / “Withdrew”)."
    )


@transaction.atomic
def change_status(request_id: int, new: str, actor: User) -> ContactRequest:
    """Move one request to `new`, recording who did it; raises InvalidTransition."""
    request = ContactRequest.objects.select_for_update().get(pk=request_id)
    current = request.status
    check_transition(current, new, reopen=can_reopen(actor))
    if new == current:
        return request
    now = timezone.now()
    request.status = new
    request.status_changed_at = now
    if request.first_response_at is None and current == Status.NEW:
        request.first_response_at = now
    request.save(update_fields=["status", "status_changed_at", "first_response_at"])
    ContactRequestEvent.objects.create(
        request=request,
        kind=ContactRequestEvent.Kind.STATUS,
        actor=_user_or_none(actor),
        from_status=current,
        to_status=new,
    )
    return request


@transaction.atomic
def assign(request_id: int, assignee: AbstractBaseUser | None, actor: User) -> ContactRequest:
    request = ContactRequest.objects.select_for_update().get(pk=request_id)
    new_id = assignee.pk if assignee else None
    if request.assignee_id == new_id:
        return request
    request.assignee = assignee
    request.save(update_fields=["assignee"])
    ContactRequestEvent.objects.create(
        request=request,
        kind=ContactRequestEvent.Kind.ASSIGNED,
        actor=_user_or_none(actor),
        note=f"Assigned to {assignee.get_username()}" if assignee else "Unassigned",
    )
    return request


def add_note(request_id: int, text: str, actor: User) -> ContactRequestEvent | None:
    text = text.strip()
    if not text:
        return None
    return ContactRequestEvent.objects.create(
        request_id=request_id,
        kind=ContactRequestEvent.Kind.NOTE,
        actor=_user_or_none(actor),
        note=text,
    )


def _user_or_none(user: User) -> AbstractBaseUser | None:
    return user if user.is_authenticated else None


# Audit log


def audit(user: User, action: str, ids: Iterable[int], detail: str = "") -> AuditLogEntry:
    return AuditLogEntry.objects.create(
        user=_user_or_none(user),
        action=action,
        contact_request_ids=sorted(set(ids)),
        detail=detail,
    )


# The study team's own summary of a trial


def summary_trials(user: User) -> QuerySet[Trial]:
    """The trials `user` may write the plain-language summary of."""
    if not user.is_active or not user.is_authenticated or not user.is_staff:
        return Trial.objects.none()
    if user.is_superuser:
        return Trial.objects.all()
    whole_trial = CoordinatorAssignment.objects.filter(
        user_id=user.pk, trial_id=OuterRef("pk"), site__isnull=True
    )
    return Trial.objects.filter(Exists(whole_trial))


def summaries_visible_to(queryset: QuerySet[TeamSummary], user: User) -> QuerySet[TeamSummary]:
    return queryset.filter(trial__in=summary_trials(user).values("pk"))


@transaction.atomic
def save_summary(summary: TeamSummary, actor: User) -> TeamSummary:
    """Write a summary and record in the audit log who wrote what (the text is public)."""
    created = summary.pk is None
    summary.updated_by = _user_or_none(actor)
    summary.save()
    AuditLogEntry.objects.create(
        user=_user_or_none(actor),
        action=AuditLogEntry.Action.CREATE if created else AuditLogEntry.Action.CHANGE,
        nct_id=summary.trial.nct_id,
        detail=f"Plain-language summary {'written' if created else 'changed'}:\n{summary.text}",
    )
    return summary


@transaction.atomic
def delete_summary(summary: TeamSummary, actor: User) -> None:
    AuditLogEntry.objects.create(
        user=_user_or_none(actor),
        action=AuditLogEntry.Action.DELETE,
        nct_id=summary.trial.nct_id,
        detail=f"Plain-language summary deleted; it read:\n{summary.text}",
    )
    summary.delete()
