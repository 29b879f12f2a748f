from django.db import models
from django.utils.translation import gettext_lazy as _


class MatchStatus(models.TextChoices):
    """What the people on a match did with it: the feedback the market measures."""

    SUGGESTED = "suggested", _("已推荐")
    VIEWED = "viewed", _("已查看")
    DISMISSED = "dismissed", _("已忽略")
    CONTACTED = "contacted", _("已联系")
    DEAL = "deal", _("已成交")


class DismissReason(models.TextChoices):
    """Why a match was not worth acting on; the reasons tell operators what to fix."""

    IRRELEVANT = "irrelevant", _("技术不相关")
    IMMATURE = "immature", _("成熟度不够")
    PRICE = "price", _("价格不合适")
    MODES = "modes", _("合作方式不合适")
    REGION = "region", _("地域不合适")
    ALREADY_KNOWN = "known", _("已经了解或已在洽谈")
    OTHER = "other", _("其他")
