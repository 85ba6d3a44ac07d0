"""The ledger import's mapping step: which column of a township's ledger holds what, and what
its own words mean. Asked once per layout and once per word, then saved for the township."""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from utilities.forms import BootstrapMixin

from .. import imports


class ColumnMappingForm(BootstrapMixin, forms.Form):
    """One select per column of the layout, pre-filled with the guess."""

    def __init__(self, *args, layout: imports.Layout, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        choices = [("", gettext_lazy("— not imported —")), *imports.ledger_fields()]
        for column in layout.columns:
            self.fields[f"col_{column.index}"] = forms.ChoiceField(
                label=_("Column %(letter)s") % {"letter": column.letter},
                choices=choices,
                required=False,
                initial=column.guess,
            )
        for field in self.fields.values():  # added after BootstrapMixin styled the form
            field.widget.attrs["class"] = "form-select"

    def rows(self):
        """(column, bound field) for the template."""
        return [(c, self[f"col_{c.index}"]) for c in self.layout.columns]

    def clean(self):
        chosen: dict[str, list[int]] = defaultdict(list)
        for column in self.layout.columns:
            key = self.cleaned_data.get(f"col_{column.index}")
            if key:
                chosen[key].append(column.index)
        names = dict(imports.ledger_fields())
        for key, indexes in chosen.items():
            if len(indexes) > 1:
                letters = "、".join(c.letter for c in self.layout.columns if c.index in indexes)
                self.add_error(
                    None,
                    _("“%(field)s” is chosen for %(n)d columns (%(letters)s): choose one.")
                    % {"field": names[key], "n": len(indexes), "letters": letters},
                )
        self.mapping = {key: indexes[0] for key, indexes in chosen.items()}
        for error in imports.check_mapping(self.layout, self.mapping):
            self.add_error(None, error)
        return self.cleaned_data


class WordMappingForm(BootstrapMixin, forms.Form):
    """One select per word of the township's ledger that is not one of ours."""

    def __init__(self, *args, words: list[imports.UnknownWord], **kwargs):
        super().__init__(*args, **kwargs)
        self.words = words
        for number, word in enumerate(words):
            self.fields[f"word_{number}"] = forms.ChoiceField(
                label=word.word,
                choices=[("", "—"), *imports.word_choices(word.field)],
                initial=word.guess,
            )
            self.fields[f"word_{number}"].widget.attrs["class"] = "form-select"

    def rows(self):
        return [(w, self[f"word_{n}"]) for n, w in enumerate(self.words)]

    def mapped(self) -> list[tuple[str, str, str]]:
        """(field, word as imports.norm gives it, value) for the service."""
        return [
            (w.field, imports.norm(w.word), self.cleaned_data[f"word_{n}"])
            for n, w in enumerate(self.words)
        ]
