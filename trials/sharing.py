"""Lists of trials and notes that patients share through a link and a passcode.

The patient's browser encrypts the list (static/js/mytrials/crypto.js, scheme 1):
PBKDF2-HMAC-SHA256 turns the passcode into a secret with a random salt; HKDF-SHA256
derives from it the AES-256-GCM key that encrypts the list and, independently, a
verifier. The server receives the ciphertext, the nonce, the salt, the number of
iterations and the verifier; never the passcode, the key or the list in clear. It stores
the verifier hashed with Django's password hashers and hands the ciphertext out only to
a request that brings the same verifier, so guessing the passcode needs the server,
which bounds the guesses: after FREE_TRIES wrong passcodes the link locks for a time
that doubles with each further wrong one, and the DESTROY_AFTER-th deletes it. Each
client address (hashed) is limited too, across links.

A link is a random 128-bit id; the revoke token (256 bits) stays in the sharer's
browser and only its SHA-256 is stored. Revoking or destroying a list deletes it at
once; `purge` deletes the expired ones. Nothing here logs a link id or a token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from .models import SharedList, ShareLimitEvent

DEFAULT_DAYS = 30
MAX_DAYS = 90
FREE_TRIES = 5
DESTROY_AFTER = 20
FIRST_LOCK = dt.timedelta(minutes=5)
LONGEST_LOCK = dt.timedelta(hours=24)
LINK_ID_BYTES = 16  # 128 bits
REVOKE_TOKEN_BYTES = 32
# What the scheme's parameters may be: enough iterations to slow guessing down, and not
# so many that the recipient's browser hangs; a list of 200 trials with notes fits.
MIN_ITERATIONS = 100_000
MAX_ITERATIONS = 5_000_000
MAX_CIPHERTEXT_BYTES = 512 * 1024
SALT_BYTES = 16
IV_BYTES = 12
VERIFIER_BYTES = 32


class Gone(Exception):
    """The link expired, was revoked or destroyed, or never existed: the patient is told
    the same in every case, which tells a guesser nothing."""

    def __init__(self, destroyed: bool = False):
        super().__init__("this link has expired")
        self.destroyed = destroyed


class Locked(Exception):
    """Too many wrong passcodes for this link: no passcode is checked until `until`."""

    def __init__(self, until: dt.datetime, tries_left: int):
        super().__init__("this link is locked")
        self.until = until
        self.tries_left = tries_left  # wrong passcodes before the link is destroyed


class WrongPasscode(Exception):
    def __init__(self, tries_before_lock: int, tries_left: int):
        super().__init__("wrong passcode")
        self.tries_before_lock = tries_before_lock
        self.tries_left = tries_left


class TooManyFromClient(Exception):
    """The client's address reached a limit across links; it may try again later."""

    def __init__(self, retry_after: dt.timedelta):
        super().__init__("too many attempts from this address")
        self.retry_after = retry_after


@dataclass(frozen=True)
class NewShare:
    link_id: str
    revoke_token: str
    expires_at: dt.datetime


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _recent(client: str, kind: str, window: dt.timedelta, now: dt.datetime) -> int:
    return ShareLimitEvent.objects.filter(
        client_hash=client, kind=kind, at__gt=now - window
    ).count()


def lock_after(failed_attempts: int) -> dt.timedelta | None:
    """How long the link locks after this many wrong passcodes in a row: not before
    FREE_TRIES, then FIRST_LOCK doubling with each wrong passcode, at most LONGEST_LOCK."""
    if failed_attempts < FREE_TRIES:
        return None
    return min(FIRST_LOCK * 2 ** (failed_attempts - FREE_TRIES), LONGEST_LOCK)


