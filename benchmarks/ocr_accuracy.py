"""拍照识牌: how well the sign reader reads a generated set of wall photos, and how fast.

    .venv/bin/python -m benchmarks.ocr_accuracy [--count 40] [--seed 2024] [--save DIR] [--json]
                                                [--small-print] [--no-baseline]

No database: the approved items come straight from fixtures/standard_example.json, in the order
the app lists them (kind, number). For each photo of `benchmarks.ocr_photoset.generate`, the
reader (`signs.ocr.read_image`) is timed, then `signs.sign_reading.propose` turns its lines into
proposals, which are scored against the photo's known plaques:

- exact: a plaque is found when its normalised title is among the normalised proposal texts; a
  proposal is right when its normalised text is a title on that photo;
- after matching to the standard: a plaque the standard covers is found when a proposal read
  from it matched one of its approved items; a matched proposal is right when its item is one
  a plaque on that photo may be matched to; a removed-kind plaque matched to any item is an
  error of its own.

The baseline, timed in the same run on the same decoded pixels: a bare `RapidOCR()` called on the
full-size image, without the reader's downscale and filtering. The engines' one-off load is
timed apart, and each engine reads the first photo once, untimed, before the timed runs.
`--save DIR` writes the photos and truth.json (what each photo shows) for a human to look at.
`--small-print` draws the rule boards' small print as text rather than lines (same photos else).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from PIL import Image

from benchmarks import ocr_photoset
from benchmarks.ocr_photoset import Photo, Plaque
from signs import ocr
from signs.sign_reading import Item, Proposal, edit_distance, normalize, propose

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "standard_example.json"


def load_items(path: Path = FIXTURE) -> list[Item]:
    """The approved items of the fixture, as `sign_reading.Item`s, in the app's order
    (ApprovedItem.Meta.ordering: standard, kind, number), which decides between equal matches."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    items = [
        (row["fields"]["standard"], row["fields"]["kind"], row["fields"]["number"], row["pk"], row)
        for row in rows
        if row["model"] == "signs.approveditem"
    ]
    items.sort(key=lambda entry: entry[:4])
    return [Item(pk=pk, kind=kind, title=row["fields"]["title"]) for _, kind, _, pk, row in items]


# --- what one photo gave --------------------------------------------------------------------


@dataclass
class PlaqueResult:
    title: str
    source: str
    conditions: dict[str, str]
    exact: bool  # its normalised title is among the proposals
    read_as: list[str]  # the proposals attributed to it
    items: tuple[str, ...]  # approved items it may be matched to; empty for a removed kind
    matched: list[str]  # the approved items its proposals matched
    bare_exact: bool | None = None  # the bare engine read its title exactly (any line, any score)

    @property
    def matched_right(self) -> bool:
        return any(title in self.items for title in self.matched)


@dataclass
class ProposalResult:
    text: str
    score: float
    kind: str
    item: str | None  # the matched approved item's title
    item_exact: bool | None
    plaque: str | None  # the true title it is attributed to, if any
    exact: bool  # its normalised text is a title on the photo
    item_right: bool | None  # None when unmatched


@dataclass
class PhotoResult:
    name: str
    seconds: float
    bare_seconds: float | None
    plaques: list[PlaqueResult]
    proposals: list[ProposalResult]


@dataclass
class Ratio:
    hits: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __str__(self) -> str:
        if not self.total:
            return "—"
        return f"{self.value:7.1%} ({self.hits}/{self.total})"


