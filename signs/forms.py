"""Forms for the field pages: few fields, sensible defaults, phone camera for photos."""

from django import forms
from django.utils.translation import gettext_lazy as _

from utilities.form_tokens import FormTokenMixin
from utilities.forms import CAMERA, BootstrapMixin, DateInput, MultipleFileInput, today

from .choices import DEFAULT_REMOVAL_REASON, RemovalReason, SignKind
from .models import ApprovedItem, Signboard
from .selectors import item_kind_order


class RemovalFieldsMixin(FormTokenMixin, BootstrapMixin, forms.Form):
    removed_on = forms.DateField(label=_("removed on"), initial=today, widget=DateInput())
    reason = forms.ChoiceField(
        label=_("reason"), choices=RemovalReason.choices, initial=DEFAULT_REMOVAL_REASON
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RemovalForm(RemovalFieldsMixin):
    """One sign: date and reason filled in; the photo comes from the phone's camera.

    When 拍照识牌 still reads the sign in the photo, the form comes back with a warning, the
    photos kept on the server (the pending_* tokens) and `save_anyway` to tick.
    """

    photo = forms.FileField(
        label=_("photo after removal"), required=False, widget=forms.ClearableFileInput(CAMERA)
    )
    photo_before = forms.FileField(
        label=_("photo before removal (optional)"),
        required=False,
        widget=forms.ClearableFileInput(CAMERA),
    )
    pending_photo = forms.UUIDField(required=False, widget=forms.HiddenInput)
    pending_photo_before = forms.UUIDField(required=False, widget=forms.HiddenInput)
    save_anyway = forms.BooleanField(
        label=_("Save anyway: the reviewer will be asked to check this photo"), required=False
    )

    def __init__(self, *args, warned: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not warned:
            self.fields["save_anyway"].widget = forms.HiddenInput()
        for field in ("photo", "photo_before"):
            if self[f"pending_{field}"].value():
                self.fields[field].help_text = _(
                    "The photo you took is kept; choose another only to replace it."
                )

    def cleaned_fields(self) -> dict:
        """The values the service takes (photos are the view's business)."""
        skip = ("pending_photo", "pending_photo_before", "save_anyway", "photo", "photo_before")
        return {k: v for k, v in super().cleaned_fields().items() if k not in skip}


class BulkRemovalForm(RemovalFieldsMixin):
    """Several ticked signs of one village, one date, one reason."""

    signboards = forms.ModelMultipleChoiceField(
        queryset=Signboard.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, signboards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signboards"].queryset = signboards
        self.fields["signboards"].error_messages["required"] = _("Tick at least one sign.")


class SignboardForm(FormTokenMixin, BootstrapMixin, forms.ModelForm):
    """Add a sign; the standard's titles and the village's rooms are offered as suggestions."""

    class Meta:
        model = Signboard
        fields = ["title", "kind", "location", "approved_item", "inventoried_on"]
        widgets = {
            "title": forms.TextInput(attrs={"list": "standard-titles", "autocomplete": "off"}),
            "location": forms.TextInput(attrs={"list": "rooms", "autocomplete": "off"}),
            "inventoried_on": DateInput(),
        }

    def __init__(self, *args, standard=None, **kwargs):
        super().__init__(*args, **kwargs)
        items = ApprovedItem.objects.none() if standard is None else standard.items.all()
        self.fields["approved_item"].queryset = items.order_by(item_kind_order(), "number")
        self.fields["approved_item"].help_text = _(
            "Only if the standard keeps this sign. Leave empty for a sign to remove."
        )
        self.fields["kind"].initial = SignKind.PLAQUE
        self.fields["inventoried_on"].initial = today


MAX_WALL_PHOTOS = 6


class WallPhotosField(forms.FileField):
    """One to MAX_WALL_PHOTOS photos of one wall or room (camera on a phone, files on a desk)."""

    def __init__(self, **kwargs):
        widget = MultipleFileInput({"accept": "image/*", "data-testid": "wall-photos"})
        super().__init__(widget=widget, **kwargs)

    def clean(self, data, initial=None):
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if not uploads:
            raise forms.ValidationError(_("Choose at least one photo."), code="required")
        if len(uploads) > MAX_WALL_PHOTOS:
            raise forms.ValidationError(
                _("At most %(n)d photos at a time.") % {"n": MAX_WALL_PHOTOS}, code="too_many"
            )
        return [super(WallPhotosField, self).clean(upload, initial) for upload in uploads]


class WallPhotoForm(BootstrapMixin, forms.Form):
    """拍照识牌, step one: the room and its photos."""

    location = forms.CharField(
        label=_("location / room"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "rooms", "autocomplete": "off"}),
    )
    photos = WallPhotosField(label=_("photos of the wall"))


class WallEntryForm(BootstrapMixin, forms.Form):
    """拍照识牌, step two: one proposed sign, ticked, corrected if needed."""

    selected = forms.BooleanField(label=_("add"), required=False)
    title = forms.CharField(label=_("text on the sign"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=SignKind.choices)
    approved_item = forms.ModelChoiceField(
        label=_("approved item"), queryset=ApprovedItem.objects.none(), required=False
    )
    photo = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if items is not None:
            self.fields["approved_item"].queryset = items
        self.fields["approved_item"].empty_label = _("(no item of the standard)")


WallEntryFormSet = forms.formset_factory(WallEntryForm, extra=0, max_num=200, validate_max=True)


class WallConfirmForm(FormTokenMixin, BootstrapMixin, forms.Form):
    """拍照识牌, step two: the room the ticked signs hang in, and the one-time token."""

    location = forms.CharField(label=_("location / room"), max_length=100, required=False)


class RevokeForm(FormTokenMixin, BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason for revoking"), widget=forms.Textarea(attrs={"rows": 2})
    )
