"""The import pages: upload → every error, or a preview → confirm; thin over signs.imports.

Between preview and confirm the upload waits on the server, never in the browser
(signs.pending), with its name and the confirmed counts. The confirm step reads that file
again and plans it again inside the transaction; the browser only says which upload. With a
job queue the sign import's read and plan, and its commit, run as jobs (signs.jobs).
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from utilities import jobs
from utilities.excel import XLSX_CONTENT_TYPE, xlsx_response
from utilities.forms import BootstrapMixin
from utilities.job_views import queue_unavailable
from utilities.models import JobState
from villages import imports as village_imports
from villages.access import visible_towns
from villages.decorators import city_level_required

from .. import imports, services
from .. import jobs as signs_jobs
from ..pending import PendingUploads

SIGNS, VILLAGES = "signs", "villages"


# What a township office's programs save a ledger as (Excel and WPS alike); signs.imports.files
# tells the formats apart by their bytes, not by these names.
ACCEPT = ",".join([
    ".xlsx", ".xlsm", ".xls", ".csv", XLSX_CONTENT_TYPE, "application/vnd.ms-excel",
    "application/vnd.ms-excel.sheet.macroEnabled.12", "text/csv",
])  # fmt: skip


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Ledger file (.xlsx, .xls or .csv)"),
        allow_empty_file=True,  # signs.imports says so, in the list with the other errors
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT, "data-testid": "import-file"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; the limit is %(max)d MB.")
                % {
                    "size": upload.size / (1024 * 1024),
                    "max": imports.MAX_UPLOAD_BYTES // (1024 * 1024),
                }
            )
        return upload


# --- the pending upload ----------------------------------------------------------------------

PENDING = PendingUploads(session_key="pending_imports", suffix=".xlsx")


def _store(request, *, kind: str, town_code: str, data: bytes, name: str, summary) -> str:
    scope = {"kind": kind, "town": town_code}
    return PENDING.store(request, scope=scope, data=data, name=name[:200], summary=summary)


def _load(request, *, kind: str, town_code: str, token: str) -> tuple[dict, bytes] | None:
    """The pending upload `token` of this user, for this import and township, unexpired."""
    return PENDING.load(request, token, scope={"kind": kind, "town": town_code})


def _discard(request, token: str) -> None:
    PENDING.discard(request, token)


def _update_summary(request, token: str, summary) -> None:
    PENDING.update(request, token, summary=summary)


def _error_context(errors) -> dict:
    errors = [str(e) for e in errors]
    return {
        "errors": errors[: imports.MAX_ERRORS_SHOWN],
        "error_count": len(errors),
        "hidden_errors": max(0, len(errors) - imports.MAX_ERRORS_SHOWN),
    }


def _upload(
    request, *, kind: str, town_code: str, context: dict, read, plan_for, preview_url,
    mapping_url=None, defer: bool = False,
):  # fmt: skip
    """The shared upload step: read and plan the file; on errors show them all, else keep the
    file and go to the preview. With `mapping_url`, a file of an unknown layout, or with
    words not known yet, is kept and goes to the mapping step first. With `defer` (a job
    queue) the file is kept unread: the preview has a job read and plan it."""
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        if defer:
            token = _store(request, kind=kind, town_code=town_code, data=data,
                           name=upload.name, summary={})  # fmt: skip
            return redirect(preview_url(token))

        def keep(summary) -> str:
            return _store(
                request, kind=kind, town_code=town_code, data=data, name=upload.name,
                summary=summary,
            )  # fmt: skip

        try:
            sheet = read(data)
        except imports.NeedsMapping:
            if mapping_url is None:
                raise
            return redirect(mapping_url(keep({})))
        except imports.ImportFileError as exc:
            errors = exc.messages
        else:
            plan = plan_for(sheet)
            if mapping_url is not None and getattr(plan, "unknown_words", None):
                return redirect(mapping_url(keep(plan.summary)))
            if plan.errors:
                errors = plan.errors
            else:
                token = _store(
                    request,
                    kind=kind,
                    town_code=town_code,
                    data=data,
                    name=upload.name,
                    summary=plan.summary,
                )
                return redirect(preview_url(token))
    return _render_upload(request, context, form=form, errors=errors)


# --- the sign inventory of a township ---------------------------------------------------------


def import_town(request, code):
    """Township staff import their own township, reviewers and administrators any."""
    return get_object_or_404(visible_towns(request.user), code=code)


def load_pending(request, *, town_code: str, token: str):
    """The pending sign import `token` of this user and township, or None."""
    return _load(request, kind=SIGNS, town_code=town_code, token=token)


def refuse_pending(request, token: str, context: dict, errors):
    """Drop the pending file and show the upload page with its errors."""
    _discard(request, token)
    return _render_upload(request, context, errors=errors)


def _mapping_url(town_code: str, token: str) -> str:
    return reverse("sign_import_mapping", args=[town_code, token])


@login_required
def sign_import(request, code):
    town = import_town(request, code)
    return _upload(
        request,
        kind=SIGNS,
        town_code=town.code,
        context={"town": town, "template_url": reverse("sign_import_template", args=[town.code])},
        read=lambda data: imports.read_sign_sheet(data, town=town),
        plan_for=lambda sheet: imports.plan_sign_import(town=town, sheet=sheet),
        preview_url=lambda token: reverse("sign_import_preview", args=[town.code, token]),
        mapping_url=lambda token: _mapping_url(town.code, token),
        defer=jobs.queued(),
    )


@login_required
def sign_import_template(request, code):
    town = import_town(request, code)
    data = imports.build_sign_template(town=town)
    return xlsx_response(
        lambda out: out.write(data),
        f"{town.name}牌子台账导入模板.xlsx",
        ascii_name=f"hengzhou-sign-import-{town.code}.xlsx",
    )


@login_required
def sign_import_preview(request, code, token):
    """GET: what the import will do. POST: do it, after checking it all again."""
    town = import_town(request, code)
    token = str(token)
    upload_url = reverse("sign_import", args=[town.code])
    loaded = _load(request, kind=SIGNS, town_code=town.code, token=token)
    if loaded is None:
        messages.warning(request, _("That upload has expired or was already imported."))
        return redirect(upload_url)
    entry, data = loaded
    template_url = reverse("sign_import_template", args=[town.code])
    context = {"town": town, "entry": entry, "upload_url": upload_url, "template_url": template_url}
    sheets = _ticked_sheets(request)
    if jobs.queued():
        return _sign_import_in_jobs(
            request, town=town, token=token, entry=entry, data=data, sheets=sheets,
            context=context,
        )  # fmt: skip
    return _preview_or_confirm(
        request,
        token=token,
        data=data,
        context=context,
        read=lambda data: imports.read_sign_sheet(data, town=town, sheets=sheets),
        plan=lambda sheet: imports.plan_sign_import(town=town, sheet=sheet),
        mapping_url=_mapping_url(town.code, token),
        commit=lambda sheet: services.sign_import_commit(
            town=town,
            user=request.user,
            sheet=sheet,
            file_name=entry["name"],
            expected=entry["summary"],
        ),  # fmt: skip
        done=_(
            "Imported: %(signs)d signs and %(removals)d removals added, "
            "%(skipped)d rows already in the inventory skipped."
        ),
        done_url=reverse("town", args=[town.code]),
        template="signs/import_preview.html",
    )


def _sign_import_in_jobs(request, *, town, token, entry, data, sheets, context):
    """With a queue, the preview's read and plan and the confirm's commit run as jobs
    (signs.jobs); the preview page shows the plan its job made. A file is planned once per
    choice of sheets (?fresh plans it again)."""
    preview_url = reverse("sign_import_preview", args=[town.code, token])
    if sheets is not None:
        preview_url += "?" + urlencode([("sheets", "1"), *(("sheet", n) for n in sheets)])
    params = {"town": town.code, "token": token, "sheets": sheets,
              "sha": hashlib.sha256(data).hexdigest()}  # fmt: skip
    if request.method == "POST":
        return _start_import_job(
            request, data, task="sign_import_commit",
            title=_("Import of %(name)s") % {"name": entry["name"]},
            params={**params, "name": entry["name"], "expected": entry["summary"],
                    "done_url": reverse("town", args=[town.code])},
        )  # fmt: skip
    job = jobs.latest(owner=request.user, task="sign_import_plan", token=token)
    current = job is not None and (job.params["sheets"], job.params["sha"]) == (
        sheets, params["sha"])  # fmt: skip
    went_on = current and job.state == JobState.DONE and not job.result_file  # to the mapping
    if not current or went_on or "fresh" in request.GET or job.state == JobState.EXPIRED:
        return _start_import_job(
            request, data, task="sign_import_plan",
            title=_("Check of %(name)s") % {"name": entry["name"]},
            params={**params, "preview_url": preview_url,
                    "mapping_url": _mapping_url(town.code, token)},
        )  # fmt: skip
    if not job.finished:
        return redirect(jobs.page_url(job))
    if job.state == JobState.FAILED:
        return refuse_pending(request, token, context, job.error.splitlines())
    plan = signs_jobs.planned(job)
    _update_summary(request, token, plan.summary)
    context.update(plan=plan, summary=plan.summary, skipped_rows=plan.skipped_rows,
                   shown=imports.MAX_PREVIEW_ROWS)  # fmt: skip
    return render(request, "signs/import_preview.html", context)


def _start_import_job(request, data: bytes, *, task: str, title: str, params: dict):
    params["file"] = signs_jobs.save_import_file(data, token=params["token"])
    try:
        job = jobs.start(user=request.user, task=task, title=title, params=params)
    except jobs.QueueUnavailable:
        storages["job_results"].delete(params["file"])
        return queue_unavailable(request)
    return redirect(jobs.page_url(job))


def _ticked_sheets(request) -> list[str] | None:
    """The sheets ticked on the preview of a workbook with several tables (None: all)."""
    query = request.POST if request.method == "POST" else request.GET
    if "sheets" not in query:
        return None
    if not query.getlist("sheet"):
        messages.warning(request, _("Tick at least one sheet to import; all are shown."))
        return None
    return query.getlist("sheet")


def _preview_or_confirm(
    request, *, token, data, context, read, plan, commit, done, done_url, template,
    mapping_url=None,
):  # fmt: skip
    """GET: show what the import will do. POST: do it, planning again inside the commit.

    Shared by both imports; `done` is the success message, formatted with the plan summary.
    A file that needs its columns or words mapped (`mapping_url`) is sent there first.
    """
    try:
        sheet = read(data)
    except imports.NeedsMapping:
        if mapping_url is None:
            raise
        return redirect(mapping_url)
    except imports.ImportFileError as exc:
        _discard(request, token)
        return _render_upload(request, context, errors=exc.messages)
    if request.method == "POST":
        try:
            result = commit(sheet)
        except imports.ImportRejected as exc:
            _discard(request, token)
            return _render_upload(request, context, errors=exc.plan.errors)
        except imports.PlanChanged as exc:
            _update_summary(request, token, exc.plan.summary)
            context["changed"] = True
            result = exc.plan
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(request.path)
        else:
            _discard(request, token)
            messages.success(request, done % result.summary)
            return redirect(done_url)
    else:
        result = plan(sheet)
        if mapping_url is not None and getattr(result, "unknown_words", None):
            return redirect(mapping_url)
        if result.errors:
            _discard(request, token)
            return _render_upload(request, context, errors=result.errors)
        # What this page shows is what the user confirms (after a mapping step it was unknown).
        _update_summary(request, token, result.summary)
    context.update(
        plan=result,
        summary=result.summary,
        skipped_rows=getattr(result, "skipped_rows", {}),
        shown=imports.MAX_PREVIEW_ROWS,
    )
    return render(request, template, context)


def _render_upload(request, context: dict, *, form=None, errors=()):
    """The upload page, with every error of the last file (or of a pending one that no longer
    passes because the data changed under it)."""
    limits = {"rows": imports.MAX_ROWS, "mb": imports.MAX_UPLOAD_BYTES // (1024 * 1024)}
    context = {**context, "form": form or ImportForm(), "limits": limits, **_error_context(errors)}
    return render(request, "signs/import_upload.html", context)


# --- the village list (city level) ------------------------------------------------------------


@city_level_required
def village_import(request):
    return _upload(
        request,
        kind=VILLAGES,
        town_code="",
        context={"template_url": reverse("village_import_template")},
        read=village_imports.read_village_sheet,
        plan_for=lambda sheet: village_imports.plan_village_import(sheet=sheet),
        preview_url=lambda token: reverse("village_import_preview", args=[token]),
    )


@city_level_required
def village_import_template(request):
    data = village_imports.build_village_template()
    return xlsx_response(
        lambda out: out.write(data),
        "村(社区)名单导入模板.xlsx",
        ascii_name="hengzhou-village-import.xlsx",
    )


@city_level_required
def village_import_preview(request, token):
    token = str(token)
    upload_url = reverse("village_import")
    loaded = _load(request, kind=VILLAGES, town_code="", token=token)
    if loaded is None:
        messages.warning(request, _("That upload has expired or was already imported."))
        return redirect(upload_url)
    entry, data = loaded
    template_url = reverse("village_import_template")
    context = {"entry": entry, "upload_url": upload_url, "template_url": template_url}
    return _preview_or_confirm(
        request,
        token=token,
        data=data,
        context=context,
        read=village_imports.read_village_sheet,
        plan=lambda sheet: village_imports.plan_village_import(sheet=sheet),
        commit=lambda sheet: village_imports.village_import_commit(
            user=request.user, sheet=sheet, expected=entry["summary"]
        ),
        done=_(
            "Imported: %(towns_created)d townships added, %(towns_updated)d renamed; "
            "%(villages_created)d villages added, %(villages_updated)d updated, "
            "%(unchanged)d unchanged."
        ),
        done_url=upload_url,
        template="signs/import_villages_preview.html",
    )


urlpatterns = [
    path("t/<str:code>/import/", sign_import, name="sign_import"),
    path("t/<str:code>/import/template.xlsx", sign_import_template, name="sign_import_template"),
    path("t/<str:code>/import/<uuid:token>/", sign_import_preview, name="sign_import_preview"),
    path("import/villages/", village_import, name="village_import"),
    path("import/villages/template.xlsx", village_import_template, name="village_import_template"),
    path("import/villages/<uuid:token>/", village_import_preview, name="village_import_preview"),
]
