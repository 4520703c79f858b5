"""E-mail alerts about a search: signing up, confirming, managing, leaving, and the feed.

The search comes from the query string, cleaned by the FilterSet as on the search page,
and is stored as its criteria. The sign-up answers the same whether or not the address
already had the search (trials.alerts.subscriptions.subscribe). The pages reached from
e-mails identify the subscription by the token in their address, never by a cookie:
they are not cached, not indexed, and send no referrer to other sites. Unsubscribing by POST needs no
cookie and no CSRF token (RFC 8058: mail providers post it themselves); a GET only
shows the button, so link scanners unsubscribe no one.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
from functools import wraps

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from trials.alerts import emails, subscriptions
from trials.models import Alert, Subscription, Trial
from trials.plain import phase_words
from trials.search import engine
from trials.search.criteria import Criteria
from trials.vocabularies import Phase, Status

from .client import client_ip
from .filters import TrialFilterSet, query_for
from .forms import AlertForm, FrequencyForm

logger = logging.getLogger(__name__)

FEED_SIZE = 20


def search_of(request: HttpRequest) -> tuple[Criteria, str, list[str]]:
    """The search of the query string as alerts keep it (no order), its canonical query
    string, and a notice for each value the FilterSet dropped."""
    filterset, notices = TrialFilterSet.lenient(request.GET)
    criteria = filterset.criteria().replace(sort="relevance")
    return criteria, query_for(criteria), notices


def signup_context(criteria: Criteria, *, email: str = "", form: AlertForm | None = None) -> dict:
    """What the sign-up block (finder/_alert_signup.html) shows for a search."""
    query = query_for(criteria.replace(sort="relevance"))
    suffix = f"?{query}" if query else ""
    return {
        "alert_form": form or AlertForm(initial={"email": email}),
        "alert_search": criteria.in_words(_("new trials")),
        "alert_action": reverse("alert_signup") + suffix,
        "alert_too_broad": subscriptions.too_broad(criteria),
        "feed_url": reverse("feed") + suffix,
        "alert_retention_days": settings.ALERT_RETENTION_DAYS,
    }


# Signing up


def _network(address: str) -> str:
    """The address as a limit counts it: an IPv6 client owns its whole /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def _mailbox(email: str) -> str:
    """The address as a limit counts it: name+tag@ is name@."""
    local, _, domain = email.lower().rpartition("@")
    return f"{local.partition('+')[0]}@{domain}"


@sensitive_variables()
def _over_limit(request: HttpRequest, email: str) -> str:
    """Why this sign-up is refused now, or "" (counts it)."""
    client = _network(client_ip(request))
    if is_ratelimited(
        request,
        group="alerts.signup.client",
        key=lambda group, request: client,
        rate=f"{settings.ALERT_LIMIT_PER_CLIENT_PER_HOUR}/h",
        increment=True,
    ):
        return _(
            "We have received several sign-ups from your connection in the last hour. "
            "Please try again in an hour."
        )
    if is_ratelimited(
        request,
        group="alerts.signup.email",
        key=lambda group, request: _mailbox(email),
        rate=f"{settings.ALERT_LIMIT_PER_EMAIL_PER_DAY}/d",
        increment=True,
    ):
        return _(
            "We have already sent several confirmation e-mails to this address today. "
            "Please follow the links in them, or try again tomorrow."
        )
    return ""


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("email")
def alert_signup(request: HttpRequest) -> HttpResponse:
    criteria, query, notices = search_of(request)
    form = AlertForm(request.POST or None)
    context = {"criteria": criteria, "search_query": query, "notices": notices}
    status = 200
    if request.method == "POST" and not subscriptions.too_broad(criteria) and form.is_valid():
        if form.is_spam:
            logger.info("alerts: sign-up honeypot filled in; nothing stored")
            return redirect(_with_query(reverse("alert_sent"), query))
        if error := _over_limit(request, form.cleaned_data["email"]):
            form.add_error(None, error)
            status = 429
        else:
            data = form.cleaned_data
            subscriptions.subscribe(data["email"], criteria, query, data["frequency"])
            return redirect(_with_query(reverse("alert_sent"), query))
    elif request.method == "POST":
        status = 400
    context.update(signup_context(criteria, form=form))
    return render(request, "finder/alert_signup.html", context, status=status)


