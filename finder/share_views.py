"""Shared lists: the page a link opens, and the JSON endpoints that create, unlock and
revoke a list (trials.sharing holds the rules; static/js/mytrials/ the encryption).

Link ids travel in JSON bodies, never in an endpoint's path, and every answer here is
private: not stored by caches, not indexed, sent without a referrer, and not logged.
"""

from __future__ import annotations

import base64
import functools
import json
import math

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from trials import sharing

from .client import sender
from .my_trials_forms import RevokeForm, ShareForm, UnlockForm


def private(*methods: str):
    """A view of a shared list: other methods get a 405, and every answer the private
    headers. Django logs 4xx answers with their path, which for the page holds the link
    id: the answer is marked as logged already."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                response = HttpResponse(status=405)
                response["Allow"] = ", ".join(methods)
            else:
                response = view(request, *args, **kwargs)
            response["Cache-Control"] = "no-store"
            response["Referrer-Policy"] = "no-referrer"
            response["X-Robots-Tag"] = "noindex, nofollow"
            response._has_been_logged = True
            return response

        return wrapper

    return decorator


def _error(code: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": code, "message": message, **extra}, status=status)


def _retry_after(response: HttpResponse, seconds: float) -> HttpResponse:
    response["Retry-After"] = str(max(1, math.ceil(seconds)))
    return response


def _json_form(request: HttpRequest, form_class):
    """The form bound to the request's JSON object, or None if the body is not one."""
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return form_class(data) if isinstance(data, dict) else None


def _invalid(form) -> JsonResponse:
    errors = form.errors if form is not None else {"body": ["not a JSON object"]}
    return _error("invalid", _("The request was not understood."), 400, parameters=errors)


def _gone(destroyed: bool = False) -> JsonResponse:
    message = (
        _("That was the last try: this link no longer works.")
        if destroyed
        else _("This link has expired.")
    )
    return _error("destroyed" if destroyed else "expired", message, 410)


@private("GET")
def shared_list(request: HttpRequest, link_id: str) -> HttpResponse:
    """The page a shared link opens: asks for the passcode (the script does the rest)."""
    try:
        share = sharing.find(link_id)
    except sharing.Gone:
        return render(request, "finder/shared_list.html", {"expired": True}, status=410)
    context = {
        "share": share,
        "salt": base64.b64encode(share.salt).decode(),
        "link_id": link_id,
    }
    return render(request, "finder/shared_list.html", context)


@private("POST")
def create_share(request: HttpRequest) -> JsonResponse:
    form = _json_form(request, ShareForm)
    if form is None or not form.is_valid():
        return _invalid(form)
    data = form.cleaned_data
    try:
        new = sharing.create(
            ciphertext=data["ciphertext"],
            iv=data["iv"],
            salt=data["salt"],
            iterations=data["iterations"],
            verifier=data["verifier"],
            days=data["days"],
            client=sender(request).client,
        )
    except sharing.TooManyFromClient as limit:
        response = _error(
            "too_many", _("You have shared many lists today; try again tomorrow."), 429
        )
        return _retry_after(response, limit.retry_after.total_seconds())
    url = request.build_absolute_uri(reverse("shared_list", args=[new.link_id]))
    return JsonResponse(
        {
            "id": new.link_id,
            "url": url,
            "revoke_token": new.revoke_token,
            "expires_at": new.expires_at.isoformat(),
        },
        status=201,
    )


@private("POST")
def unlock_share(request: HttpRequest) -> JsonResponse:
    """POST {id, verifier}: the ciphertext, when the verifier proves the passcode."""
    form = _json_form(request, UnlockForm)
    if form is None or not form.is_valid():
        return _invalid(form)
    data = form.cleaned_data
    try:
        share = sharing.unlock(data["id"], data["verifier"], client=sender(request).client)
    except sharing.Gone as gone:
        return _gone(gone.destroyed)
    except sharing.WrongPasscode as wrong:
        return _error(
            "wrong_passcode",
            _("That passcode is not right."),
            403,
            tries_before_lock=wrong.tries_before_lock,
            tries_left=wrong.tries_left,
        )
    except sharing.Locked as locked:
        response = _error(
            "locked",
            _("Too many wrong passcodes: this link is locked for a while."),
            429,
            locked_until=locked.until.isoformat(),
            tries_left=locked.tries_left,
        )
        return _retry_after(response, (locked.until - timezone.now()).total_seconds())
    except sharing.TooManyFromClient as limit:
        response = _error(
            "too_many", _("Too many wrong passcodes from your connection; try again later."), 429
        )
        return _retry_after(response, limit.retry_after.total_seconds())
    return JsonResponse(
        {
            "version": share.version,
            "ciphertext": base64.b64encode(share.ciphertext).decode(),
            "iv": base64.b64encode(share.iv).decode(),
            "expires_at": share.expires_at.isoformat(),
        }
    )


@private("POST")
def revoke_share(request: HttpRequest) -> HttpResponse:
    """POST {id, token}: delete the list at once. A list already gone answers the same,
    so that revoking twice is harmless."""
    form = _json_form(request, RevokeForm)
    if form is None or not form.is_valid():
        return _invalid(form)
    link_id = form.cleaned_data["id"]
    if sharing.revoke(link_id, form.cleaned_data["token"]):
        return HttpResponse(status=204)
    try:
        sharing.find(link_id)
    except sharing.Gone:
        return HttpResponse(status=204)
    return _error("wrong_token", _("This link was not shared from this browser."), 403)
