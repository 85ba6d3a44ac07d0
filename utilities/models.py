from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmittedForm(models.Model):
    """The one-time token of a write form that has been saved: a second submit is refused.

    Each page load gets a fresh token (utilities.form_tokens); the row is inserted in the same
    transaction as the write, so a write that fails leaves the token usable for a retry.
    """

    token = models.UUIDField(_("form token"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("submitted form")
        verbose_name_plural = _("submitted forms")
        # Its table from when it lived in villages (migrations utilities/0001, villages/0005).
        db_table = "villages_submittedform"

    def __str__(self) -> str:
        return f"{self.token} · {self.user_id}"
