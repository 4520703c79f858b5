"""Contact requests from the trial page: who receives them, abuse limits, and `submit`.

`submit()` is the one function with side effects: it stores the request (and its
CREATED event) and queues the two e-mails in the same transaction, so a request
is never lost and never mailed without being stored. Tests patch it to check the
views alone. The abuse limits (`LIMITS`) count stored requests with django-ratelimit
in the cache every server process shares, keyed by hashes, never by an address.
Nothing here logs a patient's name, e-mail address or phone number: log lines carry
the request id and the NCT ID only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_ratelimit.core import get_usage

from .models import ContactRequest, ContactRequestEvent, Site, Trial
from .tasks import notify_study_team, send_patient_copy
from .vocabularies import OPEN_STATUSES

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 3
# Sites a patient can ask to be put in touch with: open, or with no status given.
CONTACTABLE_SITE_STATUSES = {"", *(str(s) for s in OPEN_STATUSES)}


@dataclass(frozen=True)
class Team:
    """Who receives a request for one trial and site, in words and as addresses."""

    lead: str  # "the study team at Saint-Louis Hospital, Paris, France"
    people: list[tuple[str, str]]  # (name, e-mail address)
    onward: str = ""  # set when our coordinators receive it for a team without an address

    @property
    def recipients(self) -> str:
        """The addresses as one RFC 5322 list: stored on the request, read by the e-mail task."""
        return ", ".join(_address(name, email) for name, email in self.people)

    @property
    def names(self) -> str:
        return ", ".join(f"{name} ({email})" if name else email for name, email in self.people)

    @property
    def who(self) -> str:
        """The sentence the patient is shown: the team, the people and their addresses."""
        if self.onward:
            return f"{self.lead} ({self.people[0][1]}), {self.onward}"
        return f"{self.lead}: {self.names}"


def _address(name: str, email: str) -> str:
    """'"Dr Hôpital Nord" <nord@chu.example.fr>': readable, unlike formataddr's RFC 2047."""
    name = " ".join(name.split()).replace("\\", "").replace('"', "'")
    return f'"{name}" <{email}>' if name else email


def _valid_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _people(contacts) -> list[tuple[str, str]]:
    people = []
    for contact in contacts:
        name, email = (contact.get("name") or "").strip(), (contact.get("email") or "").strip()
        if _valid_email(email) and email.lower() not in {e.lower() for _, e in people}:
            people.append((name, email))
    return people[:MAX_RECIPIENTS]


def site_label(site: Site | None) -> str:
    if site is None:
        return ""
    place = ", ".join(p for p in (site.city, site.country) if p)
    if site.facility and place:
        return f"{site.facility}, {place}"
    return site.facility or place


def study_team(trial: Trial, site: Site | None) -> Team:
    """The site's contacts, else the study's central contacts, else our coordinators."""
    central = [{"name": c.name, "email": c.email} for c in trial.central_contacts.all()]
    organisation = trial.lead_sponsor or trial.organization or "the study sponsor"
    if site is not None and (people := _people(site.contacts)):
        return Team(f"the study team at {site_label(site)}", people)
    if people := _people(central):
        return Team(f"the study's central contact at {organisation}", people)
    return Team(
        f"the {settings.SITE_NAME} trial coordinators",
        [(f"{settings.SITE_NAME} trial coordinators", settings.COORDINATOR_INBOX)],
        onward=f"who pass them on to the study team at {site_label(site) or organisation}",
    )


def contactable_sites(sites: list[Site]) -> list[Site]:
    """The sites a patient may choose from, first recruiting one first."""
    offered = [s for s in sites if s.listed and s.status in CONTACTABLE_SITE_STATUSES]
    return sorted(offered, key=lambda s: (not s.is_recruiting, s.position))


@dataclass(frozen=True)
class Sender:
    """Keyed hashes of where a request comes from: enough to rate-limit, never the address.

    `client` is one IPv4 address or one IPv6 /64 (every IPv6 subscriber owns at least a
    /64 and can use any address in it); `network` is the IPv4 /24 or IPv6 /48 around it.
    """

    client: str = ""
    network: str = ""


