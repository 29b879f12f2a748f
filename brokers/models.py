"""Technology brokers (技术经纪人) and their transfer institutions (技术转移机构).

Deals, contracts, commission ledgers and payments build on this.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from brokers.choices import BrokerGrade
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
