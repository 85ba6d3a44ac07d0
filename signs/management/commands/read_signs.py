"""拍照识牌 from the command line: the plaques a photo shows, as the page would propose them."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from signs import ocr, readings
from villages.models import Village


class Command(BaseCommand):
    help = (
        "Read the signboards in photos: each plaque title with the reader's score, its box, "
        "the guessed kind and the matching item of the current standard."
    )

    def add_arguments(self, parser):
        parser.add_argument("photos", nargs="+", metavar="PHOTO")
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
        parser.add_argument(
            "--village",
            metavar="CODE",
            help="a village's code: take its names off titles and check its inventory",
        )

    def handle(self, *args, **options):
        if not ocr.available():
            raise CommandError("文字识别组件未安装（pip install -e '.[ocr]'），无法识别照片。")
        village = None
        if code := options["village"]:
            village = Village.objects.select_related("town").filter(code=code).first()
            if village is None:
                raise CommandError(f"没有代码为 {code} 的村（社区）。")
        ocr.load_engine()  # once, before the first photo's timing starts
        results = [self._read(Path(path), village) for path in options["photos"]]
        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
            return
        for result in results:
            self.stdout.write(f"{result['photo']}  ({result['seconds']:.2f} 秒)")
            for sign in result["signs"]:
                item = sign["item"]
                matched = (
                    f"{'=' if item['exact'] else '≈'} {item['title']}"
                    if item
                    else "（不在制度汇编中）"
                )
                self.stdout.write(
                    f"  {sign['text']}  {sign['score']:.3f}  {sign['kind']}  {matched}"
                    f"{'  已在台账中' if sign['inventoried'] else ''}  box={sign['box']}"
                )

    def _read(self, path: Path, village) -> dict:
        try:
            with path.open("rb") as handle:
                started = time.perf_counter()
                _data, lines = readings.read_photo(File(handle, name=path.name))
                seconds = time.perf_counter() - started
        except OSError as exc:
            raise CommandError(f"{path}: 无法打开（{exc.strerror}）") from exc
        except ValidationError as exc:
            raise CommandError(f"{path}: {' '.join(exc.messages)}") from exc
        signs = readings.proposals([lines], village=village)
        return {
            "photo": str(path),
            "seconds": round(seconds, 3),
            "signs": [
                {
                    "text": p.text,
                    "score": p.score,
                    "box": [list(corner) for corner in p.box],
                    "kind": p.kind,
                    "item": p.match
                    and {
                        "pk": p.match.item.pk,
                        "kind": p.match.item.kind,
                        "title": p.match.item.title,
                        "exact": p.match.exact,
                        "distance": p.match.distance,
                    },
                    "inventoried": p.existing is not None,
                }
                for p in signs
            ],
        }