@dataclass
class Report:
    photos: list[PhotoResult]
    load_seconds: float
    bare_load_seconds: float | None
    machine: str = ""
    seed: int | None = None
    small_print: bool = False

    # (a), (b): exact titles
    @property
    def plaques(self) -> list[PlaqueResult]:
        return [plaque for photo in self.photos for plaque in photo.plaques]

    @property
    def proposals(self) -> list[ProposalResult]:
        return [proposal for photo in self.photos for proposal in photo.proposals]

    @property
    def exact_recall(self) -> Ratio:
        return Ratio(sum(p.exact for p in self.plaques), len(self.plaques))

    @property
    def exact_precision(self) -> Ratio:
        return Ratio(sum(p.exact for p in self.proposals), len(self.proposals))

    # (c): after matching to the standard
    @property
    def matched_recall(self) -> Ratio:
        covered = [p for p in self.plaques if p.items]
        return Ratio(sum(p.matched_right for p in covered), len(covered))

    @property
    def matched_precision(self) -> Ratio:
        matched = [p for p in self.proposals if p.item is not None]
        return Ratio(sum(bool(p.item_right) for p in matched), len(matched))

    @property
    def removed_matched(self) -> list[PlaqueResult]:
        """Removed-kind plaques that a proposal matched to a standard item: each one an error."""
        return [p for p in self.plaques if not p.items and p.matched]

    @property
    def removed_count(self) -> int:
        return sum(not p.items for p in self.plaques)

    @property
    def bare_recall(self) -> Ratio | None:
        graded = [p for p in self.plaques if p.bare_exact is not None]
        return Ratio(sum(p.bare_exact for p in graded), len(graded)) if graded else None

    # (d): time
    @property
    def seconds(self) -> list[float]:
        return [photo.seconds for photo in self.photos]

    @property
    def bare_seconds(self) -> list[float]:
        return [p.bare_seconds for p in self.photos if p.bare_seconds is not None]

    @property
    def ratio_to_bare(self) -> float | None:
        if not self.bare_seconds:
            return None
        return statistics.fmean(self.seconds) / statistics.fmean(self.bare_seconds)

    # (e): recall by condition
    def breakdown(self) -> dict[str, dict[str, Ratio]]:
        groups: dict[str, dict[str, Ratio]] = {}
        for plaque in self.plaques:
            for group, label in plaque.conditions.items():
                ratio = groups.setdefault(group, {}).setdefault(label, Ratio(0, 0))
                ratio.total += 1
                ratio.hits += plaque.exact
        return {group: dict(sorted(labels.items())) for group, labels in groups.items()}

    def misses(self) -> list[tuple[str, PlaqueResult]]:
        return [(photo.name, p) for photo in self.photos for p in photo.plaques if not p.exact]

    def wrong_proposals(self) -> list[tuple[str, ProposalResult]]:
        return [
            (photo.name, p)
            for photo in self.photos
            for p in photo.proposals
            if not p.exact or p.item_right is False
        ]

    def summary(self) -> dict:
        def spread(values: Sequence[float]) -> dict | None:
            if not values:
                return None
            return {
                "mean": round(statistics.fmean(values), 3),
                "p50": round(statistics.median(values), 3),
                "max": round(max(values), 3),
            }

        def share(ratio: Ratio | None) -> dict | None:
            if ratio is None:
                return None
            value = None if ratio.value is None else round(ratio.value, 4)
            return {"value": value, "hits": ratio.hits, "total": ratio.total}

        ratio = self.ratio_to_bare
        return {
            "machine": self.machine,
            "seed": self.seed,
            "small_print": self.small_print,
            "photos": len(self.photos),
            "plaques": len(self.plaques),
            "proposals": len(self.proposals),
            "exact_recall": share(self.exact_recall),
            "exact_precision": share(self.exact_precision),
            "matched_recall": share(self.matched_recall),
            "matched_precision": share(self.matched_precision),
            "removed_plaques": self.removed_count,
            "removed_matched": [p.title for p in self.removed_matched],
            "bare_engine_exact_recall": share(self.bare_recall),
            "seconds_per_photo": spread(self.seconds),
            "bare_seconds_per_photo": spread(self.bare_seconds),
            "ratio_to_bare": None if ratio is None else round(ratio, 3),
            "engine_load_seconds": round(self.load_seconds, 3),
            "bare_engine_load_seconds": (
                None if self.bare_load_seconds is None else round(self.bare_load_seconds, 3)
            ),
            "breakdown": {
                group: {label: share(ratio) for label, ratio in labels.items()}
                for group, labels in self.breakdown().items()
            },
        }


# --- measuring ------------------------------------------------------------------------------


def conditions(photo: Photo, plaque: Plaque) -> dict[str, str]:
    """The conditions a plaque was drawn and photographed under, for the recall breakdown."""
    quality = "60–70" if photo.quality <= 70 else "75–85" if photo.quality <= 85 else "90–95"
    found = {
        "source": plaque.source,
        "writing": "vertical" if plaque.vertical else "horizontal",
        "board": plaque.board,
        "font": plaque.font,
        "blur (Gaussian radius)": f"{photo.blur:g}",
        "JPEG quality": quality,
        "rotation": "|r| > 4°" if abs(photo.rotation) > 4 else "|r| ≤ 4°",
    }
    bands = ((24, "18–23 px"), (32, "24–31 px"), (44, "32–43 px"), (10**6, "≥ 44 px"))
    found["character size"] = next(label for limit, label in bands if plaque.size < limit)
    return found


def decode(photo: Photo) -> Image.Image:
    image = Image.open(io.BytesIO(photo.jpeg))
    image.load()
    return image.convert("RGB")


