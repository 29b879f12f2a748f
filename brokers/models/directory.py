"""What the public broker directory (技术经纪人名录) shows beyond the broker's own record:
the transfer institutions' demonstration status and the parties' ratings of their brokers."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from brokers.choices import InstitutionLevel
from market.choices import OrganizationKind


class TransferInstitution(models.Model):
    """A technology transfer institution's (技术转移机构) standing in the market: its
    demonstration status (国家级 / 省级技术转移示范机构). The institution itself is an
    organization of kind "transfer institution"; its brokers point at that organization."""

    organization = models.OneToOneField(
        "market.Organization",
        verbose_name=_("技术转移机构"),
        on_delete=models.CASCADE,
        related_name="transfer_institution",
        limit_choices_to={"kind": OrganizationKind.TRANSFER_INSTITUTION},
    )
    level = models.CharField(
        _("示范机构级别"),
        max_length=12,
        choices=InstitutionLevel.choices,
        blank=True,
        default=InstitutionLevel.NONE,
    )
    recognised_on = models.DateField(_("认定日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("技术转移机构资质")
        verbose_name_plural = _("技术转移机构资质")
        ordering = ["organization__name"]

    def __str__(self):
        return f"{self.organization} · {self.get_level_display()}"

    def clean(self):
        if self.organization_id and self.organization.kind != OrganizationKind.TRANSFER_INSTITUTION:
            raise ValidationError({"organization": _("请选择技术转移机构。")})


class BrokerRating(models.Model):
    """A party's rating (评价) of a closed deal's lead broker, 1 to 5: the buyer rates once and
    the seller rates once."""

    deal = models.ForeignKey(
        "brokers.Deal", verbose_name=_("交易"), on_delete=models.CASCADE, related_name="ratings"
    )
    broker = models.ForeignKey(
        "brokers.Broker",
        verbose_name=_("技术经纪人"),
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    organization = models.ForeignKey(
        "market.Organization",
        verbose_name=_("评价单位"),
        on_delete=models.CASCADE,
        related_name="broker_ratings",
    )
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("评价"), max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)
    # The one-time token of the form that posted it: a double click stores one rating.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("经纪人评价")
        verbose_name_plural = _("经纪人评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "organization"], name="rating_once_per_party"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.broker} · {self.score}"
