"""Admin pages beyond the stock ones: the ClinicalTrials.gov upload (imported by the
task worker, trials.tasks.import_upload) and the contact request export.

Both are reached through their ModelAdmin's URLs (`TrialAdmin.get_urls`,
`ContactRequestAdmin.get_urls`) and use its permissions and querysets, so the
export holds exactly the requests the coordinator's filtered list shows.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from .. import prescreen, workflow
from ..models import AuditLogEntry, ImportUpload
from ..tasks import import_upload

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

# A spreadsheet runs a cell starting with one of these as a formula: patients' text must not.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = [
    "request",
    "received",
    "status",
    "status changed",
    "first response",
    "assignee",
    "NCT ID",
    "trial",
    "site",
    "first name",
    "last name",
    "e-mail",
    "phone",
    "other language",
    "message",
    "consent",
    "pre-screening",
]


# Import


class ImportForm(forms.Form):
    file = forms.FileField(
        label="ClinicalTrials.gov file",
        help_text=(
            "API v2 JSON: one study, an API page, a JSON array, JSON Lines, gzip of any of "
            "these, or the bulk ZIP download."
        ),
    )
    strict = forms.BooleanField(
        label="All or nothing",
        required=False,
        help_text="Stop at the first bad record and import nothing.",
    )


def import_ctgov_file(request: HttpRequest, model_admin: ModelAdmin) -> HttpResponse:
    """The upload form: a valid file is stored and queued for the worker to import."""
    if not model_admin.has_import_permission(request):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = queue_upload(form.cleaned_data["file"], form.cleaned_data["strict"], request.user)
        return HttpResponseRedirect(reverse("admin:trials_trial_import_status", args=[upload.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import from ClinicalTrials.gov",
        "form": form,
        "recent": ImportUpload.objects.select_related("uploaded_by")[:10],
        "max_mb": settings.IMPORT_UPLOAD_MAX_MB,
    }
    return TemplateResponse(request, "admin/trials/trial/import.html", context)


def import_status(request: HttpRequest, model_admin: ModelAdmin, upload_id: int) -> HttpResponse:
    """Where an upload is: waiting, importing (the page reloads itself), or its summary."""
    if not model_admin.has_import_permission(request):
        raise PermissionDenied
    upload = get_object_or_404(ImportUpload, pk=upload_id)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Import of {upload.name}",
        "upload": upload,
        "summary": upload if upload.state == ImportUpload.State.DONE else None,
        "problems": upload.problems,
        "problems_not_shown": upload.problems_not_shown,
    }
    return TemplateResponse(request, "admin/trials/trial/import_status.html", context)


def queue_upload(file: UploadedFile, strict: bool, user) -> ImportUpload:
    """Store the uploaded file where the worker reads it, and queue its import."""
    name = Path(file.name or "upload").name[:255]
    # The suffix (.json, .jsonl, .gz, .zip) tells a reader what the file is; keep only that.
    suffix = re.sub(r"[^A-Za-z0-9.]", "", "".join(Path(name).suffixes))[-20:]
    folder = settings.IMPORT_UPLOAD_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, stored = tempfile.mkstemp(suffix=suffix, dir=folder)
    with os.fdopen(fd, "wb") as copy:
        for chunk in file.chunks():
            copy.write(chunk)
    with transaction.atomic():
        upload = ImportUpload.objects.create(
            name=name, path=stored, strict=strict, uploaded_by=user
        )
        import_upload.enqueue(upload.pk)
    return upload


# Export


def export_contact_requests(request: HttpRequest, model_admin: ModelAdmin) -> HttpResponse:
    """The changelist's requests, with its filters, search and order, as CSV; audited."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    list_url = reverse("admin:trials_contactrequest_changelist")
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        messages.error(request, "These filters are not valid; nothing was exported.")
        return HttpResponseRedirect(f"{list_url}?e=1")
    now = timezone.localtime()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="contact-requests-{now:%Y-%m-%d-%H%M}.csv"'
    )
    response.write("\ufeff")  # so spreadsheets read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    ids = []
    for cr in changelist.queryset.iterator(chunk_size=1000):
        ids.append(cr.pk)
        writer.writerow([_cell(value) for value in _row(cr)])
    workflow.audit(
        request.user,
        AuditLogEntry.Action.EXPORT,
        ids,
        f"CSV {changelist.get_query_string(remove=['q'])}".removesuffix(" ?"),
    )
    return response


def _row(cr) -> list:
    return [
        cr.pk,
        when(cr.created_at),
        cr.get_status_display(),
        when(cr.status_changed_at),
        when(cr.first_response_at),
        cr.assignee.get_username() if cr.assignee else "",
        cr.trial.nct_id,
        cr.trial.title,
        str(cr.site) if cr.site else cr.site_name,
        cr.first_name,
        cr.last_name,
        cr.email,
        cr.phone,
        cr.language,
        cr.message,
        "yes" if cr.consent else "no",
        _prescreen_summary(cr.prescreen),
    ]


def _prescreen_summary(data: dict | None) -> str:
    """One cell for the checklist: the verdict and the counts; the criteria themselves
    are on the request's page."""
    snapshot = prescreen.Snapshot.from_json(data)
    return snapshot.summary() if snapshot else ""


def when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _cell(value) -> str:
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text
