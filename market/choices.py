from django.db import models
from django.utils.translation import gettext_lazy as _


class MarketKind(models.TextChoices):
    MAIN = "main", _("主市场")
    SUB = "sub", _("分市场")


class OrganizationKind(models.TextChoices):
    UNIVERSITY = "university", _("高校")
    INSTITUTE = "institute", _("科研院所")
    ENTERPRISE = "enterprise", _("企业")
    TRANSFER_INSTITUTION = "transfer_institution", _("技术转移机构")
    OPERATOR = "operator", _("市场运营方")


# Kinds a person may choose when they sign up or register an organization themselves; a market
# operator (市场运营方) is only ever made by an operator.
SELF_SERVICE_ORGANIZATION_KINDS = (
    OrganizationKind.UNIVERSITY,
    OrganizationKind.INSTITUTE,
    OrganizationKind.ENTERPRISE,
    OrganizationKind.TRANSFER_INSTITUTION,
)


class OrganizationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("机构管理员")
    MEMBER = "member", _("成员")
    BROKER = "broker", _("技术经纪人")
    WINDOW_CLERK = "window_clerk", _("窗口工作人员")
    OPERATOR = "operator", _("市场运营人员")


# Roles that act for a market (scoped to it and its sub-markets) rather than for an organization.
MARKET_SCOPED_ROLES = (Role.WINDOW_CLERK, Role.OPERATOR)
# Roles that may write their organization's listings.
LISTING_EDITOR_ROLES = (Role.ORG_ADMIN, Role.MEMBER)
