"""Keeping the signs down: review of removals, work lists, guidance visits, assessment.

Nothing here is deleted in the ordinary course: a returned removal, a closed finding or an
item done stays as the record of the supervision.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from signs.models import Removal, Signboard
from villages.models import Town, Village

from .choices import Indicator, ReviewStatus, Severity, WorkItemKind


def _user(verbose_name, *, null=True):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=null,
        blank=null,
        related_name="+",
        verbose_name=verbose_name,
    )


class RemovalReview(models.Model):
    """The reviewers' verdict on one reported removal; no row means 待核验."""

    removal = models.OneToOneField(
        Removal,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="review",
        verbose_name=_("removal"),
    )
    status = models.CharField(
        _("review status"),
        max_length=10,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PENDING,
    )
    # The reviewer's word on a return (what to correct); kept after resubmission.
    comment = models.TextField(_("reviewer's comment"), blank=True)
    reviewed_by = _user(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    resubmitted_at = models.DateTimeField(_("resubmitted at"), null=True, blank=True)
    resubmissions = models.PositiveSmallIntegerField(_("resubmissions"), default=0)

    class Meta:
        ordering = ["-reviewed_at", "-pk"]
        verbose_name = _("removal review")
        verbose_name_plural = _("removal reviews")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ReviewStatus.RETURNED) | ~Q(comment=""),
                name="%(app_label)s_%(class)s_comment_for_return",
                violation_error_message=_("Please say what must be corrected."),
            ),
            models.CheckConstraint(
                condition=Q(status=ReviewStatus.PENDING) | Q(reviewed_at__isnull=False),
                name="%(app_label)s_%(class)s_decision_dated",
                violation_error_message=_("A verdict needs its reviewer and time."),
            ),
        ]
        indexes = [models.Index(fields=["status"], name="supervision_review_status_idx")]

    def __str__(self) -> str:
        return f"{self.removal} · {self.get_status_display()}"


class WorkList(models.Model):
    """A month's work list (月工作清单) issued by the reviewers to every township."""

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("instructions"), blank=True)
    due_on = models.DateField(_("due on"))
    issued_by = _user(_("issued by"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        ordering = ["-year", "-month", "-pk"]
        verbose_name = _("monthly work list")
        verbose_name_plural = _("monthly work lists")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month"],
                name="%(app_label)s_%(class)s_one_per_month",
                violation_error_message=_("A work list for this month has already been issued."),
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="%(app_label)s_%(class)s_month_valid",
                violation_error_message=_("The month must be between 1 and 12."),
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="%(app_label)s_%(class)s_title_not_blank",
                violation_error_message=_("A work list needs a title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class WorkItem(models.Model):
    """One thing a township must do this month: free text, or generated from the figures."""

    work_list = models.ForeignKey(
        WorkList, on_delete=models.PROTECT, related_name="items", verbose_name=_("work list")
    )
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="work_items", verbose_name=_("township")
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=WorkItemKind.choices, default=WorkItemKind.TASK
    )
    text = models.TextField(_("item"))
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village (community)"),
    )
    removal = models.ForeignKey(
        Removal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removal"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = _user(_("done by"))
    done_note = models.TextField(_("how it was done"), blank=True)

    class Meta:
        ordering = ["work_list", "town", "pk"]
        verbose_name = _("work-list item")
        verbose_name_plural = _("work-list items")
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="%(app_label)s_%(class)s_text_not_blank",
                violation_error_message=_("An item needs its text."),
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | ~Q(done_note=""),
                name="%(app_label)s_%(class)s_note_when_done",
                violation_error_message=_("Please say how the item was done."),
            ),
        ]
        indexes = [models.Index(fields=["town", "done_at"], name="supervision_item_town_idx")]

    def __str__(self) -> str:
        return self.text[:60]


