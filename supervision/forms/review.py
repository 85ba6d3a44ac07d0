"""Forms of the review: a decision, the queue's bulk verify, a township's correction."""

from django import forms
from django.utils.translation import gettext_lazy as _

from signs.choices import RemovalReason
from signs.models import ImportBatch, Removal
from utilities.form_tokens import FormTokenMixin
from utilities.forms import CAMERA, BootstrapMixin

VERIFY, RETURN = "verify", "return"


class ReviewForm(FormTokenMixin, BootstrapMixin, forms.Form):
    """核验通过 or 退回: the button pressed is the decision; a return says what to correct."""

    decision = forms.ChoiceField(
        choices=[(VERIFY, _("Verify")), (RETURN, _("Return"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("What must be corrected (for a return)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-testid": "review-comment"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == RETURN and not data.get("comment", "").strip():
            self.add_error("comment", _("Please say what must be corrected."))
        return data


class BulkVerifyForm(FormTokenMixin, forms.Form):
    """The removals ticked in the queue; only pending ones the reviewer can see are valid."""

    removals = forms.ModelMultipleChoiceField(queryset=Removal.objects.none())

    def __init__(self, *args, removals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["removals"].queryset = removals
        self.fields["removals"].error_messages.update(
            required=_("Tick at least one removal."),
            invalid_choice=_("A ticked removal is no longer waiting for verification."),
            invalid_pk_value=_("A ticked removal is no longer waiting for verification."),
        )


class BatchVerifyForm(FormTokenMixin, forms.Form):
    """核验通过本批次: every pending removal of one township's imported ledger."""

    batch = forms.ModelChoiceField(queryset=ImportBatch.objects.none())

    def __init__(self, *args, batches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batches
        self.fields["batch"].error_messages.update(
            required=_("Choose an import batch."),
            invalid_choice=_("That import batch is not one you can verify."),
        )


class ResubmitForm(FormTokenMixin, BootstrapMixin, forms.Form):
    """The township's correction of a returned removal: reason, note, new photos if needed."""

    reason = forms.ChoiceField(label=_("reason"), choices=RemovalReason.choices)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.FileField(
        label=_("new photo after removal (optional)"),
        required=False,
        widget=forms.ClearableFileInput(CAMERA),
    )
    photo_before = forms.FileField(
        label=_("new photo before removal (optional)"),
        required=False,
        widget=forms.ClearableFileInput(CAMERA),
    )
