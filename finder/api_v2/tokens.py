"""Page tokens: the position after a page's last study, signed so that no one can forge
or alter one, and bound to the query that made it."""

from __future__ import annotations

from django.core import signing

SALT = "finder.api_v2.page"


class BadToken(ValueError):
    pass


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def make(signature: str, keys: list) -> str:
    """The token of a position: the same query and position always give the same token."""
    return _signer().sign_object({"s": signature, "k": keys}, compress=True)


def read(token: str, signature: str) -> list:
    """The keys a token holds; BadToken when it was altered or is another query's."""
    try:
        data = _signer().unsign_object(token)
    except signing.BadSignature:
        raise BadToken(
            "pageToken is not valid: use the nextPageToken of the previous page as it is"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("k"), list):
        raise BadToken("pageToken is not valid")
    if data.get("s") != signature:
        raise BadToken(
            "pageToken belongs to another query: every page needs the parameters of the first "
            "(but countTotal, pageSize and pageToken)"
        )
    return data["k"]
