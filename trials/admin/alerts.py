"""E-mail alert subscriptions in the admin: counts, and deleting one address's on request.

Only superusers see this page. It lists no address and no search: an address with a
condition is health data, and no one needs to browse them. It shows how many
subscriptions there are (by frequency, confirmed or not, paused), and deletes every
subscription of one address when its owner asks (the count is shown before deleting).
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from ..alerts import subscriptions
from ..models import Subscription

logger = logging.getLogger(__name__)


class DeleteAddressForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        help_text="Every alert subscription of this address is deleted, with what was sent.",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


def counts() -> list[dict]:
    """Subscriptions per frequency: confirmed (active, paused) and waiting for confirmation."""
    confirmed = Q(confirmed_at__isnull=False)
    rows = Subscription.objects.values("frequency").annotate(
        active=Count("pk", filter=confirmed & Q(paused_at__isnull=True)),
        paused=Count("pk", filter=confirmed & Q(paused_at__isnull=False)),
        unconfirmed=Count("pk", filter=~confirmed),
        total=Count("pk"),
    )
    found = {row["frequency"]: row for row in rows}
    empty = {"active": 0, "paused": 0, "unconfirmed": 0, "total": 0}
    return [
        {"label": label, **found.get(value, empty)}
        for value, label in Subscription.Frequency.choices
    ]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        # The summary is the only page: no list of subscriptions, no page of one.
        view = self.admin_site.admin_view(self.summary_view)
        return [path("", view, name="trials_subscription_changelist")]

    @method_decorator(sensitive_post_parameters("email"))
    def summary_view(self, request: HttpRequest) -> TemplateResponse | HttpResponseRedirect:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = DeleteAddressForm(request.POST or None)
        found = None
        if request.method == "POST" and form.is_valid():
            email = form.cleaned_data["email"].strip().lower()
            if form.cleaned_data["confirmed"]:
                deleted = subscriptions.delete_address(email)
                logger.info("alerts: user %s deleted %s subscription(s)", request.user.pk, deleted)
                messages.success(request, f"Deleted {deleted} subscription(s) of this address.")
                return HttpResponseRedirect(reverse("admin:trials_subscription_changelist"))
            found = Subscription.objects.filter(email=email).count()
            form = DeleteAddressForm(initial={"email": email, "confirmed": True})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "E-mail alert subscriptions",
            "counts": counts(),
            "total": Subscription.objects.count(),
            "form": form,
            "found": found,
        }
        return TemplateResponse(request, "admin/trials/subscription/summary.html", context)