def _attribute(text: str, titles: Sequence[str]) -> str | None:
    """The true title a proposal was read from: the closest within half its characters, or the
    one it is a piece of (a long vertical plaque may be read in two lines)."""
    plain = normalize(text)
    best: tuple[int, str] | None = None
    for title in titles:
        key = normalize(title)
        limit = len(key) // 2
        distance = edit_distance(plain, key, limit=limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, title)
    if best:
        return best[1]
    pieces = [title for title in titles if len(plain) >= 2 and plain in normalize(title)]
    return pieces[0] if pieces else None


def score_photo(
    photo: Photo,
    proposals: Sequence[Proposal],
    *,
    seconds: float,
    bare_lines=None,
    bare_seconds=None,
) -> PhotoResult:
    """Compare what was proposed for `photo` with the plaques it shows."""
    titles = [plaque.title for plaque in photo.plaques]
    normal_titles = {normalize(title) for title in titles}
    proposed = {normalize(p.text) for p in proposals}
    allowed = {item for plaque in photo.plaques for item in plaque.items}
    bare = None if bare_lines is None else {normalize(text) for text in bare_lines}
    proposal_results = []
    for proposal in proposals:
        item = proposal.match.item.title if proposal.match else None
        proposal_results.append(
            ProposalResult(
                text=proposal.text,
                score=proposal.score,
                kind=str(proposal.kind),
                item=item,
                item_exact=proposal.match.exact if proposal.match else None,
                plaque=_attribute(proposal.text, titles),
                exact=normalize(proposal.text) in normal_titles,
                item_right=None if item is None else item in allowed,
            )
        )
    plaque_results = []
    for plaque in photo.plaques:
        mine = [p for p in proposal_results if p.plaque == plaque.title]
        plaque_results.append(
            PlaqueResult(
                title=plaque.title,
                source=plaque.source,
                conditions=conditions(photo, plaque),
                exact=normalize(plaque.title) in proposed,
                read_as=[p.text for p in mine],
                items=tuple(plaque.items),
                matched=[p.item for p in mine if p.item is not None],
                bare_exact=None if bare is None else normalize(plaque.title) in bare,
            )
        )
    return PhotoResult(photo.name, seconds, bare_seconds, plaque_results, proposal_results)


def load_engine() -> float:
    """Load the reader's engine (once per process); the seconds it took, 0 if already loaded."""
    started = time.perf_counter()
    ocr.load_engine()
    return time.perf_counter() - started


def bare_engine():
    """A bare RapidOCR engine (its own instance) and the seconds its construction took."""
    from rapidocr_onnxruntime import RapidOCR

    started = time.perf_counter()
    engine = RapidOCR()
    return engine, time.perf_counter() - started


def _bgr(image: Image.Image):
    import numpy as np

    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])


def _time_reader(image: Image.Image):
    started = time.perf_counter()
    lines = ocr.read_image(image)
    return lines, time.perf_counter() - started


def _time_bare(engine, pixels):
    started = time.perf_counter()
    result, _elapse = engine(pixels)
    return [text for _box, text, _score in result or ()], time.perf_counter() - started


def measure(
    photos: Sequence[Photo],
    items: Sequence[Item],
    *,
    baseline: bool = True,
    log: Callable[[str], None] | None = None,
) -> Report:
    """Read every photo, propose, score; time the reader and (with `baseline`) a bare engine."""
    if not photos:
        raise ValueError("no photos to measure")
    load_seconds = load_engine()
    engine, bare_load = bare_engine() if baseline else (None, None)
    first = decode(photos[0])
    ocr.read_image(first)  # warm-up, untimed
    if engine is not None:
        engine(_bgr(first))
    results = []
    for index, photo in enumerate(photos):
        image = decode(photo)
        pixels = _bgr(image) if engine is not None else None
        bare_lines = bare_seconds = None

        if engine is not None and index % 2:  # alternate which runs first
            bare_lines, bare_seconds = _time_bare(engine, pixels)
            lines, seconds = _time_reader(image)
        else:
            lines, seconds = _time_reader(image)
            if engine is not None:
                bare_lines, bare_seconds = _time_bare(engine, pixels)
        proposals = propose([lines], items=items, village_name=photo.village, town_name=photo.town)
        result = score_photo(
            photo, proposals, seconds=seconds, bare_lines=bare_lines, bare_seconds=bare_seconds
        )
        results.append(result)
        if log:
            found = sum(p.exact for p in result.plaques)
            bare = f", bare {bare_seconds:.2f} s" if bare_seconds is not None else ""
            log(
                f"  {photo.name}: {found}/{len(result.plaques)} titles, "
                f"{len(result.proposals)} proposals, {seconds:.2f} s{bare}"
            )
    return Report(results, load_seconds, bare_load)


