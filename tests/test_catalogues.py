"""The translation catalogues: every label translated keeps its placeholders, and the English
catalogue says what the English text says (a label that reads differently is a mistake)."""

import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = pytest.mark.database_free


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_every_translation_keeps_the_placeholders(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    wrong = [
        entry.msgid
        for entry in catalogue
        if entry.msgstr
        and sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr))
    ]
    assert wrong == []


def test_english_labels_read_as_written():
    catalogue = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    wrong = [
        (entry.msgid, entry.msgstr)
        for entry in catalogue
        if entry.msgstr and entry.msgstr != entry.msgid and not CJK.search(entry.msgid)
    ]
    assert wrong == []