def _with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


@require_GET
def alert_sent(request: HttpRequest) -> HttpResponse:
    criteria, query, _notices = search_of(request)
    context = {
        "search": criteria.in_words(_("new trials")),
        "search_query": query,
        "days": subscriptions.CONFIRM_DAYS,
    }
    return render(request, "finder/alert_sent.html", context)


# Pages reached from e-mails


def _private(response: HttpResponse) -> HttpResponse:
    """A page whose address holds a secret: not cached, not indexed. (The site's referrer
    policy, same-origin, already keeps the address from other sites; no-referrer would
    make browsers send "Origin: null" with the page's forms, which CSRF checks refuse.)"""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _link_problem(request: HttpRequest, kind: str, query: str = "", status: int = 404):
    context = {"kind": kind, "search_query": query, "days": subscriptions.CONFIRM_DAYS}
    return _private(render(request, "finder/alert_link.html", context, status=status))


def with_subscription(view):
    """A view of the subscription whose token is in the address; a clear page (404) when
    the link is unknown, malformed or its subscription deleted."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
        subscription = subscriptions.by_token(token)
        if subscription is None:
            return _link_problem(request, "unknown")
        return _private(view(request, subscription, token, *args, **kwargs))

    return wrapper


@require_http_methods(["GET", "POST"])
def alert_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the search and a button (a scanner following the link confirms
    nothing); POST confirms and leads to the page to manage the alerts."""
    try:
        subscription = subscriptions.from_confirmation_token(token)
    except subscriptions.LinkExpired as expired:
        return _link_problem(request, "expired", expired.query, status=410)
    except subscriptions.LinkInvalid:
        return _link_problem(request, "invalid", status=400)
    if request.method == "POST":
        subscriptions.confirm(subscription)
        manage = reverse("alert_manage", args=[subscriptions.new_token(subscription)])
        return _private(redirect(manage + "?confirmed=1"))
    context = {"search": _words(subscription), "subscription": subscription}
    return _private(render(request, "finder/alert_confirm.html", context))


def _words(subscription: Subscription) -> str:
    return Criteria.from_json(subscription.criteria).in_words(_("new trials"))


MANAGE_ACTIONS = ("frequency", "pause", "resume", "keep", "delete")


@require_http_methods(["GET", "POST"])
@with_subscription
def alert_manage(request: HttpRequest, subscription: Subscription, token: str) -> HttpResponse:
    form = FrequencyForm(initial={"frequency": subscription.frequency})
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "delete":
        subscriptions.unsubscribe(subscription)
        return render(request, "finder/alert_unsubscribed.html", {"done": True})
    if action in MANAGE_ACTIONS:
        done = _manage(subscription, action, request.POST)
        if done is None:
            form = FrequencyForm(request.POST)
            form.is_valid()
        else:
            return redirect(reverse("alert_manage", args=[token]) + f"?done={done}")
    context = {
        "subscription": subscription,
        "search": _words(subscription),
        "search_url": _with_query(reverse("search"), subscription.query),
        "feed_url": _with_query(reverse("feed"), subscription.query),
        "form": form,
        "expires_on": subscriptions.expires_on(subscription),
        "done": request.GET.get("done") if request.method == "GET" else None,
        "confirmed": request.GET.get("confirmed") == "1",
        "token": token,
    }
    status = 400 if form.errors else 200
    return render(request, "finder/alert_manage.html", context, status=status)