def machine() -> str:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"rapidocr_onnxruntime {version('rapidocr_onnxruntime')}, "
        f"onnxruntime {version('onnxruntime')}, {platform.platform(terse=True)}"
    )


# --- output ---------------------------------------------------------------------------------


def save(photos: Sequence[Photo], directory: Path, seed: int, *, small_print=False) -> None:
    """The photos as JPEGs and truth.json: what each shows and how it was made."""
    directory.mkdir(parents=True, exist_ok=True)
    truth = []
    for photo in photos:
        (directory / photo.name).write_bytes(photo.jpeg)
        entry = {key: value for key, value in asdict(photo).items() if key != "jpeg"}
        truth.append(entry)
    payload = {"seed": seed, "count": len(photos), "small_print": small_print, "photos": truth}
    (directory / "truth.json").write_text(
        json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def text(report: Report) -> str:
    def spread(values: Sequence[float]) -> str:
        return (
            f"mean {statistics.fmean(values):.3f}, p50 {statistics.median(values):.3f}, "
            f"max {max(values):.3f}"
        )

    out = [
        f"machine: {report.machine}",
        f"photos: {len(report.photos)} (seed {report.seed}"
        f"{', small print as text' if report.small_print else ''}), "
        f"plaques: {len(report.plaques)}, "
        f"proposals: {len(report.proposals)}",
        "",
        f"exact title recall       {report.exact_recall}",
        f"exact title precision    {report.exact_precision}",
        f"after matching, recall   {report.matched_recall}   (plaques the standard covers)",
        f"after matching, precision {report.matched_precision}  (proposals matched to an item)",
        f"removed-kind plaques matched to an item: {len(report.removed_matched)} "
        f"of {report.removed_count}"
        + "".join(f"\n    {p.title} → {', '.join(p.matched)}" for p in report.removed_matched),
    ]
    if report.bare_recall is not None:
        out.append(f"bare engine, any line:   {report.bare_recall}   (exact recall, no filtering)")
    out += ["", f"seconds per photo, reader:      {spread(report.seconds)}"]
    if report.bare_seconds:
        out += [
            f"seconds per photo, bare engine: {spread(report.bare_seconds)}",
            f"reader ÷ bare engine (means):   {report.ratio_to_bare:.3f}×",
        ]
    out.append(f"engine load (once per process): {report.load_seconds:.3f} s")
    if report.bare_load_seconds is not None:
        out.append(f"bare engine load:               {report.bare_load_seconds:.3f} s")
    out += ["", "exact recall by condition:"]
    for group, labels in report.breakdown().items():
        out.append(f"  {group}")
        out += [f"    {label:<24} {ratio}" for label, ratio in labels.items()]
    misses = report.misses()
    out += ["", f"titles missed ({len(misses)}):"]
    out += [
        f"  {name}: {p.title} [{p.source}] read as {p.read_as or 'nothing'}"
        + ("" if p.bare_exact is None else f"; bare engine {'read' if p.bare_exact else 'missed'}")
        for name, p in misses
    ]
    wrong = report.wrong_proposals()
    out += ["", f"proposals not a true title, or matched to a wrong item ({len(wrong)}):"]
    out += [
        f"  {name}: {p.text!r} (score {p.score}) from {p.plaque or '?'}"
        + (f" → item {p.item}{'' if p.item_right else ' (wrong)'}" if p.item else "")
        for name, p in wrong
    ]
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=40, help="photos to generate (40)")
    parser.add_argument("--seed", type=int, default=2024, help="generator seed (2024)")
    parser.add_argument("--save", type=Path, metavar="DIR", help="write the photos and truth.json")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare engine")
    parser.add_argument(
        "--small-print", action="store_true", help="rule boards' small print as text, not lines"
    )
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    if not ocr.available():
        parser.error("rapidocr_onnxruntime is not installed (pip install -e '.[ocr]')")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    photos = ocr_photoset.generate(args.count, args.seed, small_print=args.small_print)
    log(f"generated {len(photos)} photos in {time.perf_counter() - started:.1f} s")
    if args.save:
        save(photos, args.save, args.seed, small_print=args.small_print)
        log(f"written to {args.save}")
    load_before = os.getloadavg()[0]
    report = measure(photos, load_items(), baseline=not args.no_baseline, log=log)
    report.seed = args.seed
    report.small_print = args.small_print
    # Other work on the machine shows in the seconds (the run itself keeps every core busy).
    report.machine = f"{machine()}; load average (1 min) before the run {load_before:.2f}"
    if args.json:
        payload = report.summary()
        payload["per_photo"] = [asdict(photo) for photo in report.photos]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(text(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
