"""Background work, run by `manage.py db_worker` (django-tasks): the e-mails of contact
requests, and the import of files uploaded in the admin.

Each task takes the ContactRequest id only (task arguments are stored and logged;
personal data is not). A task sends one e-mail at most once: it claims it (a
committed mark, `*_sending_since`), sends it holding no database lock, then records
the time in `team_notified_at` / `patient_notified_at`. Every SMTP step times out
after EMAIL_TIMEOUT seconds, so a mail server that never answers holds up one
attempt, not the queue. When the mail server is down the
task does not fail: it queues itself again after 1, 2, 4... minutes (see the
CONTACT_EMAIL_* settings), so the request waits in the database until the server
is back. Log lines name the request id and the exception class, never its message
(SMTP errors quote addresses).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import getaddresses
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_tasks import task

from .models import ContactRequest, ImportUpload

logger = logging.getLogger(__name__)

SENT = "sent"
ALREADY_SENT = "already sent"
GONE = "gone"
RETRYING = "retry scheduled"
GAVE_UP = "gave up"
BEING_SENT = "being sent by another worker"


def team_addresses(request: ContactRequest) -> list[tuple[str, str]]:
    """The (name, address) pairs the request was sent to, as the patient was told."""
    return [(name, email) for name, email in getaddresses([request.team_recipients]) if email]


def sent_via_coordinators(request: ContactRequest) -> bool:
    return [email for _, email in team_addresses(request)] == [settings.COORDINATOR_INBOX]


def _context(request: ContactRequest) -> dict:
    return {
        "request": request,
        "trial": request.trial,
        "team": team_addresses(request),
        "via_coordinators": sent_via_coordinators(request),
        "trial_url": settings.CONTACT_SITE_URL.rstrip("/") + request.trial.get_absolute_url(),
        "request_url": settings.CONTACT_SITE_URL.rstrip("/")
        + reverse("admin:trials_contactrequest_change", args=[request.pk]),
        "reply_days": settings.CONTACT_REPLY_WORKING_DAYS,
        "retention_days": settings.CONTACT_REQUEST_RETENTION_DAYS,
        "SITE_NAME": settings.SITE_NAME,
    }


@sensitive_variables()
def team_message(request: ContactRequest) -> EmailMessage:
    context = _context(request)
    return EmailMessage(
        subject=render_to_string("emails/team_request_subject.txt", context).strip(),
        body=render_to_string("emails/team_request.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email for _, email in context["team"]] or [settings.COORDINATOR_INBOX],
        reply_to=[request.email],
    )


@sensitive_variables()
def patient_message(request: ContactRequest) -> EmailMessage:
    context = _context(request)
    return EmailMessage(
        subject=render_to_string("emails/patient_copy_subject.txt", context).strip(),
        body=render_to_string("emails/patient_copy.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[request.email],
        reply_to=[settings.COORDINATOR_INBOX],
    )


class EmailNotSent(Exception):
    """An e-mail failed for another reason than the mail server (the message says which)."""


def retry_delay(attempt: int) -> dt.timedelta:
    """1, 2, 4, 8... times CONTACT_EMAIL_RETRY_SECONDS after attempt 1, 2, 3..., capped."""
    seconds = settings.CONTACT_EMAIL_RETRY_SECONDS * 2 ** (attempt - 1)
    return dt.timedelta(seconds=min(seconds, settings.CONTACT_EMAIL_RETRY_MAX_SECONDS))


@dataclass(frozen=True)
class Email:
    """One of a request's two e-mails, and its columns on ContactRequest."""

    what: str
    sent: str
    sending: str
    attempts: str
    gave_up: str

    def unsent(self) -> QuerySet[ContactRequest]:
        return ContactRequest.objects.filter(**{f"{self.sent}__isnull": True})


TEAM = Email(
    "e-mail to the study team",
    "team_notified_at",
    "team_sending_since",
    "team_email_attempts",
    "team_email_gave_up_at",
)
PATIENT = Email(
    "copy to the patient",
    "patient_notified_at",
    "patient_sending_since",
    "patient_email_attempts",
    "patient_email_gave_up_at",
)
# A claim older than this belongs to a worker that died while sending: another may take it.
# Far longer than a send can last with EMAIL_TIMEOUT on every step of the SMTP exchange.
CLAIM_EXPIRES = dt.timedelta(minutes=15)


def _claim(request_id: int, email: Email, attempt: int) -> str | None:
    """Mark the e-mail as being sent, and commit: None when this worker may send it,
    else why not. No lock outlives this statement, so a coordinator's change of the
    request never waits for the mail server."""
    now = timezone.now()
    claimed = (
        email.unsent()
        .filter(pk=request_id)
        .filter(
            Q(**{f"{email.sending}__isnull": True})
            | Q(**{f"{email.sending}__lt": now - CLAIM_EXPIRES})
        )
        .update(**{email.sending: now, email.attempts: attempt, email.gave_up: None})
    )
    if claimed:
        return None
    state = ContactRequest.objects.filter(pk=request_id).values(email.sent).first()
    if state is None:
        return GONE  # purged (retention) before the mail could go
    return ALREADY_SENT if state[email.sent] else BEING_SENT


def _release(request_id: int, email: Email, **done) -> None:
    ContactRequest.objects.filter(pk=request_id).update(**{email.sending: None}, **done)