def _manage(subscription: Subscription, action: str, data) -> str | None:
    """Carry out a manage page action; what was done, for the page's notice (None: the
    form was invalid)."""
    if action == "frequency":
        form = FrequencyForm(data)
        if not form.is_valid():
            return None
        subscriptions.set_frequency(subscription, form.cleaned_data["frequency"])
    elif action == "pause":
        subscriptions.pause(subscription)
    elif action == "resume":
        subscriptions.resume(subscription)
    elif action == "keep":
        subscriptions.confirm(subscription)
    return action


@require_GET
@with_subscription
def alert_trials(
    request: HttpRequest, subscription: Subscription, token: str, alert_id: int
) -> HttpResponse:
    """Every trial of one alert (the e-mail lists the first ones)."""
    alerts = Alert.objects.annotate(total=Count("trials"))
    alert = alerts.filter(pk=alert_id, subscription=subscription).first()
    if alert is None:
        raise Http404("no such alert")
    context = {
        "alert": alert,
        "items": emails.alert_items(alert, limit=None),
        "search": _words(subscription),
        "manage_url": reverse("alert_manage", args=[token]),
    }
    return render(request, "finder/alert_trials.html", context)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def alert_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: one button. POST (the button, or a mail provider's one-click request):
    unsubscribe at once; again, or with a link already used, the same answer."""
    subscription = subscriptions.by_token(token)
    if request.method == "POST":
        if subscription is not None:
            subscriptions.unsubscribe(subscription)
        return _private(render(request, "finder/alert_unsubscribed.html", {"done": True}))
    if subscription is None:
        return _link_problem(request, "unknown")
    context = {"search": _words(subscription), "token": token}
    return _private(render(request, "finder/alert_unsubscribe.html", context))


# The feed


class SearchFeed(Feed):
    """/feed/?<a search's parameters>: the newest trials that match it, as Atom."""

    feed_type = Atom1Feed
    author_name = settings.SITE_NAME

    def get_object(self, request: HttpRequest) -> tuple[Criteria, str]:
        criteria, query, _notices = search_of(request)
        return criteria.replace(sort="newest"), query

    def title(self, obj) -> str:
        criteria, _query = obj
        words = criteria.in_words()
        return f"{settings.SITE_NAME}: {words[:1].upper()}{words[1:]}"

    def subtitle(self, obj) -> str:
        return _("The newest trials that match this search, from ClinicalTrials.gov.")

    def link(self, obj) -> str:
        return _with_query(reverse("search"), obj[1])

    def feed_url(self, obj) -> str:
        return _with_query(reverse("feed"), obj[1])

    def items(self, obj) -> list[Trial]:
        criteria, _query = obj
        ids = engine.run(criteria, 1, FEED_SIZE).ids
        fields = ["nct_id", "brief_title", "overall_status", "phases", "conditions"]
        found = Trial.objects.only(*fields, "first_posted", "last_update", "imported_at")
        trials = found.in_bulk(ids)
        return [trials[pk] for pk in ids if pk in trials]

    def item_title(self, trial: Trial) -> str:
        return trial.title

    def item_description(self, trial: Trial) -> str:
        parts = [
            _("Status: %(status)s") % {"status": Status.label_for(trial.overall_status)},
            _("Phase: %(phase)s") % {"phase": phase_words(trial.phases) or _("none")},
        ]
        if trial.conditions:
            parts.append(_("Conditions: %(list)s") % {"list": ", ".join(trial.conditions[:5])})
        return " · ".join(parts)

    def item_categories(self, trial: Trial) -> list[str]:
        return [Status.label_for(trial.overall_status), *map(Phase.label_for, trial.phases)]

    def item_pubdate(self, trial: Trial) -> dt.datetime | None:
        return _midnight(trial.first_posted)

    def item_updateddate(self, trial: Trial) -> dt.datetime:
        return _midnight(trial.last_update) or trial.imported_at


def _midnight(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


feed = require_GET(SearchFeed())
