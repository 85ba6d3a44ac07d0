"""拍照识牌: turning the lines read from a wall photo into proposed signboard entries.

Pure functions over plain values: which lines are plaque titles, what kind of sign a title
suggests, which approved item of the standard it is (exactly, or with a misread character or
two), and whether the village's inventory already holds it. `signs.ocr` does the reading; the
page, the `read_signs` command and the accuracy benchmark all call `propose`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .choices import ItemKind, SignKind
from .ocr import TextLine

# Quotes and punctuation a plaque may or may not show, and OCR may or may not read.
_DROPPED = re.compile(r"[\s\"'“”‘’「」『』《》〈〉·•・.,，。、:：;；!！?？_\-—–~～]")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")"})
_BRACKETED = re.compile(r"\([^()]*\)")
_CJK = re.compile(r"[\u4e00-\u9fff]")

# A line shorter than this share of the photo's tallest line is body text, not a title.
TITLE_HEIGHT_SHARE = 0.3
# Two lines whose centres are at most this many line heights apart, one above the other, are
# lines of one paragraph (small print is set at about 1.5 lines; plaques are further apart).
PARAGRAPH_GAP = 2.2
# Titles have at least this many Chinese characters ("警务室" has three), and at most this many:
# the longest title of the standard has 12, an organization plaque with a township's and a
# village's name up to 16; a longer line is a rule board's small print.
MIN_TITLE_CHARS = 2
MAX_TITLE_CHARS = 16
# A rule's article ("第三条 凡涉及…") is small print, however large it reads.
_ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇\d]+条")

# A close match tolerates one misread character, two in a title of LONG_TITLE characters; a
# title shorter than MIN_CLOSE_CHARS must match exactly ("警务室" one off is another room).
LONG_TITLE = 8
MIN_CLOSE_CHARS = 4

ITEM_TO_SIGN_KIND = {
    ItemKind.RULE: SignKind.RULE,
    ItemKind.PLAQUE: SignKind.PLAQUE,
    ItemKind.ORGANIZATION: SignKind.ORGANIZATION,
}
# How a title without a matching item ends or what it contains, and the kind that suggests;
# the first rule that fits wins. The user corrects the guess on the page.
_KIND_RULES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"(先进|荣誉|模范|示范|优秀|达标|星级)"), SignKind.HONOUR),
    (re.compile(r"(指引|导视|指示|导向|宣传栏|宣传牌|标语)"), SignKind.GUIDANCE),
    (
        re.compile(
            r"(制度|规定|办法|流程|职责|规程|细则|守则|公约|须知|清单|程序|工作法|规则|民约"
            r"|领导小组|架构图|流程图|分工表|名单|作战图)$"
        ),
        SignKind.RULE,
    ),
    (
        re.compile(r"(委员会|协会|理事会|工作站|联络站|联络点|信息社|联合社|合作社|组织|支部)$"),
        SignKind.ORGANIZATION,
    ),
    (re.compile(r"(室|站|中心|大厅|之家|书屋|屋|馆|所|点|角)$"), SignKind.PLAQUE),
)
# An organization plaque names the Party branch in full: 中共城东村委员会, 中共城东村总支部委员会.
_PARTY_BRANCH = re.compile(r"^中共.*(委员会|支部)$")
_PARTY_ITEM = re.compile(r"党(组织|委|支部|总支)")


def normalize(text: str) -> str:
    """A title as compared: full-width forms folded, spaces, quotes and punctuation dropped.

    "村“两委”办公室" and "村两委办公室" are the same title; so are "村（居）务" and "村(居)务".
    """
    text = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    return _DROPPED.sub("", text)


def _variants(title: str) -> set[str]:
    """The forms of a standard title a plaque may show: "村(居)务…" as 村务…, 村居务… or itself."""
    plain = normalize(title)
    return {plain, _BRACKETED.sub("", plain), plain.replace("(", "").replace(")", "")}


def _stems(name: str, suffixes: tuple[str, ...]) -> list[str]:
    """A place name and the name without its suffix: 城东村 → [城东村, 城东]."""
    name = normalize(name)
    stems = [name]
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            stems.append(name[: -len(suffix)])
    return stems


def without_place_names(text: str, *, village_name: str = "", town_name: str = "") -> list[str]:
    """The ways `text` may read once the township's and the village's names are taken off.

    At 城东村 of 横州镇: "横州镇城东村民委员会" → "村民委员会" (the village's 村 is the
    committee's), "城东村股份经济合作联合社" → "股份经济合作联合社". `text` itself comes first.
    """
    forms = [text]
    for name, suffixes in ((town_name, ("镇", "乡", "街道")), (village_name, ("村", "社区"))):
        if not name:
            continue
        stems = _stems(name, suffixes)
        forms += [
            form.replace(stem, "", 1)
            for form in forms
            for stem in stems
            if stem in form and len(form) > len(stem) + 1
        ]
    return list(dict.fromkeys(forms))


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Levenshtein distance when it is at most `limit`; some larger number otherwise."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class Item:
    """An approved item as matching needs it (an ApprovedItem works too)."""

    pk: int
    kind: str
    title: str


@dataclass(frozen=True)
class ItemMatch:
    item: Item
    exact: bool
    distance: int


def match_item(
    text: str, items: Sequence[Item], *, village_name: str = "", town_name: str = ""
) -> ItemMatch | None:
    """The approved item `text` names, exactly or close enough to be a misreading, or None.

    Exact: equal after normalising and taking off place names; an item's own title wins over
    another's bracket-dropped form (村务监督委员会 is the organization, not 村(居)务监督委员会).
    Close: the one item within one misread character (two for a title of LONG_TITLE or more
    characters), for titles of at least MIN_CLOSE_CHARS. A close match may be another title
    ("老兵之家" is one character from 民兵之家): the page shows it as one to check.
    """
    forms = without_place_names(normalize(text), village_name=village_name, town_name=town_name)
    forms = [form for form in forms if form]
    if not forms:
        return None
    for item in items:
        if normalize(item.title) in forms:
            return ItemMatch(item, exact=True, distance=0)
    variants = [(item, _variants(item.title)) for item in items]
    for item, item_forms in variants:
        if item_forms.intersection(forms):
            return ItemMatch(item, exact=True, distance=0)
    if any(_PARTY_BRANCH.match(form) for form in forms):
        for item in items:
            if item.kind == ItemKind.ORGANIZATION and _PARTY_ITEM.search(item.title):
                return ItemMatch(item, exact=True, distance=0)
    best: dict[tuple[int, bool], set[Item]] = {}
    for form in forms:
        if len(form) < MIN_CLOSE_CHARS:
            continue
        limit = 2 if len(form) >= LONG_TITLE else 1
        for item, item_forms in variants:
            distance = min(edit_distance(form, f, limit=limit) for f in item_forms)
            if distance <= limit:
                # As for exact matches, an item's own title beats another's bracket-dropped form.
                own = edit_distance(form, normalize(item.title), limit=limit) == distance
                best.setdefault((distance, not own), set()).add(item)
    if not best:
        return None
    closest = min(best)
    if len(best[closest]) > 1:
        return None  # two items equally close: let the user choose
    return ItemMatch(best[closest].pop(), exact=False, distance=closest[0])


def guess_kind(text: str, match: ItemMatch | None = None) -> str:
    """The kind of sign: the matched item's kind, else what the title's wording suggests."""
    if match is not None:
        return ITEM_TO_SIGN_KIND.get(match.item.kind, SignKind.OTHER)
    plain = normalize(text)
    for pattern, kind in _KIND_RULES:
        if pattern.search(plain):
            return kind
    return SignKind.OTHER


def title_lines(lines: Iterable[TextLine]) -> list[TextLine]:
    """The lines that are plaque titles: a title's length, and not small print.

    Small print (a rule board's articles, a date, a photo's stamp) is either far smaller than
    the titles on the same wall (under TITLE_HEIGHT_SHARE of the tallest line), longer than a
    title, an article ("第三条…"), or one of a paragraph: horizontal lines of about the same
    size stacked one under another. A title stands alone on its board.
    """
    lines = list(lines)
    candidates = [
        line
        for line in lines
        if MIN_TITLE_CHARS <= len(_CJK.findall(line.text)) <= MAX_TITLE_CHARS
        and not _ARTICLE.search(line.text)
        and not _in_paragraph(line, lines)
    ]
    if not candidates:
        return []
    tallest = max(line.height for line in candidates)
    return [line for line in candidates if line.height >= tallest * TITLE_HEIGHT_SHARE]


def _extent(line: TextLine) -> tuple[float, float, float, float]:
    xs = [x for x, _ in line.box]
    ys = [y for _, y in line.box]
    return min(xs), max(xs), min(ys), max(ys)


def _in_paragraph(line: TextLine, lines: Sequence[TextLine]) -> bool:
    """Whether another horizontal line of about the same size sits just above or below it,
    overlapping it sideways: the next line of the same text block."""
    left, right, top, bottom = _extent(line)
    if right - left <= bottom - top:  # written down the plaque: organization plaques stand
        return False  # side by side by a door, each alone
    for other in lines:
        if other is line or not 0.75 <= other.height / line.height <= 1.33:
            continue
        o_left, o_right, o_top, o_bottom = _extent(other)
        if o_right - o_left <= o_bottom - o_top or min(right, o_right) <= max(left, o_left):
            continue
        if abs((top + bottom) - (o_top + o_bottom)) / 2 <= PARAGRAPH_GAP * line.height:
            return True
    return False


@dataclass(frozen=True)
class Existing:
    """A sign already in the village's inventory (and not removed)."""

    pk: int
    title: str
    location: str


@dataclass(frozen=True)
class Proposal:
    """One plaque read from the photos, as the page proposes to add it."""

    text: str
    score: float
    kind: str
    match: ItemMatch | None
    photo: int  # index of the photo it was read from
    box: tuple[tuple[int, int], ...] = ()
    existing: Existing | None = None  # same title already hanging in the same room
    elsewhere: tuple[Existing, ...] = ()  # same title hanging in another room

    @property
    def selected(self) -> bool:
        """Ticked by default: everything not already inventoried in this room."""
        return self.existing is None


def propose(
    photos_lines: Sequence[Sequence[TextLine]],
    *,
    items: Sequence[Item],
    inventory: Sequence[Existing] = (),
    location: str = "",
    village_name: str = "",
    town_name: str = "",
) -> list[Proposal]:
    """One proposal per plaque title read across the photos (a title read twice counts once)."""
    hanging: dict[str, list[Existing]] = {}
    for sign in inventory:
        hanging.setdefault(normalize(sign.title), []).append(sign)
    room = normalize(location)
    proposals: list[Proposal] = []
    seen: set[str] = set()
    for index, lines in enumerate(photos_lines):
        for line in title_lines(lines):
            key = normalize(line.text)
            if key in seen:
                continue
            seen.add(key)
            match = match_item(line.text, items, village_name=village_name, town_name=town_name)
            same = hanging.get(key, [])
            here = next((sign for sign in same if normalize(sign.location) == room), None)
            proposals.append(
                Proposal(
                    text=line.text,
                    score=line.score,
                    kind=guess_kind(line.text, match),
                    match=match,
                    photo=index,
                    box=line.box,
                    existing=here,
                    elsewhere=tuple(sign for sign in same if sign is not here),
                )
            )
    return proposals


def title_seen(title: str, lines: Iterable[TextLine]) -> TextLine | None:
    """The line of a photo that still shows `title`: whole, inside a longer line, or with a
    misread character (two in a long title); None when no line does.
    """
    want = normalize(title)
    if len(want) < MIN_TITLE_CHARS:
        return None
    limit = 2 if len(want) >= LONG_TITLE else 1 if len(want) >= 4 else 0
    for line in lines:
        got = normalize(line.text)
        if want in got or edit_distance(got, want, limit=limit) <= limit:
            return line
    return None
