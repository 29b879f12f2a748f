"""Stored matches (供需匹配), their feedback, and what operators and owners tune.

The ranking itself lives in the ORM-free core (`matching.engine`); these tables keep its
results, so pages read matches instead of computing them, and keep what people did with
them, so the market can measure which matches are acted on.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from market import permissions
from matching.choices import DismissReason, MatchStatus
from matching.engine.weights import Weights

BOUNDS = Weights.bounds()
DEFAULTS = Weights()


def _weight_field(name: str, label):
    low, high = BOUNDS[name]
    return models.FloatField(
        label,
        default=getattr(DEFAULTS, name),
        validators=[MinValueValidator(low), MaxValueValidator(high)],
        help_text=_("取值范围 %(low)s – %(high)s") % {"low": low, "high": high},
    )


class MatchSettings(models.Model):
    """One market's matching weights (匹配权重), tuned by its operators within the engine's
    bounds. A market without its own settings uses its parent's, then the defaults.

    A demand's matches are ranked with the weights of the demand's market."""

    market = models.OneToOneField(
        "market.Market",
        verbose_name=_("市场"),
        on_delete=models.CASCADE,
        related_name="match_settings",
    )
    text = _weight_field("text", _("文本相关度"))
    field = _weight_field("field", _("技术领域一致"))
    industry = _weight_field("industry", _("行业一致"))
    maturity = _weight_field("maturity", _("成熟度满足"))
    price = _weight_field("price", _("价格在预算内"))
    modes = _weight_field("modes", _("合作方式相符"))
    region = _weight_field("region", _("同一地区"))
    freshness = _weight_field("freshness", _("发布时间新"))
    freshness_half_life_days = _weight_field("freshness_half_life_days", _("新鲜度半衰期（天）"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    WEIGHT_FIELDS = tuple(BOUNDS)

    class Meta:
        verbose_name = _("匹配权重")
        verbose_name_plural = _("匹配权重")

    def __str__(self):
        return str(self.market)

    def weights(self) -> Weights:
        return Weights(**{name: getattr(self, name) for name in self.WEIGHT_FIELDS})


def may_act_for_listing(kind: str, listing, user) -> bool:
    """Whether `user` acts for this listing's side of its matches: a demand's editors, its
    operators and its assigned broker; an achievement's editors."""
    if user is None or not user.is_authenticated:
        return False
    if permissions.is_org_editor(user, listing.owner_id):
        return True
    if kind != "demand":
        return False
    if permissions.is_market_operator(user, listing.market_id):
        return True
    return listing.assignments.filter(active=True, broker__user=user).exists()


def may_give_feedback(match: Match, user) -> bool:
    """Either side's editors, the demand's assigned broker, and the demand's operators."""
    return may_act_for_listing("demand", match.demand, user) or may_act_for_listing(
        "achievement", match.achievement, user
    )