class VisitRound(models.Model):
    """A quarter's round of guidance visits (季度调研指导), drawn by 两随机 from its seed."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    # The draw is reproducible: the same seed over the same villages and reviewers gives the
    # same sample (supervision.services.visits.draw).
    seed = models.PositiveIntegerField(_("random seed"))
    villages_per_town = models.PositiveSmallIntegerField(_("villages per township"), default=2)
    inspectors_per_visit = models.PositiveSmallIntegerField(_("inspectors per visit"), default=2)
    created_by = _user(_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-year", "-quarter", "-pk"]
        verbose_name = _("visit round")
        verbose_name_plural = _("visit rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"],
                name="%(app_label)s_%(class)s_one_per_quarter",
                violation_error_message=_("This quarter already has a round of visits."),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="%(app_label)s_%(class)s_quarter_valid",
                violation_error_message=_("The quarter must be between 1 and 4."),
            ),
            models.CheckConstraint(
                condition=Q(villages_per_town__gte=1) & Q(inspectors_per_visit__gte=1),
                name="%(app_label)s_%(class)s_sizes_positive",
                violation_error_message=_("Draw at least one village and one inspector."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(year)s Q%(quarter)s guidance visits") % {
            "year": self.year,
            "quarter": self.quarter,
        }


class Visit(models.Model):
    """One township's visit in a round: when, by whom, which villages."""

    round = models.ForeignKey(
        VisitRound, on_delete=models.PROTECT, related_name="visits", verbose_name=_("round")
    )
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="visits", verbose_name=_("township")
    )
    visited_on = models.DateField(_("visited on"))
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("inspectors")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["round", "town", "pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "town"],
                name="%(app_label)s_%(class)s_one_per_town_and_round",
                violation_error_message=_("This township already has a visit in the round."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.town}"


class VisitVillage(models.Model):
    """A village looked at during a visit."""

    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="villages", verbose_name=_("visit")
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("village (community)"),
    )
    note = models.TextField(_("what was seen"), blank=True)

    class Meta:
        ordering = ["visit", "village"]
        verbose_name = _("visited village")
        verbose_name_plural = _("visited villages")
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "village"],
                name="%(app_label)s_%(class)s_once_per_visit",
                violation_error_message=_("This village is already in the visit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit} · {self.village}"


class Finding(models.Model):
    """A problem found in a village during a visit, with the follow-up the township owes."""

    visit_village = models.ForeignKey(
        VisitVillage,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("visited village"),
    )
    problem = models.TextField(_("problem"))
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR
    )
    action = models.TextField(_("follow-up action"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    recorded_by = _user(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = _user(_("closed by"))
    closing_note = models.TextField(_("how it was put right"), blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(
                condition=~Q(problem="") & ~Q(action=""),
                name="%(app_label)s_%(class)s_problem_and_action",
                violation_error_message=_("A finding needs the problem and the follow-up action."),
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(closing_note=""),
                name="%(app_label)s_%(class)s_note_when_closed",
                violation_error_message=_("Please say how the problem was put right."),
            ),
        ]

    def __str__(self) -> str:
        return self.problem[:60]


class Rebound(models.Model):
    """A removed sign found hung again (反弹): a new sign on the wall, linked to the removal."""

    visit_village = models.ForeignKey(
        VisitVillage,
        on_delete=models.PROTECT,
        related_name="rebounds",
        verbose_name=_("visited village"),
    )
    removal = models.ForeignKey(
        Removal,
        on_delete=models.PROTECT,
        related_name="rebounds",
        verbose_name=_("earlier removal"),
    )
    signboard = models.OneToOneField(
        Signboard,
        on_delete=models.PROTECT,
        related_name="rebound",
        verbose_name=_("sign hung again"),
    )
    finding = models.OneToOneField(
        Finding,
        on_delete=models.PROTECT,
        related_name="rebound",
        verbose_name=_("finding"),
    )
    found_on = models.DateField(_("found on"))
    recorded_by = _user(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-found_on", "-pk"]
        verbose_name = _("rebound")
        verbose_name_plural = _("rebounds")

    def __str__(self) -> str:
        return f"{self.signboard} · {self.found_on:%Y-%m-%d}"


class AssessmentWeight(models.Model):
    """How much an indicator counts in the annual score; reviewers edit these."""

    indicator = models.CharField(
        _("indicator"), max_length=20, choices=Indicator.choices, unique=True
    )
    weight = models.PositiveSmallIntegerField(_("weight"))
    updated_by = _user(_("updated by"))
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["indicator"]
        verbose_name = _("assessment weight")
        verbose_name_plural = _("assessment weights")

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} · {self.weight}"


class AssessmentRemark(models.Model):
    """The reviewers' remarks (评议意见) on a township's year."""

    town = models.ForeignKey(
        Town,
        on_delete=models.PROTECT,
        related_name="assessment_remarks",
        verbose_name=_("township"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    remarks = models.TextField(_("remarks"))
    written_by = _user(_("written by"))
    written_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        ordering = ["-year", "town"]
        verbose_name = _("assessment remark")
        verbose_name_plural = _("assessment remarks")
        constraints = [
            models.UniqueConstraint(
                fields=["town", "year"],
                name="%(app_label)s_%(class)s_one_per_town_and_year",
                violation_error_message=_("This township already has remarks for the year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.town} · {self.year}"
