"""Technology achievements (科技成果, supply) and technology demands (技术需求).

Both follow one lifecycle: draft → submitted → published (after an operator's review) →
closed or expired. The transitions, and who may take each, are declared once on
`Listing` below and applied through `listings.services`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from listings.choices import (
    STAGE_TRL,
    CooperationMode,
    Industry,
    IPKind,
    IPStatus,
    ListingStatus,
    MaturityStage,
    TechField,
    stage_for_trl,
)
from listings.locations import listing_url
from listings.validators import normalize_patent_number, validate_patent_number
from market import permissions
from market.regions import region_full_name
from market.validators import validate_region_code

# Long enough for a few pages of principle, advantages and figures; anything longer belongs in
# an attachment. Without a cap one listing could carry megabytes into every page and index.
LONG_TEXT_MAX_LENGTH = 5000


def long_text(verbose_name, **kwargs) -> models.TextField:
    """A text field of a listing, capped at LONG_TEXT_MAX_LENGTH characters."""
    return models.TextField(
        verbose_name,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(LONG_TEXT_MAX_LENGTH)],
        error_messages={
            "max_length": _(
                "不能超过 %(limit_value)d 字，现在有 %(show_value)d 字。"
                "请精简，细节可以放在附件中。"
            )
        },
        **kwargs,
    )


def may_edit(listing: Listing, user) -> bool:
    return permissions.is_org_editor(user, listing.owner_id)


def may_review(listing: Listing, user) -> bool:
    return permissions.is_market_operator(user, listing.market_id)


def may_close(listing: Listing, user) -> bool:
    return may_edit(listing, user) or may_review(listing, user)


def system_only(listing: Listing, user) -> bool:
    return user is None


class Mode(models.Model):
    """A cooperation mode as a row, so listings can be filtered by mode on any database."""

    code = models.CharField(max_length=30, choices=CooperationMode.choices, unique=True)

    class Meta:
        verbose_name = _("合作方式")
        verbose_name_plural = _("合作方式")
        ordering = ["id"]

    def __str__(self):
        return str(self.get_code_display())


class Listing(ConcurrentTransitionMixin, models.Model):
    """What achievements and demands share: text, classification, place, owner, lifecycle."""

    title = models.CharField(_("标题"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=500, blank=True)
    description = long_text(_("详细描述"))
    field = models.CharField(_("技术领域"), max_length=30, choices=TechField.choices, db_index=True)
    industry = models.CharField(_("所属行业"), max_length=1, choices=Industry.choices, blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    region_code = models.CharField(_("地区代码"), max_length=6, validators=[validate_region_code])
    market = models.ForeignKey(
        "market.Market", verbose_name=_("所属市场"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        "market.Organization",
        verbose_name=_("发布机构"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    ref = models.CharField(
        _("编号"),
        max_length=64,
        blank=True,
        help_text=_("机构自己的编号；再次导入同一编号会被识别为重复"),
    )
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    status = FSMField(
        _("状态"),
        max_length=20,
        choices=ListingStatus.choices,
        default=ListingStatus.DRAFT,
        db_index=True,
    )
    review_reason = models.TextField(_("审核意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True, db_index=True)
    expiry_reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Indexed: the matching worker asks for what changed since its last look.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        """Its public page: routed under its index page on the site (the router cms
        registers), else the plain detail view."""
        return listing_url(self._meta.model_name, self.pk)

    # The lifecycle. Each transition names the states it leaves from and who may take it.

    @transition(
        field=status,
        source=[ListingStatus.DRAFT, ListingStatus.REJECTED],
        target=ListingStatus.SUBMITTED,
        permission=may_edit,
    )
    def submit(self):
        pass

    @transition(
        field=status,
        source=ListingStatus.SUBMITTED,
        target=ListingStatus.PUBLISHED,
        permission=may_review,
    )
    def approve(self):
        pass

    @transition(
        field=status,
        source=ListingStatus.SUBMITTED,
        target=ListingStatus.REJECTED,
        permission=may_review,
    )
    def reject(self):
        pass

    @transition(
        field=status,
        source=[ListingStatus.PUBLISHED, ListingStatus.EXPIRED],
        target=ListingStatus.PUBLISHED,
        permission=may_edit,
    )
    def renew(self):
        pass

    @transition(
        field=status,
        source=ListingStatus.PUBLISHED,
        target=ListingStatus.EXPIRED,
        permission=system_only,
    )
    def expire(self):
        pass

    @transition(
        field=status,
        source=[
            ListingStatus.DRAFT,
            ListingStatus.SUBMITTED,
            ListingStatus.REJECTED,
            ListingStatus.PUBLISHED,
            ListingStatus.EXPIRED,
        ],
        target=ListingStatus.CLOSED,
        permission=may_close,
    )
    def close(self):
        pass

    @transition(
        field=status, source=ListingStatus.CLOSED, target=ListingStatus.DRAFT, permission=may_edit
    )
    def reopen(self):
        pass

    EDITABLE_STATES = (
        ListingStatus.DRAFT,
        ListingStatus.REJECTED,
        ListingStatus.PUBLISHED,
        ListingStatus.EXPIRED,
    )
    MODES_FIELD: str

    @classmethod
    def modes_relation(cls) -> str:
        return cls.MODES_FIELD

    @property
    def modes(self):
        return getattr(self, self.MODES_FIELD)

    @property
    def region_name(self) -> str:
        """The region's full name: 湖北省武汉市洪山区 for 420111."""
        return region_full_name(self.region_code) or self.region_code

    @property
    def is_public(self) -> bool:
        return self.status == ListingStatus.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATES

    def clean(self):
        super().clean()
        if isinstance(self.keywords, str):
            self.keywords = split_keywords(self.keywords)
        if not isinstance(self.keywords, list) or not all(
            isinstance(k, str) for k in self.keywords
        ):
            raise ValidationError({"keywords": _("关键词应为文字列表。")})
        self.keywords = [k.strip() for k in self.keywords if k.strip()][:20]
        if any(len(k) > 30 for k in self.keywords):
            raise ValidationError({"keywords": _("每个关键词不超过30个字。")})
        if self.owner_id and self.market_id is None:
            self.market_id = self.owner.market_id


