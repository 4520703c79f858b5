"""Deploy checks (`manage.py check --deploy`): production settings that fail open.

Each is an error, so `check --deploy` exits non-zero: mail that would go in the clear
to another host, and the site's own addresses left at their development defaults
(links in e-mails to localhost, requests mailed to an inbox or from a sender at
localhost).
"""

from __future__ import annotations

import ipaddress
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

LOCAL_NAMES = {"localhost", "localhost.localdomain", ""}
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def is_local(host: str) -> bool:
    host = host.strip().strip("[]").lower().rstrip(".")
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2]


@register(Tags.security, deploy=True)
def check_mail_is_encrypted(app_configs, **kwargs) -> list[Error]:
    if settings.EMAIL_BACKEND != SMTP or is_local(settings.EMAIL_HOST):
        return []
    if settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL:
        return []
    return [
        Error(
            f"E-mails to {settings.EMAIL_HOST} would go unencrypted: they hold patients' "
            "names, addresses and phone numbers.",
            hint="Set DJANGO_EMAIL_USE_TLS=true (STARTTLS, port 587) or "
            "DJANGO_EMAIL_USE_SSL=true (port 465).",
            id="trialfinder.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_site_addresses(app_configs, **kwargs) -> list[Error]:
    errors = []
    url = urlsplit(settings.CONTACT_SITE_URL)
    if url.scheme != "https" or is_local(url.hostname or ""):
        errors.append(
            Error(
                f"TRIALFINDER_SITE_URL is {settings.CONTACT_SITE_URL!r}: the links in the "
                "e-mails to patients and study teams would not lead to the site.",
                hint="Set TRIALFINDER_SITE_URL to the site's public https:// address.",
                id="trialfinder.E002",
            )
        )
    for code, name, value in [
        ("E003", "TRIALFINDER_COORDINATOR_INBOX", settings.COORDINATOR_INBOX),
        ("E004", "DJANGO_DEFAULT_FROM_EMAIL", settings.DEFAULT_FROM_EMAIL),
    ]:
        if is_local(_domain(value)):
            errors.append(
                Error(
                    f"{name} is {value!r}, an address at this machine: requests would be "
                    "lost, or mail refused by the recipients' servers.",
                    hint=f"Set {name} to an address at your organisation's domain.",
                    id=f"trialfinder.{code}",
                )
            )
    return errors
