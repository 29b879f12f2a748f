"""Technology brokers (技术经纪人) and their transfer institutions (技术转移机构).

Deals, contracts, commission ledgers and payments build on this.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from brokers.choices import BrokerGrade, MessageSide
from listings.choices import TechField
from market.choices import OrganizationKind


class Broker(models.Model):
    """A technology broker (技术经纪人): a graded professional working for a technology
    transfer institution (技术转移机构), who turns matches into contracts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="broker_profile"
    )
    institution = models.ForeignKey(
        "market.Organization",
        verbose_name=_("技术转移机构"),
        on_delete=models.PROTECT,
        related_name="brokers",
    )
    grade = models.CharField(_("等级"), max_length=20, choices=BrokerGrade.choices)
    certificate_no = models.CharField(_("证书编号"), max_length=40, unique=True)
    fields = models.JSONField(_("擅长领域"), default=list, blank=True)
    markets_served = models.ManyToManyField(
        "market.Market",
        verbose_name=_("服务的分市场"),
        blank=True,
        related_name="brokers_serving",
    )
    active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("技术经纪人")
        verbose_name_plural = _("技术经纪人")
        ordering = ["id"]

    def __str__(self):
        return str(self.user)

    def clean(self):
        if self.institution_id and self.institution.kind != OrganizationKind.TRANSFER_INSTITUTION:
            raise ValidationError({"institution": _("技术经纪人须隶属于技术转移机构。")})
        valid = set(TechField.values)
        if any(f not in valid for f in self.fields):
            raise ValidationError({"fields": _("擅长领域须为国家八大高新技术领域之一。")})


class Assignment(models.Model):
    """A broker assigned to answer a published technology demand (需求响应).

    The 48-hour rule: every published demand gets a broker and that broker's first message
    within DEMAND_RESPONSE_HOURS of publication. A reassignment ends the current assignment
    and starts a new one, so the history stays.
    """

    demand = models.ForeignKey(
        "listings.Demand",
        verbose_name=_("技术需求"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    broker = models.ForeignKey(
        Broker, verbose_name=_("技术经纪人"), on_delete=models.PROTECT, related_name="assignments"
    )
    active = models.BooleanField(_("当前有效"), default=True)
    assigned_at = models.DateTimeField(_("分派时间"), auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("分派人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("空表示系统自动分派"),
    )
    due_at = models.DateTimeField(_("首次答复期限"), db_index=True)
    first_response_at = models.DateTimeField(_("首次答复时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("需求分派")
        verbose_name_plural = _("需求分派")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand"],
                condition=models.Q(active=True),
                name="one_active_assignment_per_demand",
            )
        ]

    def __str__(self):
        return f"{self.demand} → {self.broker}"


class BrokerMessage(models.Model):
    """A message in a demand's thread (需求对接记录) between the enterprise behind the demand
    and its assigned broker: the broker's replies (经纪人答复) and the owner's answers.

    The thread is part of the demand's record and is kept; each message says which side
    wrote it. `token` is the one-time token of the form that posted it, so a submit sent
    twice stores one message."""

    MAX_LENGTH = 4000

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(
        _("发送方"), max_length=10, choices=MessageSide.choices, default=MessageSide.BROKER
    )
    body = models.TextField(_("内容"), max_length=MAX_LENGTH)
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("对接消息")
        verbose_name_plural = _("对接消息")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:40]
