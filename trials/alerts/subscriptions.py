"""Subscriptions: sign-up with double opt-in, secret links, managing, leaving, purging.

`subscribe()` answers nothing: whether the address already had this search or not, it
stores what is needed and queues one e-mail (a confirmation link, or a note that the
search is already subscribed with a link to manage it), so the page that follows the
form is the same for everyone. The confirmation link is signed (django.core.signing)
and valid CONFIRM_DAYS. The links in each e-mail carry a random token of their own;
only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.debug import sensitive_variables

from ..models import Subscription, SubscriptionToken
from ..search.criteria import Criteria

logger = logging.getLogger(__name__)

CONFIRM_DAYS = 7
CONFIRM_SALT = "trials.alerts.confirm"
# The reminder to re-confirm goes this many days before a subscription would be deleted.
REMINDER_DAYS = 14
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


class LinkInvalid(Exception):
    """A confirmation link that was altered, or whose subscription is gone."""


class LinkExpired(LinkInvalid):
    """A confirmation link older than CONFIRM_DAYS; `query` is its search, to sign up again."""

    def __init__(self, query: str = ""):
        super().__init__("the confirmation link has expired")
        self.query = query


def too_broad(criteria: Criteria) -> bool:
    """Whether the search is "every trial" (statuses at most): alerts would be every import."""
    return criteria.only_statuses


@sensitive_variables()
def subscribe(email: str, criteria: Criteria, query: str, frequency: str) -> None:
    """Store the subscription (unconfirmed) if new and queue its confirmation e-mail; for
    a search the address already has, queue a note with a link to manage it instead."""
    from .tasks import send_confirmation

    with transaction.atomic():
        try:
            with transaction.atomic():
                subscription, created = Subscription.objects.get_or_create(
                    email=email,
                    query=query,
                    defaults={
                        "criteria": criteria.as_json(),
                        "frequency": frequency,
                        "language": get_language() or "",
                    },
                )
        except IntegrityError:  # the same sign-up twice at once: the other one stored it
            subscription, created = Subscription.objects.get(email=email, query=query), False
        if not created and not subscription.is_confirmed and subscription.frequency != frequency:
            subscription.frequency = frequency  # still unconfirmed: the latest choice holds
            subscription.save(update_fields=["frequency"])
        send_confirmation.enqueue(subscription.pk)
    logger.info(
        "alerts: sign-up for subscription %s (%s)", subscription.pk, "new" if created else "again"
    )


def confirmation_token(subscription: Subscription) -> str:
    return signing.dumps(subscription.pk, salt=CONFIRM_SALT)


def from_confirmation_token(token: str) -> Subscription:
    """The subscription a confirmation link is for; LinkExpired or LinkInvalid."""
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=dt.timedelta(days=CONFIRM_DAYS))
    except signing.SignatureExpired:
        pk = signing.loads(token, salt=CONFIRM_SALT)  # genuine, only too old
        found = Subscription.objects.filter(pk=pk).first()
        raise LinkExpired(found.query if found else "") from None
    except signing.BadSignature:
        raise LinkInvalid("the confirmation link was altered") from None
    if not isinstance(pk, int) or (found := Subscription.objects.filter(pk=pk).first()) is None:
        raise LinkInvalid("no such subscription")
    return found


def confirm(subscription: Subscription) -> bool:
    """Confirm it (again: re-confirmation); news counts from now. False if it already was."""
    now = timezone.now()
    first = not subscription.is_confirmed
    changes = {"confirmed_at": now, "reminded_at": None}
    if first:
        changes["matched_until"] = now
    Subscription.objects.filter(pk=subscription.pk).update(**changes)
    for name, value in changes.items():
        setattr(subscription, name, value)
    logger.info("alerts: subscription %s %s", subscription.pk, "confirmed" if first else "kept")
    return first


# Secret links


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(subscription: Subscription) -> str:
    """A new secret link token for the subscription (each e-mail has its own)."""
    token = secrets.token_urlsafe(32)
    SubscriptionToken.objects.create(subscription=subscription, digest=_digest(token))
    return token


def by_token(token: str) -> Subscription | None:
    """The subscription of a secret link, or None (unknown, deleted or malformed)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    found = SubscriptionToken.objects.select_related("subscription").filter(digest=_digest(token))
    link = found.first()
    return link.subscription if link else None