def split_keywords(text: str) -> list[str]:
    """Keywords as people type them: separated by commas, enumeration commas, semicolons
    or spaces, in half or full width."""
    import re

    return [k for k in re.split(r"[,，、;；\s]+", text or "") if k]


class Achievement(Listing):
    """A technology achievement (科技成果) a university, institute or enterprise offers."""

    MODES_FIELD = "transfer_modes"

    trl = models.PositiveSmallIntegerField(
        _("技术就绪水平（TRL）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1–9；或填写成熟度阶段"),
    )
    maturity = models.CharField(
        _("成熟度阶段"), max_length=20, choices=MaturityStage.choices, blank=True
    )
    transfer_modes = models.ManyToManyField(Mode, verbose_name=_("转化方式"), related_name="+")
    price_negotiable = models.BooleanField(_("面议"), default=False)
    asking_price = models.DecimalField(
        _("转让价格（万元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    inventors = models.CharField(_("发明人"), max_length=200, blank=True)
    advantage = long_text(
        _("量化优势"), blank=True, help_text=_("与现有技术相比的量化指标，例如能耗降低30%")
    )
    economics = long_text(_("经济效益"), blank=True, help_text=_("投资、成本、预期收益"))
    attachments = GenericRelation("listings.Attachment")

    class Meta:
        verbose_name = _("科技成果")
        verbose_name_plural = _("科技成果")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "ref"],
                condition=~models.Q(ref=""),
                name="achievement_unique_ref",
            ),
        ]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def clean(self):
        super().clean()
        if self.trl is None and not self.maturity:
            raise ValidationError({"trl": _("请填写技术就绪水平（TRL 1–9）或成熟度阶段。")})
        if self.trl is None:
            self.trl = STAGE_TRL[self.maturity]
        if not self.maturity:
            self.maturity = stage_for_trl(self.trl)
        if self.price_negotiable:
            self.asking_price = None
        elif self.asking_price is None:
            raise ValidationError(
                {
                    "asking_price": ValidationError(
                        _("请填写转让价格（万元），或勾选“面议”。"), code="price_missing"
                    )
                }
            )


