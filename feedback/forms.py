"""Forms of the suggestions and complaints: three fields to send, one to answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from utilities.form_tokens import FormTokenMixin
from utilities.forms import BootstrapMixin

from .choices import FeedbackKind
from .models import ANSWER_MAX_LENGTH, BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH


class FeedbackForm(FormTokenMixin, BootstrapMixin, forms.Form):
    """A suggestion by default, the most common kind; text that is only spaces is refused."""

    kind = forms.ChoiceField(
        label=_("kind"), choices=FeedbackKind.choices, initial=FeedbackKind.SUGGESTION
    )
    subject = forms.CharField(
        label=_("subject"),
        max_length=SUBJECT_MAX_LENGTH,
        error_messages={"required": _("Please write a subject.")},
        help_text=_("In a few words, e.g. “The photo upload is slow”."),
    )
    body = forms.CharField(
        label=_("details"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Please write what you suggest or what went wrong.")},
        help_text=_("What you suggest, or what happened, on which page, and when."),
    )


class AnswerForm(FormTokenMixin, BootstrapMixin, forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please write the answer.")},
    )