def create(
    *,
    ciphertext: bytes,
    iv: bytes,
    salt: bytes,
    iterations: int,
    verifier: str,
    days: int,
    client: str,
) -> NewShare:
    """Store an encrypted list for `days` days (the form has checked the parameters)."""
    now = timezone.now()
    if (
        _recent(client, ShareLimitEvent.Kind.CREATED, dt.timedelta(days=1), now)
        >= settings.SHARE_LIMIT_PER_CLIENT_PER_DAY
    ):
        raise TooManyFromClient(dt.timedelta(days=1))
    token = secrets.token_urlsafe(REVOKE_TOKEN_BYTES)
    with transaction.atomic():
        share = SharedList.objects.create(
            link_id=secrets.token_urlsafe(LINK_ID_BYTES),
            ciphertext=ciphertext,
            iv=iv,
            salt=salt,
            iterations=iterations,
            verifier_hash=make_password(verifier),
            revoke_token_hash=_token_hash(token),
            expires_at=now + dt.timedelta(days=days),
        )
        ShareLimitEvent.objects.create(client_hash=client, kind=ShareLimitEvent.Kind.CREATED)
    return NewShare(share.link_id, token, share.expires_at)


def find(link_id: str) -> SharedList:
    """The list behind a link, still valid, or Gone."""
    share = (
        SharedList.objects.defer("ciphertext")
        .filter(link_id=link_id, expires_at__gt=timezone.now())
        .first()
    )
    if share is None:
        raise Gone()
    return share


def unlock(link_id: str, verifier: str, *, client: str) -> SharedList:
    """The list, when `verifier` proves the passcode; otherwise count the wrong passcode
    (for the link and the client) and raise WrongPasscode, Locked or Gone."""
    now = timezone.now()
    if (
        _recent(client, ShareLimitEvent.Kind.WRONG_PASSCODE, dt.timedelta(hours=1), now)
        >= settings.SHARE_WRONG_PASSCODES_PER_CLIENT_PER_HOUR
    ):
        raise TooManyFromClient(dt.timedelta(hours=1))
    with transaction.atomic():
        # Locked, so that parallel guesses are counted one after the other.
        share = (
            SharedList.objects.select_for_update()
            .filter(link_id=link_id, expires_at__gt=now)
            .first()
        )
        if share is None:
            raise Gone()
        if share.locked_until and share.locked_until > now:
            raise Locked(share.locked_until, DESTROY_AFTER - share.failed_attempts)
        if check_password(verifier, share.verifier_hash):
            if share.failed_attempts or share.locked_until:
                share.failed_attempts, share.locked_until = 0, None
                share.save(update_fields=["failed_attempts", "locked_until"])
            return share
        ShareLimitEvent.objects.create(client_hash=client, kind=ShareLimitEvent.Kind.WRONG_PASSCODE)
        share.failed_attempts += 1
        if share.failed_attempts >= DESTROY_AFTER:
            share.delete()
            outcome: Exception = Gone(destroyed=True)
        else:
            lock = lock_after(share.failed_attempts)
            share.locked_until = now + lock if lock else None
            share.save(update_fields=["failed_attempts", "locked_until"])
            tries_left = DESTROY_AFTER - share.failed_attempts
            outcome = (
                Locked(share.locked_until, tries_left)
                if lock
                else WrongPasscode(FREE_TRIES - share.failed_attempts, tries_left)
            )
    # Raised after the transaction commits, so that the wrong passcode stays counted.
    raise outcome


def revoke(link_id: str, token: str) -> bool:
    """Delete the list at once if `token` is its revoke token; False if it is not (or the
    list is already gone)."""
    share = SharedList.objects.filter(link_id=link_id).only("revoke_token_hash").first()
    if share is None or not hmac.compare_digest(share.revoke_token_hash, _token_hash(token)):
        return False
    share.delete()
    return True


def purge(*, dry_run: bool = False) -> tuple[int, int]:
    """Delete the expired lists, and the limits' events older than a day; safe to run
    twice. Returns how many of each."""
    now = timezone.now()
    lists = SharedList.objects.filter(expires_at__lte=now)
    events = ShareLimitEvent.objects.filter(at__lte=now - dt.timedelta(days=1))
    if dry_run:
        return lists.count(), events.count()
    return lists.delete()[0], events.delete()[0]