class Demand(Listing):
    """A technology demand (技术需求) an enterprise posts: a problem it needs solved."""

    MODES_FIELD = "cooperation_modes"

    expected_outcome = long_text(
        _("预期目标"), help_text=_("希望达到的量化指标，例如良品率提高到99%")
    )
    budget_negotiable = models.BooleanField(_("预算面议"), default=False)
    budget_min = models.DecimalField(
        _("预算下限（万元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    budget_max = models.DecimalField(
        _("预算上限（万元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    required_trl = models.PositiveSmallIntegerField(
        _("最低技术就绪水平"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    cooperation_modes = models.ManyToManyField(
        Mode, verbose_name=_("可接受的合作方式"), related_name="+"
    )
    attachments = GenericRelation("listings.Attachment")

    class Meta:
        verbose_name = _("技术需求")
        verbose_name_plural = _("技术需求")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "ref"], condition=~models.Q(ref=""), name="demand_unique_ref"
            ),
            models.CheckConstraint(
                condition=models.Q(budget_min__isnull=True)
                | models.Q(budget_max__isnull=True)
                | models.Q(budget_min__lte=models.F("budget_max")),
                name="demand_budget_range",
            ),
        ]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def clean(self):
        super().clean()
        if self.budget_negotiable:
            self.budget_min = self.budget_max = None
        elif self.budget_min is None and self.budget_max is None:
            raise ValidationError(
                {
                    "budget_max": ValidationError(
                        _("请填写预算范围（万元），或勾选“预算面议”。"), code="budget_missing"
                    )
                }
            )
        if (
            self.budget_min is not None
            and self.budget_max is not None
            and self.budget_min > self.budget_max
        ):
            raise ValidationError({"budget_max": _("预算上限不能低于下限。")})
        if self.deadline is not None and self._deadline_changed():
            today = timezone.localdate()
            if self.deadline < today:
                raise ValidationError(
                    {
                        "deadline": _("截止日期不能早于今天（%(today)s）。")
                        % {"today": date_format(today, "DATE_FORMAT")}
                    }
                )

    def _deadline_changed(self) -> bool:
        """A deadline that has since passed stays as it was: only a new one must be ahead."""
        if self._state.adding or self.pk is None:
            return True
        stored = Demand.objects.filter(pk=self.pk).values_list("deadline", flat=True).first()
        return stored != self.deadline


class IntellectualProperty(models.Model):
    """A piece of IP behind an achievement: a patent (专利), software copyright (软件著作权)
    or know-how (技术秘密)."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="ip_items")
    kind = models.CharField(_("类型"), max_length=30, choices=IPKind.choices)
    number = models.CharField(_("专利号/登记号"), max_length=40, blank=True)
    title = models.CharField(_("名称"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=IPStatus.choices, default=IPStatus.GRANTED
    )

    class Meta:
        verbose_name = _("知识产权")
        verbose_name_plural = _("知识产权")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}".strip()

    def clean(self):
        from listings.choices import PATENT_KINDS

        if self.kind in PATENT_KINDS:
            if not self.number:
                raise ValidationError({"number": _("专利需要填写专利号。")})
            validate_patent_number(self.number)
            self.number = normalize_patent_number(self.number)


def private_storage():
    """Where attachments live: `STORAGES["private"]`, a directory no URL serves (the media
    route serves `MEDIA_ROOT` only). A callable so a test's settings can swap the backend."""
    return storages["private"]


def attachment_path(instance, filename: str) -> str:
    """A stored name nobody can guess: a fresh uuid4, not the upload's name or its date. The
    person's file name is kept in `original_name` for the download."""
    return f"attachments/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file attached to a listing: a PDF brochure, test report or image. Its type is
    decided by its content, not by its name. It is read only through
    `listings:attachment`, which asks whether the person may see the listing."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    listing = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("文件"), upload_to=attachment_path, storage=private_storage)
    original_name = models.CharField(_("文件名"), max_length=200)
    mime_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("listings:attachment", args=[self.key])


class Interest(models.Model):
    """A signed-in person's expression of interest (对接意向) in a published listing: the first
    step of a lead a broker can take up."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    listing = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interests"
    )
    message = models.TextField(_("留言"), blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("对接意向")
        verbose_name_plural = _("对接意向")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"], name="one_interest_per_user"
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.listing}"
