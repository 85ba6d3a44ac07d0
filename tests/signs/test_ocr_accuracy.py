"""拍照识牌 against the generated wall photos: the accuracy regression guard (docs/ocr.md).

20 photos of benchmarks.ocr_photoset (seed 2024: 80 plaques, 31 of a removed kind) are read once
for the module, through the real engine, `signs.ocr.read_image` and `signs.sign_reading.propose`:
about 20 s on two cores. No database, and nothing about time is asserted;
`python -m benchmarks.ocr_accuracy` measures that, and reads the whole set of 40.
The thresholds sit below the figures docs/ocr.md reports, so that a change to the reader that
loses titles fails here rather than on a wall.
"""

from __future__ import annotations

import pytest

from benchmarks import ocr_accuracy, ocr_photoset
from signs import ocr

pytestmark = [
    pytest.mark.database_free,
    pytest.mark.skipif(
        not ocr.available(),
        reason="the ocr extra (rapidocr_onnxruntime) is not installed: pip install -e '.[ocr]'",
    ),
    pytest.mark.skipif(
        not ocr_photoset.available_fonts(),
        reason="no CJK font to draw the photos with: apt-get install fonts-noto-cjk",
    ),
]

COUNT, SEED = 20, 2024  # half of the benchmark's set keeps make test within 6 minutes
MIN_RECALL = MIN_PRECISION = 0.90


@pytest.fixture(scope="module")
def report() -> ocr_accuracy.Report:
    photos = ocr_photoset.generate(count=COUNT, seed=SEED)
    return ocr_accuracy.measure(photos, ocr_accuracy.load_items(), baseline=False)


def _misses(report: ocr_accuracy.Report) -> str:
    return "; ".join(f"{name}: {p.title} read as {p.read_as}" for name, p in report.misses())


def test_the_set_is_the_seeded_one(report):
    assert len(report.photos) == COUNT
    assert len(report.plaques) >= 2 * COUNT
    assert report.removed_count > 0  # removed-kind plaques are drawn, so the last test means it


def test_exact_title_recall(report):
    recall = report.exact_recall
    assert recall.value >= MIN_RECALL, f"{recall}; missed: {_misses(report)}"


def test_exact_title_precision(report):
    precision = report.exact_precision
    wrong = [f"{name}: {p.text!r}" for name, p in report.wrong_proposals() if not p.exact]
    assert precision.value >= MIN_PRECISION, f"{precision}; not a title: {wrong}"


def test_recall_after_matching_to_the_standard(report):
    recall = report.matched_recall
    unmatched = [
        f"{p.title} read as {p.read_as}, matched {p.matched}"
        for p in report.plaques
        if p.items and not p.matched_right
    ]
    assert recall.value >= MIN_RECALL, f"{recall}; not matched: {unmatched}"


def test_no_removed_kind_plaque_is_matched_to_a_standard_item(report):
    wrong = [f"{p.title} → {p.matched}" for p in report.removed_matched]
    assert wrong == []
