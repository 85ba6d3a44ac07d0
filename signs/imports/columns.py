"""The columns of a sign inventory (the template's, and those only township ledgers have) and
the township's words for our values: kinds, reasons, 是否摘除."""

from __future__ import annotations

from utilities.spreadsheets.base import Column

from ..choices import RemovalReason, SignKind

SIGN_SHEET = "牌子清单"
HELP_SHEET = "说明"
LISTS_SHEET = "选项"

SIGN_COLUMNS = (
    Column(
        "town_code",
        "乡镇代码",
        "可不填；填写时必须是本页乡镇的统计代码。",
        "450181100",
        12,
        text_format=True,
    ),
    Column(
        "village_code",
        "村(社区)代码",
        "村(社区)的12位统计代码，见“选项”表；与名称至少填一项。",
        "450181100201",
        16,
        aliases=("村代码", "社区代码", "村(居)代码"),
        required="代码或名称必填",
        text_format=True,
    ),
    Column(
        "village_name",
        "村(社区)名称",
        "本乡镇的村(社区)名称，可从下拉列表选择；同时填写代码时两者必须一致。",
        "城东村",
        14,
        aliases=(
            "村名称",
            "村(社区)",
            "村(居)",
            "村名",
            "社区名称",
            "村委",
            "村委会",
            "所属村",
            "所属村(社区)",
            "村(社区)名",
            "村(居)委会",
            "行政村",
            "村别",
        ),
        required="代码或名称必填",
    ),
    Column(
        "title",
        "牌子名称",
        "牌子上的文字，照原样填写；以“=”开头的内容也按文字保存。",
        "廉洁工作站",
        24,
        aliases=("牌子内容", "牌匾名称", "标牌名称", "牌子名", "牌匾内容", "标识牌名称", "名称"),
        required="必填",
    ),
    Column(
        "kind",
        "类别",
        "从下拉列表选择。",
        "功能性指引牌",
        18,
        aliases=("牌子类别", "类型", "牌子类型", "牌子种类", "种类"),
        required="必填",
    ),
    Column(
        "location",
        "位置",
        "悬挂的房间或位置，如“一楼外墙”。",
        "一楼外墙",
        14,
        aliases=("悬挂位置", "挂牌位置", "所在位置", "悬挂地点", "摆放位置", "位置(房间)"),
    ),
    Column(
        "approved_item",
        "保留项目",
        "只有现行制度汇编保留的牌子才填：从下拉列表选择汇编中的项目名称；其余牌子留空，即为应摘除。",
        "",
        20,
        aliases=("对应标准项目", "标准项目"),
    ),
    Column(
        "inventoried_on",
        "清点日期",
        "如 2024-03-01、2024/3/1 或 2024年3月1日，不能晚于今天；"
        "留空时，有摘除日期的按摘除日期，否则按导入当天。",
        "2024-03-01",
        12,
        date_format=True,
    ),
    Column(
        "removed_on",
        "摘除日期",
        "已摘除的牌子才填，不能早于清点日期、不能晚于今天；填写时必须同时填写摘除原因。",
        "2024-05-20",
        12,
        aliases=(
            "摘除时间",
            "清理时间",
            "清理日期",
            "摘牌时间",
            "摘牌日期",
            "处置时间",
            "完成时间",
        ),  # fmt: skip
        date_format=True,
    ),
    Column(
        "reason",
        "摘除原因",
        "从下拉列表选择；选“其他”时必须在备注中说明。",
        "无实质性业务",
        20,
        aliases=("清理原因", "摘除理由", "摘牌原因", "处置理由", "处置原因", "清理理由"),
    ),
    Column(
        "note",
        "备注",
        "摘除的说明，随摘除记录保存；没有摘除日期的行请留空。",
        "",
        20,
        aliases=("摘除备注", "摘除说明"),
    ),
    Column(
        "requested_by",
        "挂牌要求部门",
        "可不填：要求挂这块牌子的市直单位，从下拉列表选择，如“市民政局”。",
        "",
        18,
        aliases=("要求挂牌部门", "挂牌部门", "要求部门"),
    ),
)

