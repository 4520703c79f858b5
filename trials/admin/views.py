"""Admin pages beyond the stock ones: the ClinicalTrials.gov upload and the contact request export.

Both are reached through their ModelAdmin's URLs (`TrialAdmin.get_urls`,
`ContactRequestAdmin.get_urls`) and use its permissions and querysets, so the
export holds exactly the requests the coordinator's filtered list shows.
"""

from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from .. import prescreen, workflow
from ..importer import StrictAbort, Summary, import_items
from ..models import AuditLogEntry
from ..sources import iter_paths

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

MAX_PROBLEMS_SHOWN = 500
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


def import_ctgov_file(request: HttpRequest, model_admin: ModelAdmin) -> TemplateResponse:
    if not model_admin.has_import_permission(request):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    summary = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = import_upload(form.cleaned_data["file"], strict=form.cleaned_data["strict"])
        except StrictAbort as exc:
            messages.error(request, f"Stopped at a bad record; nothing was imported. {exc}")
        else:
            level = messages.WARNING if summary.skipped else messages.SUCCESS
            messages.add_message(request, level, f"Imported: {summary}")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import from ClinicalTrials.gov",
        "form": form,
        "summary": summary,
        "problems": summary.problems[:MAX_PROBLEMS_SHOWN] if summary else [],
        "problems_not_shown": max(0, len(summary.problems) - MAX_PROBLEMS_SHOWN) if summary else 0,
    }
    return TemplateResponse(request, "admin/trials/trial/import.html", context)


def import_upload(upload: UploadedFile, *, strict: bool = False) -> Summary:
    """Import an uploaded file with the same code as `import_ctgov`, streaming it from disk."""
    name = Path(upload.name or "upload").name
    # The suffix (.json, .jsonl, .gz, .zip) tells a reader what the file is; keep only that.
    suffix = re.sub(r"[^A-Za-z0-9.]", "", "".join(Path(name).suffixes))[-20:]
    if hasattr(upload, "temporary_file_path"):  # a large upload, already streamed to disk
        return _import_path(upload.temporary_file_path(), name, strict)
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        return _import_path(copy.name, name, strict)


def _import_path(path: str, name: str, strict: bool) -> Summary:
    try:
        summary = import_items(iter_paths([path]), strict=strict)
    except StrictAbort as exc:
        exc.problem.source = exc.problem.source.replace(path, name)
        raise StrictAbort(exc.problem) from None
    # Problems name the temporary file; show the name the user uploaded instead.
    for problem in summary.problems:
        problem.source = problem.source.replace(path, name)
    return summary


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
