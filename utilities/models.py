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
    # What the token was spent on (utilities.form_tokens.content_digest): a resend of the same
    # content is "already saved"; the token sent again with other content is refused.
    digest = models.CharField(_("content digest"), max_length=64, blank=True)
    # Where the write's answer sent the user: a replay is sent there again (the first result).
    result_url = models.CharField(_("result address"), max_length=500, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("submitted form")
        verbose_name_plural = _("submitted forms")
        # Its table from when it lived in villages (migrations utilities/0001, villages/0005).
        db_table = "villages_submittedform"

    def __str__(self) -> str:
        return f"{self.token} · {self.user_id}"


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class Job(models.Model):
    """One request for long work (utilities.jobs): who asked, what, for which scope, how far it
    got, and its file. The row is the truth the pages show; the queue only carries its pk."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("owner"),
    )
    task = models.CharField(_("kind of job"), max_length=60)
    title = models.CharField(_("job title"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    time_limit = models.PositiveIntegerField(_("time limit (s)"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    result_file = models.CharField(_("result file"), max_length=300, blank=True)
    result_name = models.CharField(_("file name"), max_length=200, blank=True)
    # The plain filename= for clients that cannot read the Chinese one.
    result_ascii_name = models.CharField(_("plain file name"), max_length=200, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["state", "started_at"], name="job_state_started")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="job_progress_at_most_100",
                violation_error_message=_("Progress cannot exceed 100%."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.get_state_display()}"

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED, JobState.EXPIRED)