def keyed(text: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


@sensitive_variables()
def submission_hash(trial: Trial, site: Site | None, data: dict, sender: Sender) -> str:
    """The same request from the same sender: another sender's identical request is not
    a duplicate, or the answer would tell them someone had just sent it."""
    parts = [
        trial.nct_id,
        str(site.pk if site else ""),
        sender.client,
        *(str(data.get(k, "")).casefold() for k in ("first_name", "last_name", "email")),
        *(str(data.get(k, "")) for k in ("phone", "language", "message")),
    ]
    return keyed("\x1f".join(parts))


def find_duplicate(submission: str) -> ContactRequest | None:
    since = timezone.now() - dt.timedelta(minutes=settings.CONTACT_DUPLICATE_MINUTES)
    return (
        ContactRequest.objects.filter(submission_hash=submission, created_at__gte=since)
        .order_by("created_at")
        .first()
    )


GMAIL = {"gmail.com", "googlemail.com"}


def normalised_email(address: str) -> str:
    """One mailbox however it is spelt: lower case, without a +tag, and for Gmail without
    dots ('Zoe.Q+trials@googlemail.com' is 'zoeq@gmail.com')."""
    local, _, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


@dataclass(frozen=True)
class Limit:
    """At most `rate()` stored requests per key in a window (django-ratelimit's counters,
    in the shared cache so every server process counts the same)."""

    group: str
    rate: Callable[[], str]
    message: str


LIMITS = {
    "client": Limit(
        "contact-client",
        lambda: f"{settings.CONTACT_LIMIT_PER_CLIENT_PER_HOUR}/h",
        "You have sent several requests in the last hour, which is as many as we accept "
        "from one connection. Please try again in an hour, or call the study team.",
    ),
    "network": Limit(
        "contact-network",
        lambda: f"{settings.CONTACT_LIMIT_PER_NETWORK_PER_HOUR}/h",
        "We have received many requests from your network in the last hour, which is as "
        "many as we accept. Please try again in an hour, or call the study team.",
    ),
    "email": Limit(
        "contact-email",
        lambda: f"{settings.CONTACT_LIMIT_PER_EMAIL_PER_DAY}/d",
        "We have already received several requests with this e-mail address today. "
        "Please try again tomorrow; the study teams you wrote to will contact you.",
    ),
    "site": Limit(
        "contact-site",
        lambda: f"{settings.CONTACT_LIMIT_PER_SITE_PER_HOUR}/h",
        "This study team has received many requests through our site in the last hour. "
        "Please try again later, or contact them directly: their details are on this page.",
    ),
}


@sensitive_variables()
def _limit_keys(sender: Sender, trial: Trial, site: Site | None, email: str) -> dict[str, str]:
    keys = {
        "client": sender.client,
        "network": sender.network,
        "email": keyed(normalised_email(email)),
        "site": f"{trial.pk}:{site.pk if site else ''}",
    }
    return {name: key for name, key in keys.items() if key}


def _usage(name: str, key: str, *, increment: bool) -> dict:
    limit = LIMITS[name]
    usage = get_usage(
        None,
        group=limit.group,
        key=lambda group, request: key,
        rate=limit.rate(),
        increment=increment,
    )
    return usage or {"count": 0, "limit": 1}  # None: rate limiting is switched off


@sensitive_variables()
def rate_limit_error(sender: Sender, trial: Trial, site: Site | None, email: str) -> str:
    """Why this request may not be sent now, or ''."""
    for name, key in _limit_keys(sender, trial, site, email).items():
        usage = _usage(name, key, increment=False)
        if usage["count"] >= usage["limit"]:
            return LIMITS[name].message
    return ""


@sensitive_variables()
def _count_request(sender: Sender, trial: Trial, site: Site | None, email: str) -> None:
    for name, key in _limit_keys(sender, trial, site, email).items():
        _usage(name, key, increment=True)


class RateLimited(Exception):
    """Raised by submit() when, checked under its lock, the sender is over a limit."""


@dataclass(frozen=True)
class Submission:
    request: ContactRequest
    created: bool  # False: the same submission was stored moments ago and is not sent again


@sensitive_variables()
def submit(trial: Trial, site: Site | None, data: dict, *, sender: Sender) -> Submission:
    """Store the request and its CREATED event, then queue the e-mails; one transaction."""
    submission = submission_hash(trial, site, data, sender)
    with transaction.atomic():
        # Two identical posts at once (a double click) wait here, and the second finds the first.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [submission])
        if duplicate := find_duplicate(submission):
            logger.info("contact request %s submitted again; stored once", duplicate.pk)
            return Submission(duplicate, created=False)
        # Several posts at once from one sender (or with one address, or to one team)
        # queue here, on each of their limits' keys in one order (no deadlock), so each
        # reads the counts the one before it left, and counts itself only when stored.
        keys = _limit_keys(sender, trial, site, data["email"])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) "
                "FROM unnest(%s::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n",
                [[f"{LIMITS[name].group}:{key}" for name, key in sorted(keys.items())]],
            )
        if error := rate_limit_error(sender, trial, site, data["email"]):
            raise RateLimited(error)
        _count_request(sender, trial, site, data["email"])
        team = study_team(trial, site)
        request = ContactRequest.objects.create(
            trial=trial,
            site=site,
            site_name=site_label(site),
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"],
            language=data.get("language", ""),
            message=data.get("message", ""),
            consent=data["consent"],
            prescreen=data.get("prescreen"),
            team_recipients=team.recipients,
            submission_hash=submission,
        )
        ContactRequestEvent.objects.create(request=request, kind=ContactRequestEvent.Kind.CREATED)
        # Only the id goes to the queue: task arguments are stored and logged.
        notify_study_team.enqueue(request.pk)
        send_patient_copy.enqueue(request.pk)
    logger.info("contact request %s stored for %s", request.pk, trial.nct_id)
    return Submission(request, created=True)
