"""The alerts' e-mails, sent by the task queue (`manage.py db_worker`), with retries.

Each task takes an id only: task arguments are stored and logged, and an address with a
search is health data. When the mail server is down a task queues itself again after
1, 2, 4... minutes (the CONTACT_EMAIL_* settings the contact e-mails use), so nothing
is lost. An alert is sent once: its `sent_at` is recorded after the send, and a task for several
alerts queues again only those not sent yet. Log lines
name ids and exception classes only (SMTP errors quote addresses).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Count
from django.utils import timezone
from django_tasks import task

from ..models import Alert, Subscription
from ..tasks import retry_delay

logger = logging.getLogger(__name__)

SENT = "sent"
ALREADY_SENT = "already sent"
GONE = "gone"
PAUSED = "paused"
RETRYING = "retry scheduled"
GAVE_UP = "gave up"


class AlertNotSent(Exception):
    """An alert e-mail failed for another reason than the mail server (the class says which)."""


def _send(this_task, what: str, pk: int, attempt: int, build: Callable[[], EmailMessage]) -> str:
    try:
        build().send()
    except (smtplib.SMTPException, OSError) as exc:
        return _retry(this_task, f"{what} {pk}", [pk], attempt, exc)
    except Exception as exc:
        # A bug, not an outage: fail the task with nothing personal in the stored
        # traceback (a message may quote an address).
        logger.error("alerts: %s %s failed (%s)", what, pk, type(exc).__name__)
        raise AlertNotSent(f"{what}: {type(exc).__name__}") from None
    logger.info("alerts: %s %s sent", what, pk)
    return SENT


def _retry(this_task, what: str, args: list, attempt: int, exc: Exception) -> str:
    """Queue the task again with `args` after a delay that doubles with each attempt."""
    name = type(exc).__name__
    if attempt >= settings.CONTACT_EMAIL_MAX_ATTEMPTS:
        logger.error("alerts: %s failed %s times (%s); giving up", what, attempt, name)
        return GAVE_UP
    delay = retry_delay(attempt)
    again = this_task
    if again.get_backend().supports_defer:
        again = again.using(run_after=timezone.now() + delay)
    logger.warning(
        "alerts: %s failed (%s), attempt %s; trying again in %ss",
        what,
        name,
        attempt,
        int(delay.total_seconds()),
    )
    again.enqueue(*args, attempt=attempt + 1)
    return RETRYING


@task()
def send_alerts(alert_ids: list[int], attempt: int = 1) -> str:
    """E-mail alerts (the trials newly matching a subscription's search), one after the
    other; when the mail server is down, those not sent yet are queued again."""
    from . import emails

    found = Alert.objects.select_related("subscription").annotate(total=Count("trials"))
    alerts = found.in_bulk(alert_ids)
    sent, failed = 0, 0
    for position, pk in enumerate(alert_ids):
        alert = alerts.get(pk)
        if alert is None or alert.sent_at or alert.subscription.is_paused:
            continue  # unsubscribed or paused since it was queued, or sent already
        try:
            emails.alert_message(alert).send()
        except (smtplib.SMTPException, OSError) as exc:
            rest = alert_ids[position:]
            return _retry(
                send_alerts, f"alerts {pk} and {len(rest) - 1} more", [rest], attempt, exc
            )
        except Exception as exc:
            # A bug, not an outage: the others still go; nothing personal is logged.
            logger.error("alerts: alert %s failed (%s)", pk, type(exc).__name__)
            failed += 1
            continue
        Alert.objects.filter(pk=pk).update(sent_at=timezone.now())
        sent += 1
    logger.info("alerts: %s alert(s) sent", sent)
    if failed:
        raise AlertNotSent(f"{failed} alert(s) failed; {sent} sent")
    return f"{sent} sent"


@task()
def send_confirmation(subscription_id: int, attempt: int = 1) -> str:
    """E-mail the confirmation link of a sign-up, or, for a search the address already
    has, a note with a link to manage it."""
    from . import emails

    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return GONE
    build = emails.already_message if subscription.is_confirmed else emails.confirmation_message
    return _send(
        send_confirmation, "sign-up e-mail", subscription_id, attempt, lambda: build(subscription)
    )


@task()
def send_reminder(subscription_id: int, attempt: int = 1) -> str:
    """Ask a subscriber to keep their alerts before the subscription is deleted."""
    from . import emails

    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None or subscription.reminded_at is None:
        return GONE  # deleted, or re-confirmed since
    return _send(
        send_reminder,
        "reminder",
        subscription_id,
        attempt,
        lambda: emails.reminder_message(subscription),
    )


@task()
def send_due_alerts() -> str:
    """What an import queues: the alerts that are due (as `manage.py send_alerts`)."""
    from .sending import send_due

    return str(send_due())
