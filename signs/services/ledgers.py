"""What a township says once about its own ledgers: the columns of a layout, the meaning of
its words. Saved per township, audited, so that its next file imports with no question."""

from __future__ import annotations

from django.db import transaction

from villages.audit import audit_write, snapshot
from villages.models import Town

from ..models import LedgerLayout, LedgerWord


@transaction.atomic
def ledger_layout_save(
    *, town: Town, user, fingerprint: str, headers: list[str], columns: dict[str, int]
) -> LedgerLayout:
    """Save (or replace) the columns of the layout whose header has `fingerprint`."""
    layout = LedgerLayout.objects.filter(town=town, fingerprint=fingerprint).first()
    before = snapshot(layout) if layout else None
    layout = layout or LedgerLayout(town=town, fingerprint=fingerprint)
    layout.headers, layout.columns, layout.created_by = headers, columns, user
    layout.full_clean()
    layout.save()
    audit_write(actor=user, action="ledger.layout", obj=layout, town=town, before=before)
    return layout


@transaction.atomic
def ledger_words_save(*, town: Town, user, words: list[tuple[str, str, str]]) -> int:
    """Save each (field, word as imports.norm gives it, value) for the township."""
    for field, word, value in words:
        entry = LedgerWord.objects.filter(town=town, field=field, word=word).first()
        before = snapshot(entry) if entry else None
        entry = entry or LedgerWord(town=town, field=field, word=word)
        entry.value, entry.created_by = value, user
        entry.full_clean()
        entry.save()
        audit_write(actor=user, action="ledger.word", obj=entry, town=town, before=before)
    return len(words)
