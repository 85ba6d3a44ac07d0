"""Shared tasks of utilities.jobs: a table export too large for the request.

A view's export branch calls `job_views.export_or_job`; above EXPORT_JOB_ROWS rows it starts
`table_export`, which requests the same URL as the job's owner inside the worker (the view's
own scoping and filters apply, exactly as on the page) and keeps the workbook it answers.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import resolve
from django.utils.translation import gettext as _

from . import jobs

IN_JOB = "_in_job"


@jobs.task("table_export", time_limit=900)
def table_export(run: jobs.Run) -> dict:
    request = RequestFactory().get(run.params["path"])
    request.user = run.owner
    request._messages = CookieStorage(request)
    setattr(request, IN_JOB, True)
    match = resolve(request.path_info)
    response = match.func(request, *match.args, **match.kwargs)
    disposition = response.get("Content-Disposition", "")
    if response.status_code != 200 or "attachment" not in disposition:
        raise ValidationError(_("The export could not be made; open the page and try again."))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    name = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    ascii_name = re.search(r'filename="([^"]+)"', disposition)
    run.write_file(lambda out: out.write(content),
                   name=unquote(name.group(1)) if name else "export.xlsx",
                   ascii_name=ascii_name.group(1) if ascii_name else "")  # fmt: skip
    return {"rows": run.params["rows"]}