# Managing and leaving


def set_frequency(subscription: Subscription, frequency: str) -> None:
    subscription.frequency = frequency
    subscription.save(update_fields=["frequency"])


def pause(subscription: Subscription) -> None:
    subscription.paused_at = timezone.now()
    subscription.save(update_fields=["paused_at"])


def resume(subscription: Subscription) -> None:
    """Alerts start again with what changes from now on (not what changed meanwhile)."""
    subscription.paused_at = None
    subscription.matched_until = timezone.now()
    subscription.save(update_fields=["paused_at", "matched_until"])


def unsubscribe(subscription: Subscription) -> None:
    """Delete the address and the search at once, with the tokens and the sent log."""
    pk = subscription.pk
    Subscription.objects.filter(pk=pk).delete()
    logger.info("alerts: subscription %s deleted (unsubscribed)", pk)


@sensitive_variables()
def delete_address(email: str) -> int:
    """Delete every subscription of an address (asked of an administrator); how many."""
    subscriptions = Subscription.objects.filter(email=email.strip().lower())
    count = subscriptions.count()
    subscriptions.delete()
    logger.info("alerts: %s subscription(s) of one address deleted on request", count)
    return count


def expires_on(subscription: Subscription) -> dt.datetime | None:
    """When the subscription will be deleted unless re-confirmed."""
    if subscription.confirmed_at is None:
        return None
    return subscription.confirmed_at + dt.timedelta(days=settings.ALERT_RETENTION_DAYS)


# Retention


@dataclass
class Purged:
    unconfirmed: int = 0
    expired: int = 0
    tokens: int = 0
    reminded: int = 0


# Subscriptions deleted per statement: Django deletes their alerts and tokens by listing
# the subscriptions' ids, and a statement holds at most 65,535 parameters.
DELETE_BATCH = 10_000


def _delete_in_batches(subscriptions) -> None:
    while ids := list(subscriptions.values_list("pk", flat=True)[:DELETE_BATCH]):
        Subscription.objects.filter(pk__in=ids).delete()


def purge(now: dt.datetime | None = None, *, dry_run: bool = False) -> Purged:
    """Delete the subscriptions never confirmed within CONFIRM_DAYS, those not re-confirmed
    for ALERT_RETENTION_DAYS, and links older than that; queue a reminder to re-confirm
    REMINDER_DAYS before the deletion. Safe to run twice."""
    from .tasks import send_reminder

    now = now or timezone.now()
    keep = dt.timedelta(days=settings.ALERT_RETENTION_DAYS)
    unconfirmed = Subscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - dt.timedelta(days=CONFIRM_DAYS)
    )
    expired = Subscription.objects.filter(confirmed_at__lt=now - keep)
    old_tokens = SubscriptionToken.objects.filter(created_at__lt=now - keep)
    remind = Subscription.objects.filter(
        confirmed_at__lt=now - keep + dt.timedelta(days=REMINDER_DAYS),
        confirmed_at__gte=now - keep,
        reminded_at__isnull=True,
    )
    purged = Purged(unconfirmed.count(), expired.count(), old_tokens.count(), remind.count())
    if dry_run:
        return purged
    with transaction.atomic():
        _delete_in_batches(unconfirmed)
        _delete_in_batches(expired)
        old_tokens.delete()
        for pk in remind.select_for_update().values_list("pk", flat=True):
            Subscription.objects.filter(pk=pk).update(reminded_at=now)
            send_reminder.enqueue(pk)
    return purged
