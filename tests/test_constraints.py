"""Every named database constraint, violated once: the database refuses, the message is Chinese."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from signs.models import (
    ApprovedItem,
    BookCopy,
    Department,
    LedgerLayout,
    LedgerWord,
    Removal,
    Signboard,
    Standard,
    VillageDayTally,
)
from villages.models import DemonstrationSite, Town, Village

pytestmark = pytest.mark.django_db


def sign(village, **kw):
    fields = {"kind": "guidance", "title": "廉洁工作站", "inventoried_on": dt.date(2024, 1, 2)}
    fields.update(kw)
    return Signboard.objects.create(village=village, **fields)


def removal(signboard, **kw):
    fields = {"removed_on": dt.date(2024, 3, 1), "reason": "no_business"}
    fields.update(kw)
    return Removal(signboard=signboard, **fields)


def build_cases(town, village):
    standard = Standard.objects.get(is_current=True)
    item = ApprovedItem.objects.filter(standard=standard, kind="rule").first()
    board = sign(village)
    Removal.objects.create(
        signboard=sign(village, title="益农信息社"),
        removed_on=dt.date(2024, 3, 1),
        reason="low_demand",
    )
    taken = Signboard.objects.get(title="益农信息社")
    copy(standard, number=1, town=town).save()
    cadre = get_user_model().objects.create(username="cadre_constraints")
    LedgerLayout.objects.create(town=town, fingerprint="f" * 64, created_by=cadre)
    VillageDayTally.objects.create(village=village, day=dt.date(2024, 1, 8))
    LedgerWord.objects.create(town=town, field="kind", word="宣传牌", value="guidance",
                              created_by=cadre)  # fmt: skip
    return {
        "villages_town_code_name_not_blank": Town(code="", name="", kind="town"),
        "villages_village_unique_name_in_town": Village(
            town=town, code="450181100299", name=village.name
        ),
        "villages_village_code_name_not_blank": Village(town=town, code="", name=""),
        "villages_demonstrationsite_investment_not_negative": DemonstrationSite(
            village=village, year_designated=2024, investment=Decimal("-1")
        ),
        "villages_demonstrationsite_year_plausible": DemonstrationSite(
            village=village, year_designated=1949, investment=Decimal("0")
        ),
        "signs_standard_one_current": Standard(
            title="第二版（示例）", year=2025, effective_on=dt.date(2025, 1, 1), is_current=True
        ),
        "signs_approveditem_unique_number": ApprovedItem(
            standard=standard, kind="rule", number=item.number, title="新制度"
        ),
        "signs_approveditem_unique_title": ApprovedItem(
            standard=standard, kind="rule", number=99, title=item.title
        ),
        "signs_approveditem_title_not_blank": ApprovedItem(
            standard=standard, kind="rule", number=98, title=""
        ),
        "signs_signboard_title_not_blank": Signboard(
            village=village, kind="other", title="", inventoried_on=dt.date(2024, 1, 2)
        ),
        "signs_removal_one_active_per_sign": removal(taken),
        "signs_removal_note_for_other_reason": removal(board, reason="other", note=""),
        "signs_removal_revocation_complete": removal(
            board, recorded_at=timezone.now(), revoked_at=timezone.now(), revoke_reason=""
        ),
        "signs_department_name_not_blank": Department(name=""),
        "signs_bookcopy_unique_number": copy(standard, number=1, village=village),
        "signs_bookcopy_number_positive": copy(standard, number=0, village=village),
        "signs_bookcopy_one_holder": copy(standard, number=7, village=village, town=town),
        "signs_bookcopy_received_by": copy(standard, number=8, town=town, received_by=""),
        "signs_ledgerlayout_unique": LedgerLayout(
            town=town, fingerprint="f" * 64, created_by=cadre
        ),
        "signs_villagedaytally_unique": VillageDayTally(village=village, day=dt.date(2024, 1, 8)),
        "signs_ledgerword_unique": LedgerWord(
            town=town, field="kind", word="宣传牌", value="other", created_by=cadre
        ),
    }


def copy(standard, **kw):
    fields = {"handed_over_on": dt.date(2024, 1, 8), "received_by": "王书记"}
    fields.update(kw)
    return BookCopy(standard=standard, **fields)


CONSTRAINTS = [
    ("villages_town_code_name_not_blank", "乡镇需要代码和名称"),
    ("villages_village_unique_name_in_town", "该乡镇已有同名村(社区)"),
    ("villages_village_code_name_not_blank", "村(社区)需要代码和名称"),
    ("villages_demonstrationsite_investment_not_negative", "投入金额不能为负数"),
    ("villages_demonstrationsite_year_plausible", "命名年份应在 2000 至 2100 之间"),
    ("signs_standard_one_current", "只能有一个现行版本"),
    ("signs_approveditem_unique_number", "该序号在标准中已被使用"),
    ("signs_approveditem_unique_title", "该名称已在标准中"),
    ("signs_approveditem_title_not_blank", "保留项目需要名称"),
    ("signs_signboard_title_not_blank", "请填写牌子名称"),
    ("signs_removal_one_active_per_sign", "该牌子已摘除"),
    ("signs_removal_note_for_other_reason", "请在备注中说明原因"),
    ("signs_removal_revocation_complete", "撤销需要填写原因"),
    ("signs_department_name_not_blank", "市直单位需要名称"),
    ("signs_bookcopy_unique_number", "该册号已登记"),
    ("signs_bookcopy_number_positive", "册号从 1 开始"),
    ("signs_bookcopy_one_holder", "二者选一"),
    ("signs_bookcopy_received_by", "请填写签收人"),
    ("signs_ledgerlayout_unique", "本乡镇已设定过这种台账格式"),
    ("signs_ledgerword_unique", "本乡镇已设定过这个用语"),
    ("signs_villagedaytally_unique", "该村(社区)已有当天的数据"),
]


@pytest.mark.parametrize(("name", "message"), CONSTRAINTS, ids=[c[0] for c in CONSTRAINTS])
def test_constraint_refuses_and_explains(town, village, name, message):
    obj = build_cases(town, village)[name]
    constraint_names = {
        c.name % {"app_label": obj._meta.app_label, "class": obj._meta.model_name}
        for c in obj._meta.constraints
    }
    assert name in constraint_names

    with pytest.raises(ValidationError) as caught:
        obj.validate_constraints()
    assert message in " ".join(caught.value.messages)

    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def test_every_named_constraint_is_covered():
    from django.apps import apps

    names = set()
    for model in apps.get_models():
        for c in model._meta.constraints:
            names.add(
                c.name % {"app_label": model._meta.app_label, "class": model._meta.model_name}
            )
    project = {n for n in names if n.startswith(("villages_", "signs_"))}
    assert project == {name for name, _ in CONSTRAINTS}


def test_revoked_removal_frees_the_sign_for_a_new_one(village):
    board = sign(village)
    first = removal(board, recorded_at=timezone.now())
    first.save()
    first.revoked_at = timezone.now()
    first.revoke_reason = "登记错了"
    first.save()
    removal(board, removed_on=dt.date(2024, 4, 1)).save()
    assert board.removals.count() == 2
