"""Complaints (投诉) about a window, a broker or a listing: filed by anyone, anonymously or
not, worked to the complaint-handling standard (received → handling → answered → closed),
and tracked by the complainant with a code that cannot be guessed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from windows.choices import ComplaintState, ComplaintSubject, RatingLevel


def may_handle_complaint(complaint, user) -> bool:
    """The operators of the market the complaint is about (and those above it)."""
    from market.permissions import is_market_operator

    return is_market_operator(user, complaint.market_id)


class Complaint(ConcurrentTransitionMixin, models.Model):
    """A complaint (投诉) and its handling (处置) and answer (回应)."""

    code = models.CharField(_("查询码"), max_length=32, unique=True, editable=False)
    subject = models.CharField(_("投诉对象"), max_length=20, choices=ComplaintSubject.choices)
    # The market that handles it: the window's, the broker's, or the listing's.
    market = models.ForeignKey(
        "market.Market",
        verbose_name=_("受理市场"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    window = models.ForeignKey(
        "windows.ServiceWindow",
        verbose_name=_("服务窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    broker = models.ForeignKey(
        "brokers.Broker",
        verbose_name=_("技术经纪人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    achievement = models.ForeignKey(
        "listings.Achievement",
        verbose_name=_("科技成果"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    demand = models.ForeignKey(
        "listings.Demand",
        verbose_name=_("技术需求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    standard = models.ForeignKey(
        "windows.ServiceStandard",
        verbose_name=_("适用标准"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    body = models.TextField(_("投诉内容"))
    anonymous = models.BooleanField(_("匿名投诉"), default=False)
    name = models.CharField(_("投诉人"), max_length=100, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("投诉账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_at = models.DateTimeField(_("受理时间"), default=timezone.now, db_index=True)
    handling_due_at = models.DateTimeField(_("开始处理时限"))
    answer_due_at = models.DateTimeField(_("答复时限"))
    state = FSMField(
        _("状态"),
        max_length=20,
        choices=ComplaintState.choices,
        default=ComplaintState.RECEIVED,
        protected=False,
        db_index=True,
    )
    handling_started_at = models.DateTimeField(_("开始处理时间"), null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("对答复的评价"), choices=RatingLevel.choices, null=True, blank=True
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        subject=ComplaintSubject.WINDOW,
                        window__isnull=False,
                        broker__isnull=True,
                        achievement__isnull=True,
                        demand__isnull=True,
                    )
                    | models.Q(
                        subject=ComplaintSubject.BROKER,
                        window__isnull=True,
                        broker__isnull=False,
                        achievement__isnull=True,
                        demand__isnull=True,
                    )
                    | models.Q(
                        subject=ComplaintSubject.LISTING,
                        window__isnull=True,
                        broker__isnull=True,
                    )
                    & (
                        models.Q(achievement__isnull=False, demand__isnull=True)
                        | models.Q(achievement__isnull=True, demand__isnull=False)
                    )
                ),
                name="complaint_names_its_one_subject",
            )
        ]

    def __str__(self):
        return f"{self.get_subject_display()} {self.received_at:%Y-%m-%d}"

    @property
    def answered_on_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return self.answered_at <= self.answer_due_at

    @transition(
        field=state,
        source=ComplaintState.RECEIVED,
        target=ComplaintState.HANDLING,
        permission=may_handle_complaint,
        custom={"label": _("开始处理")},
    )
    def start_handling(self):
        self.handling_started_at = timezone.now()

    @transition(
        field=state,
        source=ComplaintState.HANDLING,
        target=ComplaintState.ANSWERED,
        permission=may_handle_complaint,
        custom={"label": _("答复")},
    )
    def give_answer(self):
        self.answered_at = timezone.now()

    @transition(
        field=state,
        source=ComplaintState.ANSWERED,
        target=ComplaintState.CLOSED,
        permission=may_handle_complaint,
        custom={"label": _("办结")},
    )
    def close(self):
        self.closed_at = timezone.now()
