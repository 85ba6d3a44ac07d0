"""The Django admin lists every model with search and filters; history cannot be destroyed."""

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from signs.models import (
    ApprovedItem,
    BookCopy,
    Department,
    ImportBatch,
    LedgerLayout,
    LedgerWord,
    Removal,
    Signboard,
    Standard,
)
from villages.models import AuditEntry, DemonstrationSite, Town, TownStaff, Village

MODELS = [Town, Village, DemonstrationSite, TownStaff, AuditEntry, Standard, ApprovedItem,
          Signboard, Removal, Department, BookCopy, LedgerLayout, LedgerWord,
          ImportBatch]  # fmt: skip


@pytest.fixture
def admin_client_with_data(admin_client, village, staff):
    sign = Signboard.objects.create(
        village=village, kind="guidance", title="廉洁工作站", inventoried_on=dt.date(2024, 1, 2)
    )
    Removal.objects.create(signboard=sign, removed_on=dt.date(2024, 3, 1), reason="no_business")
    DemonstrationSite.objects.create(village=village, year_designated=2024, investment=40000)
    AuditEntry.objects.create(
        action="removal.record", object_type="signs.removal", town=village.town
    )
    return admin_client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_is_registered_with_search_and_filters(model):
    model_admin = admin.site._registry[model]
    assert model_admin.list_display != ("__str__",)
    assert model_admin.search_fields
    assert model_admin.list_filter


SEARCHES = [
    (Town, "横州", 1),
    (Village, "城东", 1),
    (DemonstrationSite, "城东", 1),
    (TownStaff, "staff_a", 1),
    (AuditEntry, "removal", 0),  # searches object text, not the action code
    (Standard, "示例", 1),
    (ApprovedItem, "村规民约", 1),
    (Signboard, "廉洁", 1),
    (Removal, "城东", 1),
]


@pytest.mark.parametrize(
    ("model", "query", "count"), SEARCHES, ids=lambda v: getattr(v, "__name__", "")
)
def test_changelist_search_finds_rows(admin_client_with_data, model, query, count):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = admin_client_with_data.get(url, {"q": query})
    assert response.status_code == 200
    assert response.context["cl"].result_count == count
    assert response.context["cl"].full_result_count == model.objects.count()


def test_audit_records_are_read_only(admin_client_with_data):
    entry = AuditEntry.objects.get()
    model_admin = admin.site._registry[AuditEntry]
    request = type("R", (), {"user": None})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    delete_url = reverse("admin:villages_auditentry_delete", args=[entry.pk])
    assert admin_client_with_data.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("model", [Signboard, Removal], ids=lambda m: m.__name__)
def test_signs_and_removals_cannot_be_deleted_in_the_admin(admin_client_with_data, model):
    obj = model.objects.get()
    url = reverse(f"admin:signs_{model._meta.model_name}_delete", args=[obj.pk])
    assert admin_client_with_data.post(url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_department_named_by_signs_cannot_be_deleted_in_the_admin(admin_client, village):
    police = Department.objects.get(name="市公安局")
    Signboard.objects.create(
        village=village, kind="guidance", title="警民联系牌", inventoried_on=dt.date(2024, 1, 2),
        requested_by=police,
    )  # fmt: skip
    url = reverse("admin:signs_department_delete", args=[police.pk])
    page = admin_client.post(url, {"post": "yes"})
    assert "无法删除 市直单位" in page.content.decode()  # Django's protected-objects page
    assert Department.objects.filter(pk=police.pk).exists()


def test_an_import_batch_is_read_only_in_the_admin(admin_client, village, staff):
    batch = ImportBatch.objects.create(
        town=village.town, file_name="台账.xlsx", sha256="0" * 64, imported_by=staff
    )
    changelist = admin_client.get(reverse("admin:signs_importbatch_changelist"))
    assert "台账.xlsx" in changelist.content.decode()
    assert admin_client.get(reverse("admin:signs_importbatch_add")).status_code == 403
    delete = reverse("admin:signs_importbatch_delete", args=[batch.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ImportBatch.objects.filter(pk=batch.pk).exists()
