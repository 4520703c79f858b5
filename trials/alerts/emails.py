"""The alerts' messages: the alert itself, the sign-up e-mails and the reminder.

Every message names the search in words and why it came, and carries links to manage
the subscription and to leave it, with a token of its own (`subscriptions.new_token`).
The alert is plain text and HTML and has RFC 8058 one-click unsubscribe headers. The
subject never names the search: it shows on lock screens and in shared inboxes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_variables

from ..models import Alert, AlertTrial, Subscription
from ..plain import phase_words
from ..search.criteria import Criteria
from ..vocabularies import Status
from . import subscriptions

SHOWN = 20  # trials listed in an alert; "see all N" for more
TRIAL_FIELDS = ["nct_id", "brief_title", "overall_status", "phases", "conditions", "last_update"]


def absolute(path: str) -> str:
    return settings.CONTACT_SITE_URL.rstrip("/") + path


def why(item: AlertTrial) -> str:
    """Why a trial is in an alert, in words: "new on TrialFinder", "now recruiting"."""
    if item.reason == AlertTrial.Reason.NEW:
        return _("new on TrialFinder")
    return {
        Status.RECRUITING: _("now recruiting"),
        Status.ENROLLING_BY_INVITATION: _("now enrolling by invitation"),
        Status.NOT_YET_RECRUITING: _("open again, not yet recruiting"),
    }.get(item.trial.overall_status, _("opened to enrollment"))


def alert_items(alert: Alert, limit: int | None = SHOWN) -> list[AlertTrial]:
    """The trials of an alert, new ones first, then most recently updated; each with why it
    is there, its status and phase in words and its address."""
    items = (
        AlertTrial.objects.filter(alert=alert)
        .select_related("trial")
        .only("reason", "alert_id", *(f"trial__{name}" for name in TRIAL_FIELDS))
        .order_by("reason", "-trial__last_update", "trial__nct_id")
    )
    items = list(items[:limit] if limit else items)
    for item in items:
        item.why = why(item)
        item.status = Status.label_for(item.trial.overall_status)
        item.phase = phase_words(item.trial.phases) or _("No phase")
        item.url = absolute(item.trial.get_absolute_url())
    return items


def _context(subscription: Subscription, token: str | None) -> dict:
    criteria = Criteria.from_json(subscription.criteria)
    query = f"?{subscription.query}" if subscription.query else ""
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "search": criteria.in_words(_("new trials")),
        "search_url": absolute(reverse("search") + query),
        "feed_url": absolute(reverse("feed") + query),
        "frequency": subscription.get_frequency_display().lower(),
        "subscription": subscription,
        "expires_on": subscriptions.expires_on(subscription),
        "home_url": absolute(reverse("search")),
    }
    if token:
        context["manage_url"] = absolute(reverse("alert_manage", args=[token]))
        context["unsubscribe_url"] = absolute(reverse("alert_unsubscribe", args=[token]))
    return context


def _message(subject: str, name: str, context: dict, to: str, html: bool = False):
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{name}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    if html:
        message.attach_alternative(render_to_string(f"emails/{name}.html", context), "text/html")
    if unsubscribe := context.get("unsubscribe_url"):
        # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" to this address.
        message.extra_headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


@sensitive_variables()
def alert_message(alert: Alert) -> EmailMultiAlternatives:
    """The alert's e-mail; `alert.total` is the number of its trials (annotated)."""
    subscription = alert.subscription
    token = subscriptions.new_token(subscription)
    items = alert_items(alert)
    context = {
        **_context(subscription, token),
        "alert": alert,
        "items": items,
        "more": alert.total - len(items),
        "see_all_url": absolute(reverse("alert_trials", args=[token, alert.pk])),
    }
    subject = ngettext(
        "%(count)s new trial matches your %(site)s search",
        "%(count)s new trials match your %(site)s search",
        alert.total,
    ) % {"count": alert.total, "site": settings.SITE_NAME}
    return _message(subject, "alert", context, subscription.email, html=True)


@sensitive_variables()
def confirmation_message(subscription: Subscription) -> EmailMultiAlternatives:
    token = subscriptions.confirmation_token(subscription)
    context = {
        **_context(subscription, None),
        "confirm_url": absolute(reverse("alert_confirm", args=[token])),
        "days": subscriptions.CONFIRM_DAYS,
    }
    subject = _("Confirm your %(site)s e-mail alerts") % {"site": settings.SITE_NAME}
    return _message(subject, "alert_confirm", context, subscription.email)


@sensitive_variables()
def already_message(subscription: Subscription) -> EmailMultiAlternatives:
    token = subscriptions.new_token(subscription)
    subject = _("You already get these %(site)s alerts") % {"site": settings.SITE_NAME}
    return _message(subject, "alert_already", _context(subscription, token), subscription.email)


@sensitive_variables()
def reminder_message(subscription: Subscription) -> EmailMultiAlternatives:
    token = subscriptions.new_token(subscription)
    subject = _("Keep your %(site)s e-mail alerts?") % {"site": settings.SITE_NAME}
    return _message(subject, "alert_reminder", _context(subscription, token), subscription.email)