# Read from township ledgers, never written into the template: the template says "removed"
# by a removal date, and its page is the township.
LEDGER_COLUMNS = (
    *SIGN_COLUMNS,
    Column(
        "status",
        "是否摘除",
        "是/否、保留/摘除/合并、已摘除/未摘除，或在摘除列打“√”。",
        aliases=(
            "处置方式",
            "状态",
            "处置情况",
            "处置结果",
            "摘除",
            "摘除(√)",
            "是否清理",
            "清理情况",
            "是否摘牌",
            "摘牌情况",
            "已摘除",
        ),
    ),  # fmt: skip
    Column(
        "town_name",
        "乡镇",
        "本页的乡镇，如“横州镇”或“横州镇人民政府”。",
        aliases=("乡镇名称", "所属乡镇", "乡镇(街道)", "乡(镇)", "镇(乡)", "乡镇(街道)名称"),
    ),
)


KIND_ALIASES = {
    # The article's words for the two counts, as older ledgers write them.
    "上墙制度牌子": SignKind.RULE,
    "功能性指引牌子": SignKind.GUIDANCE,
    "制度牌": SignKind.RULE,
    "上墙制度": SignKind.RULE,
    "功能室牌": SignKind.PLAQUE,
    "功能室": SignKind.PLAQUE,
    "功能性指引牌": SignKind.GUIDANCE,
    "指引牌": SignKind.GUIDANCE,
    "机构牌子": SignKind.ORGANIZATION,
    "机制牌子": SignKind.ORGANIZATION,
    "机构牌": SignKind.ORGANIZATION,
    # …and as township ledgers write them (最多报一次: their words, not ours).
    "制度": SignKind.RULE,
    "制度牌子": SignKind.RULE,
    "上墙制度牌匾": SignKind.RULE,
    "功能室牌匾": SignKind.PLAQUE,
    "功能室名称牌": SignKind.PLAQUE,
    "指引牌子": SignKind.GUIDANCE,
    "指示牌": SignKind.GUIDANCE,
    "机构牌匾": SignKind.ORGANIZATION,
    "机制牌": SignKind.ORGANIZATION,
    "荣誉牌匾": SignKind.HONOUR,
    "荣誉牌子": SignKind.HONOUR,
    "荣誉": SignKind.HONOUR,
    "奖牌": SignKind.HONOUR,
    "其他牌子": SignKind.OTHER,
}
REASON_ALIASES = {
    "其他": RemovalReason.OTHER,
    "无实质业务": RemovalReason.NO_BUSINESS,
    "无实际业务": RemovalReason.NO_BUSINESS,
    "无实质性工作": RemovalReason.NO_BUSINESS,
    "需求度不高": RemovalReason.LOW_DEMAND,
    "群众需求不高": RemovalReason.LOW_DEMAND,
    "与功能室重复": RemovalReason.DUPLICATE,
    "功能室重复": RemovalReason.DUPLICATE,
    "重复挂牌": RemovalReason.DUPLICATE,
    "重复": RemovalReason.DUPLICATE,
    "无依据挂牌": RemovalReason.NO_BASIS,
    "无依据": RemovalReason.NO_BASIS,
    "未经准入": RemovalReason.NO_BASIS,
    "未经审批": RemovalReason.NO_BASIS,
    "内部制度不上墙": RemovalReason.INTERNAL_RULE,
    "内部制度": RemovalReason.INTERNAL_RULE,
    "内部管理制度": RemovalReason.INTERNAL_RULE,
    "功能相近合并": RemovalReason.MERGED,
    "职能相近": RemovalReason.MERGED,
    "合并": RemovalReason.MERGED,
    "破损": RemovalReason.DAMAGED,
    "褪色": RemovalReason.DAMAGED,
    "老旧破损": RemovalReason.DAMAGED,
}
# 是否摘除 / 处置方式 / 状态 in the words ledgers use; "merged" is removed, its reason implied.
REMOVED, KEPT, MERGED = "removed", "kept", "merged"
STATUS_WORDS = {
    **dict.fromkeys(("是", "已摘除", "摘除", "已摘", "已摘牌", "摘牌", "已清理", "清理", "已拆除",
                     "拆除", "已撤除", "撤除", "√", "✓", "✔", "☑", "y", "yes"), REMOVED),
    **dict.fromkeys(("合并", "已合并", "合并摘除"), MERGED),
    **dict.fromkeys(("否", "保留", "未摘除", "不摘除", "暂不摘除", "暂缓", "留用", "×", "✗",
                     "n", "no"), KEPT),
}  # fmt: skip
