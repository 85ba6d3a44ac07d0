"""Adding a sign to a village's inventory."""

from django import forms
from django.utils.translation import gettext_lazy as _

from utilities.form_tokens import FormTokenMixin
from utilities.forms import BootstrapMixin, DateInput, today

from ..choices import SignKind
from ..models import ApprovedItem, Signboard
from ..selectors import item_kind_order


class SignboardForm(FormTokenMixin, BootstrapMixin, forms.ModelForm):
    """Add a sign; the standard's titles and the village's rooms are offered as suggestions."""

    class Meta:
        model = Signboard
        fields = ["title", "kind", "location", "approved_item", "requested_by", "inventoried_on"]
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
        self.fields["requested_by"].help_text = _(
            "Optional: the city department whose request had the sign hung."
        )
        self.fields["kind"].initial = SignKind.PLAQUE
        self.fields["inventoried_on"].initial = today