@sensitive_variables()
def _deliver(
    this_task,
    request_id: int,
    attempt: int,
    email: Email,
    build: Callable[[ContactRequest], EmailMessage],
) -> str:
    """Claim the e-mail (committed), send it holding no lock, then record that it went."""
    if refused := _claim(request_id, email, attempt):
        return refused
    try:
        request = ContactRequest.objects.select_related("trial", "site").get(pk=request_id)
        build(request).send()
    except ContactRequest.DoesNotExist:
        return GONE
    except (smtplib.SMTPException, OSError) as exc:  # socket.timeout is an OSError
        if attempt >= settings.CONTACT_EMAIL_MAX_ATTEMPTS:
            _release(request_id, email, **{email.gave_up: timezone.now()})
        else:
            _release(request_id, email)
        return _schedule_retry(this_task, request_id, attempt, email.what, exc)
    except Exception as exc:
        _release(request_id, email)
        # A bug, not an outage: fail the task, but with nothing of the patient in the
        # stored traceback (an exception's message may quote a name or an address).
        logger.error(
            "contact request %s: %s failed (%s)", request_id, email.what, type(exc).__name__
        )
        raise EmailNotSent(f"{email.what}: {type(exc).__name__}") from None
    _release(request_id, email, **{email.sent: timezone.now()})
    logger.info("contact request %s: %s sent", request_id, email.what)
    return SENT


def _schedule_retry(this_task, request_id: int, attempt: int, what: str, exc: Exception) -> str:
    name = type(exc).__name__
    if attempt >= settings.CONTACT_EMAIL_MAX_ATTEMPTS:
        logger.error(
            "contact request %s: %s failed %s times (%s); giving up, "
            "the request stays stored and unsent",
            request_id,
            what,
            attempt,
            name,
        )
        return GAVE_UP
    delay = retry_delay(attempt)
    again = this_task
    if again.get_backend().supports_defer:
        again = again.using(run_after=timezone.now() + delay)
    logger.warning(
        "contact request %s: %s failed (%s), attempt %s of %s; trying again in %ss",
        request_id,
        what,
        name,
        attempt,
        settings.CONTACT_EMAIL_MAX_ATTEMPTS,
        int(delay.total_seconds()),
    )
    again.enqueue(request_id, attempt=attempt + 1)
    return RETRYING


@task()
def notify_study_team(request_id: int, attempt: int = 1) -> str:
    """E-mail the request to the study team (or the coordinators), replying to the patient."""
    return _deliver(notify_study_team, request_id, attempt, TEAM, team_message)


@task()
def send_patient_copy(request_id: int, attempt: int = 1) -> str:
    """E-mail the patient a copy: who received their details and what happens next."""
    return _deliver(send_patient_copy, request_id, attempt, PATIENT, patient_message)


def send_again(request_ids: list[int]) -> int:
    """Queue again the e-mails of these requests that were never sent (the worker gave
    up, or a worker died sending them); how many were queued."""
    queued = 0
    for email, send in ((TEAM, notify_study_team), (PATIENT, send_patient_copy)):
        ids = list(email.unsent().filter(pk__in=request_ids).values_list("pk", flat=True))
        ContactRequest.objects.filter(pk__in=ids).update(
            **{email.gave_up: None, email.attempts: 0, email.sending: None}
        )
        for pk in ids:
            send.enqueue(pk)
        queued += len(ids)
    return queued


# Uploads from the admin


MAX_PROBLEMS_KEPT = 500


@task()
def import_upload(upload_id: int) -> str:
    """Import a file uploaded in the admin (ImportUpload), then delete the stored copy."""
    from .importer import DatabaseUnavailable, StrictAbort, import_items
    from .sources import iter_paths

    claimed = ImportUpload.objects.filter(pk=upload_id, state=ImportUpload.State.QUEUED).update(
        state=ImportUpload.State.RUNNING
    )
    if not claimed:
        return GONE
    upload = ImportUpload.objects.get(pk=upload_id)
    path = upload.path

    def named(text: str) -> str:  # problems name the stored copy: show the uploaded name
        return text.replace(path, upload.name)

    try:
        items = iter_paths([path], max_bytes=settings.IMPORT_UPLOAD_MAX_MB << 20)
        summary = import_items(items, strict=upload.strict)
    except StrictAbort as exc:
        upload.state = ImportUpload.State.STOPPED
        upload.message = named(str(exc))
    except DatabaseUnavailable as exc:
        upload.state = ImportUpload.State.FAILED
        upload.message = f"The database could not be reached ({exc}); upload the file again."
    else:
        upload.state = ImportUpload.State.DONE
        for name in ("created", "updated", "unchanged", "skipped", "seconds"):
            setattr(upload, name, getattr(summary, name))
        upload.problems = [named(str(p)) for p in summary.problems[:MAX_PROBLEMS_KEPT]]
        upload.problems_not_shown = max(0, len(summary.problems) - MAX_PROBLEMS_KEPT)
        upload.site_changes = summary.site_changes
    finally:
        Path(path).unlink(missing_ok=True)
        upload.finished_at = timezone.now()
        upload.save()
    logger.info("upload %s: %s", upload_id, upload.get_state_display())
    return upload.state
