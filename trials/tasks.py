"""Background e-mails for contact requests, run by `manage.py db_worker` (django-tasks).

Each task takes the ContactRequest id only (task arguments are stored and logged;
personal data is not). A task sends one e-mail at most once: it records the time
in `team_notified_at` / `patient_notified_at`. When the mail server is down the
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
from email.utils import getaddresses

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_tasks import task

from .models import ContactRequest

logger = logging.getLogger(__name__)

SENT = "sent"
ALREADY_SENT = "already sent"
GONE = "gone"
RETRYING = "retry scheduled"
GAVE_UP = "gave up"
WHAT = {
    "team_notified_at": "e-mail to the study team",
    "patient_notified_at": "copy to the patient",
}


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


@sensitive_variables()
def _deliver(
    this_task,
    request_id: int,
    attempt: int,
    sent_field: str,
    build: Callable[[ContactRequest], EmailMessage],
) -> str:
    with transaction.atomic():
        request = (
            ContactRequest.objects.select_for_update(of=("self",))
            .select_related("trial", "site")
            .filter(pk=request_id)
            .first()
        )
        if request is None:
            return GONE  # purged (retention) before the mail could go
        if getattr(request, sent_field):
            return ALREADY_SENT
        try:
            build(request).send()
        except (smtplib.SMTPException, OSError) as exc:
            return _schedule_retry(this_task, request_id, attempt, WHAT[sent_field], exc)
        except Exception as exc:
            # A bug, not an outage: fail the task, but with nothing of the patient in the
            # stored traceback (an exception's message may quote a name or an address).
            logger.error(
                "contact request %s: %s failed (%s)",
                request_id,
                WHAT[sent_field],
                type(exc).__name__,
            )
            raise EmailNotSent(f"{WHAT[sent_field]}: {type(exc).__name__}") from None
        setattr(request, sent_field, timezone.now())
        request.save(update_fields=[sent_field])
    logger.info("contact request %s: %s sent", request_id, WHAT[sent_field])
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
    return _deliver(notify_study_team, request_id, attempt, "team_notified_at", team_message)


@task()
def send_patient_copy(request_id: int, attempt: int = 1) -> str:
    """E-mail the patient a copy: who received their details and what happens next."""
    return _deliver(send_patient_copy, request_id, attempt, "patient_notified_at", patient_message)
