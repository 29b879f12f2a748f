"""Window service standards (窗口服务标准化工作规范) as versioned checklists.

A standard is identified by its code; each version is its own row with its own items, so a
case keeps the checklist it opened under when a later version comes into force. At most one
version of a code is in force at a time. Editing a standard in force makes a new version
(`windows.services.standards.standard_revise`); only drafts are edited in place.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from windows.choices import (
    ComplaintState,
    CountedFrom,
    EvidenceKind,
    ItemRole,
    LimitUnit,
    StandardStatus,
    WindowService,
)


def may_edit_standards(standard, user) -> bool:
    """The province's operators publish and retire the window standards."""
    from market.permissions import operates_province

    return operates_province(user)


class ServiceStandardQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(status=StandardStatus.IN_FORCE)

    def for_service(self, service: str):
        return self.in_force().filter(service=service)


class ServiceStandard(ClusterableModel):
    """One version of a window service standard (窗口服务标准): the ordered checklist a case
    for its service is worked to."""

    code = models.CharField(
        _("标准编号"), max_length=40, help_text=_("同一标准的各个版本编号相同，如 TM/CK-01")
    )
    title = models.CharField(_("标准名称"), max_length=200)
    version = models.PositiveIntegerField(_("版本"), default=1)
    service = models.CharField(
        _("适用服务"), max_length=30, choices=WindowService.choices, db_index=True
    )
    effective_date = models.DateField(_("实施日期"))
    status = FSMField(
        _("状态"),
        max_length=20,
        choices=StandardStatus.choices,
        default=StandardStatus.DRAFT,
        protected=False,
    )
    scope = models.TextField(_("适用范围"), blank=True)
    basis = models.CharField(
        _("参照依据"), max_length=300, blank=True, help_text=_("如 DB34/T 3897-2021")
    )
    change_note = models.TextField(_("本版修订说明"), blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("上一版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ServiceStandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务标准")
        verbose_name_plural = _("服务标准")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="standard_code_version"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(status=StandardStatus.IN_FORCE),
                name="standard_one_version_in_force",
            ),
            # A case for a service is worked to the one standard in force for it.
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(status=StandardStatus.IN_FORCE),
                name="standard_one_in_force_per_service",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}（第 {self.version} 版）"

    @property
    def is_draft(self) -> bool:
        return self.status == StandardStatus.DRAFT

    @transition(
        field=status,
        source=StandardStatus.DRAFT,
        target=StandardStatus.IN_FORCE,
        permission=may_edit_standards,
        custom={"label": _("发布实施")},
    )
    def publish(self):
        pass

    @transition(
        field=status,
        source=StandardStatus.IN_FORCE,
        target=StandardStatus.RETIRED,
        permission=may_edit_standards,
        custom={"label": _("废止")},
    )
    def retire(self):
        pass


class StandardItem(Orderable):
    """One checklist item of a standard version: what must be done, by whom, within what
    time, and what evidence proves it."""

    standard = ParentalKey(ServiceStandard, on_delete=models.CASCADE, related_name="items")
    action = models.CharField(_("工作事项"), max_length=300)
    guidance = models.TextField(_("要求说明"), blank=True)
    role = models.CharField(_("责任人"), max_length=20, choices=ItemRole.choices)
    limit_amount = models.PositiveIntegerField(
        _("时限"), validators=[MinValueValidator(1)], help_text=_("与时限单位一起使用")
    )
    limit_unit = models.CharField(
        _("时限单位"), max_length=20, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    counted_from = models.CharField(
        _("起算点"), max_length=20, choices=CountedFrom.choices, default=CountedFrom.PREVIOUS
    )
    evidence = models.CharField(
        _("佐证材料"), max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.NONE
    )
    mandatory = models.BooleanField(_("必办事项"), default=True)
    # In the complaint-handling standard, the item whose deadline is the complaint's deadline
    # for reaching this state (handling started, answer given).
    complaint_step = models.CharField(
        _("对应投诉环节"),
        max_length=20,
        choices=[(ComplaintState.HANDLING, _("开始处理")), (ComplaintState.ANSWERED, _("答复"))],
        blank=True,
        help_text=_("仅投诉处理标准使用：该事项的时限即投诉进入此环节的时限"),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")

    def __str__(self):
        return self.action

    def clean(self):
        if self.limit_amount is not None and self.limit_amount < 1:
            raise ValidationError({"limit_amount": _("时限至少为 1。")})

    @property
    def limit_label(self) -> str:
        return (
            f"{self.get_counted_from_display()} {self.limit_amount} {self.get_limit_unit_display()}"
        )

    def comparable(self) -> dict:
        """The fields a version diff compares."""
        return {
            "action": self.action,
            "guidance": self.guidance,
            "role": self.get_role_display(),
            "limit": self.limit_label,
            "evidence": self.get_evidence_display(),
            "mandatory": _("必办") if self.mandatory else _("选办"),
        }
