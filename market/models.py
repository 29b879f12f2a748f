"""The market network: markets (1 main + N sub-markets), organizations, people and roles."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from market.choices import (
    MARKET_SCOPED_ROLES,
    MarketKind,
    OrganizationKind,
    OrganizationStatus,
    Role,
)
from market.regions import region_full_name
from market.validators import normalize_credit_code, validate_credit_code, validate_region_code


class User(AbstractUser):
    """A person who signs in: an inventor, an enterprise staffer, a broker, a clerk, an operator."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.name or self.get_full_name() or self.username


class Market(models.Model):
    """A technology market (技术市场): the main market or one of its sub-markets (分市场).

    The province runs a "1+N" network: one main market and N sub-markets, each with a
    one-stop cooperation window (一站式合作窗口).
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=MarketKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级市场"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_markets",
    )
    region_code = models.CharField(
        _("地区代码"),
        max_length=6,
        validators=[validate_region_code],
        help_text=_("6位行政区划代码"),
    )
    description = models.TextField(_("简介"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("技术市场")
        verbose_name_plural = _("技术市场")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(kind="main"), name="one_main_market"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="main", parent__isnull=True)
                | models.Q(kind="sub", parent__isnull=False),
                name="sub_market_has_parent",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_main(self) -> bool:
        return self.kind == MarketKind.MAIN

    def covered_market_ids(self) -> list[int]:
        """This market and, for the main market, every sub-market: what its operators oversee."""
        if self.is_main:
            return list(Market.objects.values_list("id", flat=True))
        return [self.pk]


class Organization(models.Model):
    """An organization in the market: a university (高校), research institute (科研院所),
    enterprise (企业), technology transfer institution (技术转移机构) or market operator."""

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=30, choices=OrganizationKind.choices)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    market = models.ForeignKey(
        Market, verbose_name=_("所属市场"), on_delete=models.PROTECT, related_name="organizations"
    )
    region_code = models.CharField(_("地区代码"), max_length=6, validators=[validate_region_code])
    address = models.CharField(_("地址"), max_length=200, blank=True)
    website = models.URLField(_("网站"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    description = models.TextField(_("简介"), blank=True)
    # Organizations that sign themselves up start pending; the operator of their market approves
    # them before they may submit listings. Everything made by operators, imports and the demo
    # is approved from the start, hence the default.
    status = FSMField(
        _("审核状态"),
        max_length=20,
        choices=OrganizationStatus.choices,
        default=OrganizationStatus.APPROVED,
        db_index=True,
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_reason = models.TextField(_("审核意见"), blank=True)
    # From the sign-up form: a second send of the same form finds the first one's organization.
    signup_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        self.credit_code = normalize_credit_code(self.credit_code)

    @property
    def region_name(self) -> str:
        """The region's full name: 湖北省武汉市洪山区 for 420111."""
        return region_full_name(self.region_code) or self.region_code

    @property
    def is_approved(self) -> bool:
        return self.status == OrganizationStatus.APPROVED

    # The review of a self-registered organization, by an operator of its market.

    def may_review(self, user) -> bool:
        from market.permissions import is_market_operator

        return is_market_operator(user, self.market_id)

    @transition(
        field=status,
        source=OrganizationStatus.PENDING,
        target=OrganizationStatus.APPROVED,
        permission=may_review,
    )
    def approve(self):
        pass

    @transition(
        field=status,
        source=OrganizationStatus.PENDING,
        target=OrganizationStatus.REJECTED,
        permission=may_review,
    )
    def reject(self):
        pass


class Membership(models.Model):
    """A person's role: in an organization (管理员, 成员, 技术经纪人) or, for window clerks
    and market operators, in a market and — for the main market — its sub-markets."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    market = models.ForeignKey(
        Market,
        verbose_name=_("负责市场"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="staff",
        help_text=_("窗口工作人员和市场运营人员所负责的市场"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("成员角色")
        verbose_name_plural = _("成员角色")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="unique_membership_role"
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=[r.value for r in MARKET_SCOPED_ROLES])
                | models.Q(market__isnull=False),
                name="market_role_has_market",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


def fsm_transition_label(model: type[models.Model], name: str) -> str:
    """The label a model gives one of its transitions, @transition(custom={"label": ...})."""
    meta = getattr(getattr(model, name, None), "_django_fsm", None)
    for fsm_transition in meta.transitions.values() if meta else ():
        if "label" in fsm_transition.custom:
            return str(fsm_transition.custom["label"])
    return ""


def state_label(model: type[models.Model] | None, state: str, field: str | None = None) -> str:
    """A lifecycle state in words ("已提交" for "submitted"), from the state field's choices:
    `field`, or the model's own state field (its FSMField) when not named."""
    if model is None:
        return state
    if field is None:
        field = next(
            (f.name for f in model._meta.get_fields() if isinstance(f, FSMField)), "status"
        )
    try:
        choices = dict(model._meta.get_field(field).flatchoices)
    except FieldDoesNotExist:
        choices = {}
    return str(choices.get(state, state))


class TransitionLog(models.Model):
    """One state change of anything with a lifecycle (listings, deals, cases): who, when,
    from, to, and why (全过程记录)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(_("操作"), max_length=50)
    from_state = models.CharField(_("原状态"), max_length=30)
    to_state = models.CharField(_("新状态"), max_length=30)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("原因"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("状态变更记录")
        verbose_name_plural = _("状态变更记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.from_state_label} → {self.to_state_label}"

    @property
    def from_state_label(self) -> str:
        return state_label(self.content_type.model_class(), self.from_state)

    @property
    def to_state_label(self) -> str:
        return state_label(self.content_type.model_class(), self.to_state)


class Notification(models.Model):
    """An in-app message to one person (站内通知): reminders, review results, new matches.

    Some announce work for the recipient (a demand to answer); `done_at` is set when that
    work is done, so the notice stops asking for attention and leaves the unread count."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    verb = models.CharField(max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title