class Match(ConcurrentTransitionMixin, models.Model):
    """One technology achievement proposed for one technology demand (匹配推荐), with the
    engine's score and explanation, and what people did with it.

    The score is the pair's: the demand ranks the achievement, with the weights of the
    demand's market. A demand's list holds its best achievements (`demand_rank` 1..k); an
    achievement's list holds its best demands by the same score (`achievement_rank`
    1..k), so an achievement in a crowded field, in no demand's top k, still sees the
    demands it could serve. A pair on neither list is deleted if nobody acted on it, and
    kept (ranks cleared) once it has feedback: feedback is history the market measures.
    """

    demand = models.ForeignKey(
        "listings.Demand",
        verbose_name=_("技术需求"),
        on_delete=models.CASCADE,
        related_name="matches",
    )
    achievement = models.ForeignKey(
        "listings.Achievement",
        verbose_name=_("科技成果"),
        on_delete=models.CASCADE,
        related_name="matches",
    )
    # The demand's market: feedback is measured per market, without a join per row.
    market = models.ForeignKey(
        "market.Market", verbose_name=_("市场"), on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(_("匹配分"))
    demand_rank = models.PositiveSmallIntegerField(_("在需求的推荐中排名"), null=True)
    achievement_rank = models.PositiveSmallIntegerField(_("在成果的推荐中排名"), null=True)
    explanation = models.JSONField(_("匹配理由"), default=dict)
    status = FSMField(
        _("状态"), max_length=12, choices=MatchStatus.choices, default=MatchStatus.SUGGESTED
    )
    dismiss_reason = models.CharField(
        _("忽略原因"), max_length=12, choices=DismissReason.choices, blank=True
    )
    dismiss_note = models.CharField(_("补充说明"), max_length=300, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移除人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dismissed_at = models.DateTimeField(_("移除时间"), null=True, blank=True)
    # Not auto_now_add: a rematch that rewrites a row keeps when it was first suggested.
    created_at = models.DateTimeField(_("推荐时间"), default=timezone.now)
    computed_at = models.DateTimeField(_("计算时间"))
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("匹配推荐")
        verbose_name_plural = _("匹配推荐")
        constraints = [
            models.UniqueConstraint(fields=["demand", "achievement"], name="match_unique_pair")
        ]
        indexes = [
            models.Index(fields=["demand", "demand_rank"], name="match_demand_list"),
            models.Index(fields=["achievement", "-score"], name="match_achievement_list"),
            models.Index(fields=["achievement", "achievement_rank"], name="match_achievement_rank"),
            models.Index(fields=["market", "status"], name="match_market_status"),
        ]

    def __str__(self):
        return f"{self.demand} ↔ {self.achievement}"

    @transition(
        field=status,
        source=MatchStatus.SUGGESTED,
        target=MatchStatus.VIEWED,
        permission=may_give_feedback,
        custom={"label": _("查看")},
    )
    def view(self):
        """Someone who can act on the match opened it."""

    @transition(
        field=status,
        source=[MatchStatus.SUGGESTED, MatchStatus.VIEWED],
        target=MatchStatus.DISMISSED,
        permission=may_give_feedback,
        custom={"label": _("忽略")},
    )
    def dismiss(self):
        """Not worth acting on; the reason is stored beside it."""

    @transition(
        field=status,
        source=MatchStatus.DISMISSED,
        target=MatchStatus.VIEWED,
        permission=may_give_feedback,
        custom={"label": _("恢复")},
    )
    def restore(self):
        """Dismissed by mistake."""

    @transition(
        field=status,
        source=[MatchStatus.SUGGESTED, MatchStatus.VIEWED],
        target=MatchStatus.CONTACTED,
        permission=may_give_feedback,
        custom={"label": _("标记已联系")},
    )
    def contact(self):
        """One side reached out to the other."""

    # The deal owns "deal": brokers.services.deals opens a deal and the match follows it.
    # No permission here: the deal service has checked who may open it.
    @transition(
        field=status,
        source=[
            MatchStatus.SUGGESTED,
            MatchStatus.VIEWED,
            MatchStatus.CONTACTED,
            MatchStatus.DISMISSED,
        ],
        target=MatchStatus.DEAL,
        custom={"label": _("标记已成交")},
    )
    def follow_deal(self):
        """A deal was opened on this match (the deal pipeline takes it from here)."""

    @transition(
        field=status,
        source=MatchStatus.DEAL,
        target=MatchStatus.CONTACTED,
        custom={"label": _("交易流失")},
    )
    def follow_lost_deal(self):
        """The match's deal was lost: the parties were in contact, nothing more."""


class MatchPreference(models.Model):
    """How one person wants to hear about new matches (匹配提醒设置)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_preference"
    )
    notify_threshold = models.FloatField(
        _("提醒阈值"),
        default=0.6,
        validators=[MinValueValidator(0.0), MaxValueValidator(2.0)],
        help_text=_("新匹配的匹配分达到此值时发送站内提醒"),
    )
    daily_digest = models.BooleanField(_("每日邮件摘要"), default=True)
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("匹配提醒设置")
        verbose_name_plural = _("匹配提醒设置")

    def __str__(self):
        return str(self.user)
