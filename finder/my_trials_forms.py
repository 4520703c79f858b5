"""Forms of My trials and its shared lists: what the JSON endpoints accept.

The browser sends binary values (ciphertext, nonce, salt, verifier) as standard base64;
each field checks its size so that nothing the server stores is larger than sharing
needs. Messages are for the page's script, which shows its own words to the patient.
"""

from __future__ import annotations

import base64
import binascii

from django import forms
from django.utils.translation import gettext_lazy as _

from trials import sharing

from .trial_views import NCT_ID, canonical_nct_id

MAX_TRIALS_PER_REQUEST = 100


class NctIdsField(forms.Field):
    """Repeated `nct` parameters: canonical NCT IDs in the order given, without repeats.
    Malformed ones are kept apart (`invalid`), as a list whose trials do not exist."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> tuple[list[str], list[str]]:
        ids, invalid = [], []
        for text in value or []:
            nct_id = canonical_nct_id(str(text))
            target = ids if NCT_ID.match(nct_id) else invalid
            if nct_id not in target:
                target.append(nct_id[:20])
        return ids, invalid

    def validate(self, value) -> None:
        ids, invalid = value
        if not ids and not invalid:
            raise forms.ValidationError(_("Give at least one NCT ID."), code="required")
        if len(ids) + len(invalid) > MAX_TRIALS_PER_REQUEST:
            raise forms.ValidationError(
                _("Ask for at most %(limit)d trials at a time."),
                code="max",
                params={"limit": MAX_TRIALS_PER_REQUEST},
            )


class SavedTrialsQuery(forms.Form):
    nct = NctIdsField()


class Base64Field(forms.CharField):
    """Standard base64 of `min_bytes` to `max_bytes` bytes; cleans to the bytes."""

    def __init__(self, *, min_bytes: int, max_bytes: int, **kwargs):
        self.min_bytes, self.max_bytes = min_bytes, max_bytes
        kwargs.setdefault("max_length", (max_bytes + 2) // 3 * 4)
        super().__init__(**kwargs)

    def clean(self, value) -> bytes:
        text = super().clean(value)
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise forms.ValidationError(_("Not base64."), code="invalid") from None
        if not self.min_bytes <= len(data) <= self.max_bytes:
            raise forms.ValidationError(
                _("Must hold %(min)d to %(max)d bytes."),
                code="size",
                params={"min": self.min_bytes, "max": self.max_bytes},
            )
        return data


def _verifier_field() -> Base64Field:
    return Base64Field(min_bytes=sharing.VERIFIER_BYTES, max_bytes=sharing.VERIFIER_BYTES)


class VerifierMixin:
    def clean_verifier(self) -> str:
        # Canonical text, so that one verifier always meets the same hash.
        return base64.b64encode(self.cleaned_data["verifier"]).decode()


class ShareForm(VerifierMixin, forms.Form):
    """A new shared list: the ciphertext and what decrypting it needs, but the passcode."""

    version = forms.TypedChoiceField(choices=[(1, "1")], coerce=int)
    ciphertext = Base64Field(min_bytes=17, max_bytes=sharing.MAX_CIPHERTEXT_BYTES)
    iv = Base64Field(min_bytes=sharing.IV_BYTES, max_bytes=sharing.IV_BYTES)
    salt = Base64Field(min_bytes=sharing.SALT_BYTES, max_bytes=64)
    iterations = forms.IntegerField(
        min_value=sharing.MIN_ITERATIONS, max_value=sharing.MAX_ITERATIONS
    )
    verifier = _verifier_field()
    days = forms.IntegerField(min_value=1, max_value=sharing.MAX_DAYS, required=False)

    def clean_days(self) -> int:
        return self.cleaned_data["days"] or sharing.DEFAULT_DAYS


def _link_id_field() -> forms.CharField:
    return forms.CharField(max_length=64)


class UnlockForm(VerifierMixin, forms.Form):
    id = _link_id_field()
    verifier = _verifier_field()


class RevokeForm(forms.Form):
    id = _link_id_field()
    token = forms.CharField(max_length=100)
