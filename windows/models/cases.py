"""Appointments (预约), service cases (服务事项办理) worked to a standard's checklist, one-time
notifications (一次性告知), ratings (好差评) and their follow-ups (整改).

A case keeps the standard version it opened under; each of its items carries the deadline
computed from that version's item by the working calendar of the case's market. Every step
is recorded in `market.TransitionLog`, the audit log listings and deals write to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from listings.models import private_storage
from windows.choices import (
    AppointmentStatus,
    CaseState,
    EvidenceKind,
    RatingLevel,
    WindowService,
)

# Of the items done: those without the evidence their checklist asks for. The case cannot
# close while a mandatory one is among them; the compliance dashboard counts them.
EVIDENCE_MISSING = (
    models.Q(standard_item__evidence=EvidenceKind.FILE, evidence_file="")
    | models.Q(standard_item__evidence=EvidenceKind.FILE, evidence_file__isnull=True)
    | models.Q(standard_item__evidence=EvidenceKind.TEXT, evidence_text="")
    | models.Q(standard_item__evidence=EvidenceKind.CONFIRMATION, confirmed_at__isnull=True)
)


def may_work_case(case, user) -> bool:
    """The clerks of the case's window's market, and the operators above it."""
    from market.choices import Role
    from market.permissions import is_market_operator

    if not user or not user.is_authenticated:
        return False
    market_id = case.window.market_id
    if is_market_operator(user, market_id):
        return True
    return user.memberships.filter(role=Role.WINDOW_CLERK, market_id=market_id).exists()


def _all_mandatory_done(case) -> bool:
    return not case.items.filter(standard_item__mandatory=True, done_at=None).exists()


class AppointmentSlot(models.Model):
    """A window's bookable slot. Extended hours (延时服务: early, late or weekend) are slots
    too, marked as such."""

    window = models.ForeignKey(
        "windows.ServiceWindow",
        verbose_name=_("服务窗口"),
        on_delete=models.CASCADE,
        related_name="slots",
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"), default=1)
    extended = models.BooleanField(_("延时服务"), default=False)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["window", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["window", "starts_at"], name="slot_one_per_start"),
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="slot_starts_before_it_ends",
            ),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.window} {local:%Y-%m-%d %H:%M}"


class Appointment(models.Model):
    """A requester's booking (预约) of a slot for a service at a window."""

    slot = models.ForeignKey(
        AppointmentSlot,
        verbose_name=_("预约时段"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    service = models.CharField(_("办理事项"), max_length=30, choices=WindowService.choices)
    requester_name = models.CharField(_("预约人"), max_length=100)
    requester_phone = models.CharField(_("联系电话"), max_length=30)
    organization = models.ForeignKey(
        "market.Organization",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="window_appointments",
    )
    note = models.TextField(_("事项说明"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    booked_at = models.DateTimeField(_("预约时间"), default=timezone.now)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["slot__starts_at", "id"]

    def __str__(self):
        return f"{self.requester_name} @ {self.slot}"


class ServiceCase(ConcurrentTransitionMixin, models.Model):
    """A service case (服务事项) a clerk opens at a window for a requester, worked to the
    checklist of the standard in force when it opened (首问负责: the clerk who opens it owns
    it)."""

    window = models.ForeignKey(
        "windows.ServiceWindow",
        verbose_name=_("服务窗口"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    standard = models.ForeignKey(
        "windows.ServiceStandard",
        verbose_name=_("适用标准"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    service = models.CharField(_("办理事项"), max_length=30, choices=WindowService.choices)
    requester_name = models.CharField(_("服务对象"), max_length=100)
    requester_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    organization = models.ForeignKey(
        "market.Organization",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="window_cases",
    )
    appointment = models.OneToOneField(
        Appointment,
        verbose_name=_("来自预约"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case",
    )
    contract = models.ForeignKey(
        "brokers.Contract",
        verbose_name=_("登记的合同"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="window_cases",
    )
    summary = models.TextField(_("事项说明"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首问责任人"),
        on_delete=models.PROTECT,
        related_name="opened_window_cases",
    )
    opened_at = models.DateTimeField(_("受理时间"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    state = FSMField(
        _("状态"),
        max_length=20,
        choices=CaseState.choices,
        default=CaseState.OPEN,
        protected=False,
        db_index=True,
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # The requester's own key to the case: they confirm items and rate the service with it.
    requester_key = models.CharField(max_length=64, unique=True, editable=False)
    # The opening form's one-time token: the same form sent twice opens one case.
    open_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["window", "opened_at"])]

    def __str__(self):
        return f"{self.number} {self.requester_name}"

    def get_absolute_url(self):
        return reverse("windows:case_detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"FW{timezone.localtime(self.opened_at):%Y%m%d}-{self.pk:06d}"

    @transition(
        field=state,
        source=CaseState.OPEN,
        target=CaseState.CLOSED,
        permission=may_work_case,
        conditions=[_all_mandatory_done],
        custom={"label": _("办结")},
    )
    def close(self):
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=CaseState.OPEN,
        target=CaseState.WITHDRAWN,
        permission=may_work_case,
        custom={"label": _("撤回")},
    )
    def withdraw(self):
        self.closed_at = timezone.now()


class CaseItem(models.Model):
    """One checklist item of a case: its deadline, and when, by whom and with what evidence
    it was done. Done once: `done_at` is set by one locked update."""

    case = models.ForeignKey(ServiceCase, on_delete=models.CASCADE, related_name="items")
    standard_item = models.ForeignKey(
        "windows.StandardItem",
        verbose_name=_("清单事项"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    due_at = models.DateTimeField(_("时限"), db_index=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evidence_text = models.TextField(_("文字记录"), blank=True)
    evidence_file = models.FileField(
        _("佐证文件"), upload_to="windows/evidence/%Y/%m/", storage=private_storage, blank=True
    )
    # The requester's one-time confirmation (服务对象确认): a link or code they open
    # themselves. Kept after use, so a second use is told it has been used.
    confirmation_code = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    confirmed_at = models.DateTimeField(_("服务对象确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("办理事项")
        verbose_name_plural = _("办理事项")
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "standard_item"], name="case_item_once"),
        ]
        indexes = [
            # The compliance figures: items done in a period, and the few undone ones whose
            # deadline has passed (overdue now), read on every dashboard request.
            models.Index(fields=["done_at"], name="case_item_done_at"),
            models.Index(
                fields=["due_at"], condition=models.Q(done_at=None), name="case_item_undone_due"
            ),
        ]

    def __str__(self):
        return f"{self.case.number} #{self.position} {self.standard_item.action}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def evidence_pending(self) -> bool:
        """Done without the evidence its checklist asks for (under 容缺受理, the document to
        follow): the same rule as `EVIDENCE_MISSING`, for one item."""
        if self.done_at is None:
            return False
        kind = self.standard_item.evidence
        return (
            (kind == EvidenceKind.FILE and not self.evidence_file)
            or (kind == EvidenceKind.TEXT and not self.evidence_text)
            or (kind == EvidenceKind.CONFIRMATION and self.confirmed_at is None)
        )

    @property
    def is_late(self) -> bool:
        return self.done_at is not None and self.done_at > self.due_at

    @property
    def time_over(self):
        """How far past its deadline it was done (or, undone, is now)."""
        end = self.done_at or timezone.now()
        return end - self.due_at if end > self.due_at else None


class CaseNotice(models.Model):
    """A one-time notification (一次性告知): everything still missing, told to the requester
    in one message and recorded on the case."""

    case = models.ForeignKey(ServiceCase, on_delete=models.CASCADE, related_name="notices")
    items = models.ManyToManyField(CaseItem, verbose_name=_("所缺事项"), related_name="notices")
    message = models.TextField(_("告知内容"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("告知人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("告知时间"), default=timezone.now)

    class Meta:
        verbose_name = _("一次性告知")
        verbose_name_plural = _("一次性告知")
        ordering = ["case", "sent_at"]

    def __str__(self):
        return f"{self.case.number} {self.sent_at:%Y-%m-%d}"


class CaseRating(models.Model):
    """The requester's rating of a closed case (好差评), on five levels, with a comment."""

    case = models.OneToOneField(ServiceCase, on_delete=models.CASCADE, related_name="rating")
    level = models.PositiveSmallIntegerField(_("评价"), choices=RatingLevel.choices)
    comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="rating_level_one_to_five"
            )
        ]

    def __str__(self):
        return f"{self.case.number} {self.get_level_display()}"


class FollowUp(models.Model):
    """The mandatory follow-up (整改) of a rating of 不满意 or worse: the rectification, by
    its deadline, and the return visit (回访) to the requester."""

    rating = models.OneToOneField(CaseRating, on_delete=models.CASCADE, related_name="follow_up")
    due_at = models.DateTimeField(_("整改时限"))
    rectification = models.TextField(_("整改措施"), blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("整改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visited_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    visit_note = models.TextField(_("回访情况"), blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("整改")
        verbose_name_plural = _("整改")

    def __str__(self):
        return f"{self.rating.case.number} 整改"

    @property
    def is_done(self) -> bool:
        return self.visited_at is not None
