"""拍照识牌: the photos of a wall, then the signs read in them to confirm."""

from django import forms
from django.utils.translation import gettext_lazy as _

from utilities.form_tokens import FormTokenMixin
from utilities.forms import BootstrapMixin, MultipleFileInput

from ..choices import SignKind
from ..models import ApprovedItem

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
