"""A password validator for the complexity 等保 2.0 audits ask for."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (str.isupper, str.islower, str.isdigit, lambda c: not c.isalnum())


class CharacterClassesValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        used = sum(any(test(c) for c in password) for test in CLASSES)
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least %(n)d of: upper-case letters, lower-case letters, "
            "digits and symbols."
        ) % {"n": self.min_classes}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule; its message in our catalogue, which Django's zh_Hans lacks."""

    def get_error_message(self) -> str:
        return _("This password is too short: use at least %(n)d characters.") % {
            "n": self.min_length
        }

    def get_help_text(self) -> str:
        return _("Your password must have at least %(n)d characters.") % {"n": self.min_length}
