"""Helpers shared by the security tests: the URL walk, POST data, row counts, import files."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import openpyxl
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from signs.models import Removal
from tests.helpers import plaque_photo

PASSWORD = "pw-Test-2024"
OWN, OTHER = "own", "other"

# Prefixes whose views are Django's own (admin, language switch, login): the scope tests skip
# them; the CSRF test does not.
FRAMEWORK_PREFIXES = ("admin/", "i18n/", "accounts/")
CONVERTER = re.compile(r"<[^<>]+>")

SIGN_HEADERS = ["乡镇代码", "村(社区)代码", "村(社区)名称", "牌子名称", "类别", "位置", "保留项目",
                "清点日期", "摘除日期", "摘除原因", "备注"]  # fmt: skip
VILLAGE_HEADERS = ["乡镇代码", "乡镇名称", "村(社区)代码", "村(社区)名称", "类别"]


# --- the URL conf -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern of the project, flattened: its full route, name and the view."""

    route: str
    name: str | None
    pattern: URLPattern

    @property
    def takes_arguments(self) -> bool:
        return bool(CONVERTER.search(self.route))

    @property
    def is_framework(self) -> bool:
        return self.route.lstrip("^").startswith(FRAMEWORK_PREFIXES)

    @property
    def arguments(self) -> list[str]:
        """The names of the route's arguments, e.g. ["code", "token"]."""
        names = []
        for match in CONVERTER.finditer(self.route):
            inner = match.group(0)[1:-1]
            names.append(inner.split(":")[-1])
        return names


def routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """Every URL pattern of the project, walking included URL confs recursively."""
    resolver = resolver or get_resolver()
    found: list[Route] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            found.extend(routes(entry, route, inner))
        else:
            name = f"{namespace}{entry.name}" if entry.name else None
            found.append(Route(route=route, name=name, pattern=entry))
    return found


def dummy_kwargs(route: Route) -> dict:
    """Arguments that resolve for `route`, for tests that stop before the view runs (CSRF)."""
    values = {}
    for match in CONVERTER.finditer(route.route):
        inner = match.group(0)[1:-1]
        converter, _, name = inner.rpartition(":")
        if converter == "int" or name in {"pk", "id", "object_id"}:
            values[name] = 1
        elif converter == "uuid":
            values[name] = uuid.uuid4()
        else:
            values[name] = "1"
    return values


# --- requests ---------------------------------------------------------------------------------


def form_data(data: dict | None = None, **fields) -> dict:
    """POST data for a write form, with a fresh one-time token as from its own page load.

    Every POST of this suite goes through here: the app's write forms carry a `form_token`
    (utilities.form_tokens); forms without one ignore the extra field.
    """
    return {"form_token": str(uuid.uuid4()), **(data or {}), **fields}


def send(client, method: str, url: str, data: dict | None = None):
    if method == "get":
        return client.get(url)
    return client.post(url, form_data(data))


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("login"))


def snapshot() -> dict:
    """Row counts of every table of the project's own apps (and revoked removals): a write,
    even of an audit row or a spent form token, changes one of them."""
    counts = {
        model._meta.label: model._default_manager.count()
        for app in ("utilities", "villages", "signs", "supervision", "feedback")
        for model in apps.get_app_config(app).get_models()
    }
    counts["revoked removals"] = Removal.objects.filter(revoked_at__isnull=False).count()
    return counts


# --- import files -----------------------------------------------------------------------------


def xlsx(rows, headers, *, sheet: str) -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(headers)
    for number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            cell = ws.cell(number, column, value)
            if isinstance(value, str):
                cell.data_type = "s"  # typed as text, as Excel stores '=... after an apostrophe
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sign_row(village, *, title="廉洁工作站", location="外墙", kind="功能性指引牌子", note=None,
             removed=None, reason=None) -> list:  # fmt: skip
    return [village.town.code, village.code, village.name, title, kind, location, None,
            "2024-01-02", removed, reason, note]  # fmt: skip


def sign_file(village, *, name="台账.xlsx", **row) -> SimpleUploadedFile:
    data = xlsx([sign_row(village, **row)], SIGN_HEADERS, sheet="牌子清单")
    return SimpleUploadedFile(name, data)


def village_file(*, name="名单.xlsx") -> SimpleUploadedFile:
    rows = [["450181100", "横州镇", "450181100299", "新建村", "村"]]
    return SimpleUploadedFile(name, xlsx(rows, VILLAGE_HEADERS, sheet="村社区名单"))


def _token_from(response) -> uuid.UUID | None:
    if response.status_code != 302:
        return None
    match = resolve(response.url.split("?")[0])
    return match.kwargs.get("token")


def pending_sign_import(client, village) -> uuid.UUID | None:
    """Upload a good one-row inventory for `village` as the client's user: the preview's token,
    or None where the user may not import that township."""
    url = reverse("sign_import", args=[village.town.code])
    return _token_from(client.post(url, form_data(file=sign_file(village))))


def pending_word_mapping(client, village) -> uuid.UUID | None:
    """Upload a one-row inventory whose kind is a word of the township's own (宣传牌): the
    token of its mapping step, or None where the user may not import that township."""
    url = reverse("sign_import", args=[village.town.code])
    return _token_from(client.post(url, form_data(file=sign_file(village, kind="宣传牌"))))


def pending_village_import(client) -> uuid.UUID | None:
    return _token_from(client.post(reverse("village_import"), form_data(file=village_file())))


def wall_photo(title: str = "廉洁工作站") -> SimpleUploadedFile:
    return SimpleUploadedFile("墙.jpg", plaque_photo(title), "image/jpeg")


def pending_wall_reading(client, village) -> uuid.UUID | None:
    """Read a one-plaque wall photo for `village` as the client's user: the reading's token,
    or None where the user may not add signs there."""
    url = reverse("wall_read", args=[village.code])
    return _token_from(client.post(url, {"location": "一楼", "photos": wall_photo()}))


def workbook_cells(data: bytes) -> Iterator[tuple[str, openpyxl.cell.Cell]]:
    """(sheet title, cell) for every cell of every sheet of an xlsx."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                yield ws.title, cell


def content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
