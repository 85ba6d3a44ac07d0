"""A generated set of wall photos with known plaques, for measuring the sign reader (拍照识牌).

Nothing here is hand-picked: `generate(count, seed)` draws every photo from a seeded random
generator — the titles (the standard's rules and room plaques, organization plaques with a
village's name, and titles the campaign typically removed), the fonts, horizontal or vertical
plaques, white or red boards, the size of a horizontal plaque's characters (from 18 px, a small
room plaque on a wall photographed whole, to 68 px), and the damage a phone photo does (rotation
up to ±8°, perspective, blur, uneven light, noise, JPEG quality down to 60). The same seed gives
the same photos, byte for byte.

A rule board's small print is drawn as grey lines: on a whole wall, at 1600 px, it is too small to
read. `small_print=True` draws it as text instead, at 0.2–0.3 of the title's size, the way a board
photographed from closer shows it; everything else (titles, places, damage) stays the same.

Fonts are the CJK fonts Debian packages (fonts-noto-cjk, fonts-wqy-zenhei, fonts-arphic-ukai,
fonts-arphic-uming); `available_fonts()` says which are installed.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 1600, 1000

# (path, face index in a .ttc collection, label)
FONTS: tuple[tuple[str, int, str], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2, "Noto Sans CJK SC"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2, "Noto Sans CJK SC Bold"),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2, "Noto Serif CJK SC"),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2, "Noto Serif CJK SC Bold"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, "WenQuanYi Zen Hei"),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0, "AR PL UKai"),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0, "AR PL UMing"),
)

# The example standard's titles as a plaque shows them (full-width brackets and quotes).
RULE_TITLES = (
    "四议两公开工作法",
    "党务公开制度",
    "村务公开制度",
    "三会一课制度",
    "主题党日制度",
    "民主评议党员制度",
    "发展党员工作程序",
    "村民会议制度",
    "村民代表会议制度",
    "村务监督委员会工作制度",
    "村级财务管理制度",
    "农村集体“三资”管理制度",
    "村级小微权力清单",
    "便民服务代办制度",
    "首问负责和一次性告知制度",
    "村干部坐班值班制度",
    "矛盾纠纷排查调解制度",
    "村规民约",
    "档案管理制度",
)
PLAQUE_TITLES = (
    "党群服务中心",
    "便民服务大厅",
    "党员活动室",
    "村民议事室",
    "村“两委”办公室",
    "村务监督委员会",
    "股份经济合作联合社",
    "新时代文明实践站",
    "综治中心",
    "人民调解室",
    "警务室",
    "退役军人服务站",
    "农家书屋",
    "村卫生室",
    "老年人活动室",
    "妇女儿童之家",
    "文体活动室",
    "档案室",
    "村史室",
    "民兵之家",
    "值班室",
)
# Titles of the kind the campaign took down.
REMOVED_TITLES = (
    "脱贫攻坚工作领导小组",
    "乡村振兴工作领导小组",
    "扫黑除恶专项斗争领导小组",
    "综治维稳工作领导小组",
    "村级组织架构图",
    "村干部岗位职责",
    "网格员工作职责",
    "会议室管理制度",
    "计划生育协会工作制度",
    "信访维稳工作制度",
    "图书借阅管理制度",
    "精准扶贫工作流程图",
    "农村产权流转交易服务室",
    "科普宣传室",
    "志愿者服务站",
    "电子商务服务站",
    "心理咨询室",
    "留守儿童之家",
    "残疾人康复站",
    "农技服务站",
    "廉洁工作站",
    "益农信息社",
    "计划生育协会",
    "关心下一代工作委员会",
    "红白理事会",
    "禁毒工作站",
    "法律援助工作站",
    "人大代表联络站",
)
TOWNS = ("横州镇", "百合镇", "那阳镇", "南乡镇", "峦城镇", "六景镇", "石塘镇", "陶圩镇")
VILLAGE_STEMS = ("城东", "六蓬", "那马", "长塘", "佛子", "石井", "平朗", "三联", "新华", "良圻")
# An organization plaque, and the approved items (example standard) it may be matched to.
ORGANIZATION_PATTERNS = (
    ("中共{town}{village}村委员会", ("村党组织",)),
    ("{town}{village}村民委员会", ("村民委员会",)),
    ("{town}{village}村务监督委员会", ("村务监督委员会", "村(居)务监督委员会")),
    ("{village}村股份经济合作联合社", ("股份经济合作联合社",)),
)
# A plaque's wording of a standard title that the standard words differently, and the approved
# items it may be matched to. A room plaque reading 村务监督委员会 is the room item
# 村(居)务监督委员会, but its words are exactly the organization item's title: either is right.
STANDARD_WORDING = {
    "农村集体“三资”管理制度": ('农村集体"三资"管理制度',),
    "村“两委”办公室": ('村"两委"办公室',),
    "村务监督委员会": ("村(居)务监督委员会", "村务监督委员会"),
}
# A rule board's articles, for `small_print`.
SMALL_PRINT = (
    "第一条为规范村级事务管理保障村民合法权益根据有关法律法规结合本村实际制定本制度",
    "第二条村民会议由本村十八周岁以上的村民组成每年至少召开一次由村民委员会召集",
    "第三条凡涉及村民利益的重大事项必须提交村民会议或者村民代表会议讨论决定",
    "第四条村务公开的内容包括财务收支集体资产宅基地审批低保评定等事项每季度公开一次",
    "第五条村务监督委员会对村务公开情况进行监督发现问题及时向村党组织报告",
    "第六条本制度由村民委员会负责解释自公布之日起施行",
)
# Characters are drawn at least this tall (px): a small room plaque on a whole wall.
MIN_CHAR_SIZE = 18


@dataclass
class Plaque:
    title: str
    source: str  # "rule", "plaque", "organization" or "removed"
    vertical: bool
    board: str  # "white" or "red"
    font: str
    box: tuple[int, int, int, int] = (0, 0, 0, 0)
    size: int = 0  # the characters' height in px, before the photo's perspective and rotation
    # Titles of the approved items this plaque is (any one counts); empty for a removed kind.
    items: tuple[str, ...] = ()


@dataclass
class Photo:
    name: str
    jpeg: bytes
    plaques: list[Plaque] = field(default_factory=list)
    town: str = ""
    village: str = ""  # the village's name, as organization plaques show it
    rotation: float = 0.0
    blur: float = 0.0
    quality: int = 90

    @property
    def titles(self) -> list[str]:
        return [plaque.title for plaque in self.plaques]


def available_fonts() -> list[tuple[str, int, str]]:
    return [font for font in FONTS if Path(font[0]).exists()]


def generate(count: int = 40, seed: int = 2024, *, small_print: bool = False) -> list[Photo]:
    fonts = available_fonts()
    if not fonts:
        raise RuntimeError("No CJK font found (apt-get install fonts-noto-cjk).")
    rng = random.Random(seed)
    return [_photo(rng, fonts, index, small_print) for index in range(count)]


def _photo(rng: random.Random, fonts, index: int, small_print: bool) -> Photo:
    wall = _wall(rng)
    draw = ImageDraw.Draw(wall)
    plaques = []
    slots = _slots(rng, rng.randint(2, 6))
    town, village = rng.choice(TOWNS), rng.choice(VILLAGE_STEMS)
    used: set[str] = set()
    for slot in slots:
        plaque = _draw_plaque(rng, fonts, draw, slot, town, village, used, small_print)
        if plaque:
            plaques.append(plaque)
            used.add(plaque.title)
    photo = Photo(
        name=f"wall_{index:03d}.jpg", jpeg=b"", plaques=plaques, town=town, village=village + "村"
    )
    image = _damage(rng, wall, photo)
    buffer = io.BytesIO()
    photo.quality = rng.choice((60, 65, 70, 75, 80, 85, 90, 95))
    image.save(buffer, "JPEG", quality=photo.quality)
    photo.jpeg = buffer.getvalue()
    return photo


def _wall(rng: random.Random) -> Image.Image:
    base = rng.choice(((236, 232, 222), (228, 228, 228), (240, 236, 226), (222, 216, 204)))
    wall = Image.new("RGB", (WIDTH, HEIGHT), base)
    draw = ImageDraw.Draw(wall)
    if rng.random() < 0.5:  # a painted dado
        dado = rng.choice(((150, 120, 90), (90, 110, 130), (170, 160, 140)))
        draw.rectangle((0, int(HEIGHT * 0.86), WIDTH, HEIGHT), fill=dado)
    return wall


def _slots(rng: random.Random, count: int) -> list[tuple[int, int, int, int]]:
    """Non-overlapping cells of a grid; each plaque is drawn inside one."""
    columns = min(count, rng.choice((2, 3))) if count > 1 else 1
    rows = -(-count // columns)
    cell_w, cell_h = (WIDTH - 80) // columns, (HEIGHT - 200) // rows
    cells = [
        (40 + c * cell_w, 60 + r * cell_h, cell_w, cell_h)
        for r in range(rows)
        for c in range(columns)
    ]
    return rng.sample(cells, count)


def _pick_title(rng: random.Random, town: str, village: str, used: set[str]):
    """(title, source, approved item titles) of a plaque not yet on this wall."""
    while True:
        source = rng.choice(("rule", "plaque", "plaque", "organization", "removed", "removed"))
        if source in ("rule", "plaque"):
            title = rng.choice(RULE_TITLES if source == "rule" else PLAQUE_TITLES)
            items = STANDARD_WORDING.get(title, (title,))
        elif source == "organization":
            pattern, items = rng.choice(ORGANIZATION_PATTERNS)
            title = pattern.format(town=town, village=village)
        else:
            title, items = rng.choice(REMOVED_TITLES), ()
        if title not in used:
            return title, source, items


def _draw_plaque(rng, fonts, draw, slot, town, village, used, small_print) -> Plaque | None:
    x, y, cell_w, cell_h = slot
    title, source, items = _pick_title(rng, town, village, used)
    font_path, face, font_label = rng.choice(fonts)
    vertical = source == "organization" and cell_h > 300 and rng.random() < 0.7
    board = rng.choice(("white", "white", "red"))
    if board == "white":
        fill, ink = (
            rng.choice(((250, 250, 248), (244, 242, 236))),
            rng.choice(((200, 16, 24), (20, 20, 20), (160, 0, 0))),
        )
    else:
        fill, ink = (
            rng.choice(((190, 20, 26), (168, 12, 20))),
            rng.choice(((255, 215, 90), (255, 255, 255), (250, 226, 150))),
        )
    count = len(title)
    if vertical:  # an organization's tall plaque by a door: as large as the cell allows
        size = max(22, min(int((cell_h - 90) / count), int(cell_w * 0.4), 64))
        board_w, board_h = int(size * 1.9), size * count + 60
    else:
        # The largest characters the cell holds, scaled down at random: plaques differ in size,
        # and a photo of a whole wall shows a small room plaque's characters at 20 px or so.
        fit = max(24, min(int((cell_w - 80) / count), 68))
        size = max(MIN_CHAR_SIZE, round(fit * rng.uniform(0.35, 1.0)))
        rule_body = source == "rule" or (source == "removed" and rng.random() < 0.4)
        board_w = min(cell_w - 20, size * count + int(size * rng.uniform(0.8, 1.8)) + 16)
        body_h = int(size * rng.uniform(2.6, 4.4))
        board_h = int(size * 2.2) if not rule_body else min(cell_h - 20, int(size * 2.2) + body_h)
    if board_w > cell_w - 10 or board_h > cell_h - 10:
        return None
    left = x + rng.randint(0, cell_w - board_w - 10)
    top = y + rng.randint(0, cell_h - board_h - 10)
    font = ImageFont.truetype(font_path, size, index=face)
    shadow = (left + 6, top + 6, left + board_w + 6, top + board_h + 6)
    draw.rectangle(shadow, fill=(150, 145, 140))
    draw.rectangle((left, top, left + board_w, top + board_h), fill=fill, outline=ink, width=3)
    inset = 8
    draw.rectangle(
        (left + inset, top + inset, left + board_w - inset, top + board_h - inset),
        outline=ink,
        width=1,
    )
    if vertical:
        for index, char in enumerate(title):
            cx = left + board_w // 2
            cy = top + 30 + index * size + size // 2
            draw.text((cx, cy), char, font=font, fill=ink, anchor="mm")
    else:
        title_top = top + int(size * 0.6)
        draw.text((left + board_w // 2, title_top), title, font=font, fill=ink, anchor="mt")
        if board_h > size * 3:  # a rule board's body
            # Its own generator, so that lines or text, the rest of the set is the same.
            body_rng = random.Random(rng.getrandbits(64))
            body = (left + 30, title_top + int(size * 1.6), board_w - 60, top + board_h)
            if small_print:
                _small_print(body_rng, draw, body, font_path, face, size, _mix(ink, fill, 0.2))
            else:
                _body_lines(body_rng, draw, body, size, _mix(ink, fill, 0.55))
    box = (left, top, board_w, board_h)
    return Plaque(title, source, vertical, board, font_label, box, items=items, size=size)


def _body_lines(rng, draw, body, size, colour) -> None:
    """Small print as lines: too small to read from afar."""
    left, line, width, bottom = body
    step, thickness = max(8, round(size * 0.24)), max(2, round(size / 22))
    while line < bottom - max(12, size // 3):
        end = left + rng.randint(int(width * 0.5), width)
        draw.line((left, line, end, line), fill=colour, width=thickness)
        line += step


def _small_print(rng, draw, body, font_path, face, size, colour) -> None:
    """Small print as text: a rule's articles, 0.2–0.3 of the title's size."""
    left, line, width, bottom = body
    char = max(6, round(size * rng.uniform(0.2, 0.3)))
    font = ImageFont.truetype(font_path, char, index=face)
    per_line = max(2, width // char)
    while line < bottom - char - 10:
        article = rng.choice(SMALL_PRINT)
        start = rng.randrange(len(article))
        text = (article[start:] + article)[: rng.randint(per_line // 2, per_line)]
        draw.text((left, line), text, font=font, fill=colour)
        line += int(char * 1.6)


def _mix(a, b, t):
    return tuple(int(a[i] * (1 - t) + b[i] * t) for i in range(3))


def _damage(rng: random.Random, image: Image.Image, photo: Photo) -> Image.Image:
    # Uneven light: a vertical or horizontal gradient multiplied in, across the whole photo.
    light = Image.linear_gradient("L")
    if rng.random() < 0.5:
        light = light.rotate(90)  # square: nothing is cropped
    light = light.resize((WIDTH, HEIGHT))
    low = rng.randint(150, 220)
    light = light.point(lambda v: low + (255 - low) * v // 255)
    image = Image.composite(image, Image.new("RGB", image.size, (0, 0, 0)), light)
    # Perspective: the camera a little to one side.
    dx, dy = rng.randint(-70, 70), rng.randint(-50, 50)
    coeffs = _perspective_coeffs(
        [(0, 0), (WIDTH, 0), (WIDTH, HEIGHT), (0, HEIGHT)],
        [
            (max(dx, 0), max(dy, 0)),
            (WIDTH - max(-dx, 0), 0),
            (WIDTH, HEIGHT),
            (0, HEIGHT - abs(dy)),
        ],
    )
    image = image.transform(
        image.size, Image.Transform.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=(90, 90, 90)
    )
    photo.rotation = round(rng.uniform(-8, 8), 1)
    image = image.rotate(photo.rotation, resample=Image.BICUBIC, fillcolor=(90, 90, 90))
    photo.blur = round(rng.choice((0, 0, 0.6, 1.0, 1.4)), 1)
    if photo.blur:
        image = image.filter(ImageFilter.GaussianBlur(photo.blur))
    return Image.blend(image, _noise(rng, rng.randint(6, 18)), 0.06)


def _noise(rng: random.Random, sigma: float) -> Image.Image:
    """Grey Gaussian noise around 128, as Image.effect_noise makes, but drawn from `rng`:
    effect_noise uses C's rand(), which no seed reaches, so no two runs gave the same photos."""
    import numpy as np

    values = np.random.default_rng(rng.getrandbits(64)).normal(128, sigma, (HEIGHT, WIDTH))
    return Image.fromarray(values.clip(0, 255).astype(np.uint8), "L").convert("RGB")


def _perspective_coeffs(source, target):
    """Coefficients for PIL's PERSPECTIVE transform mapping target points onto source points."""
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    matrix = np.array(rows, dtype=float)
    vector = np.array([coord for point in source for coord in point], dtype=float)
    return np.linalg.solve(matrix, vector).tolist()
