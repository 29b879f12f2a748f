"""The windows' fixed vocabularies: what a standard's items say, and where cases, ratings,
appointments and complaints stand."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WindowService(models.TextChoices):
    """The services a one-stop window offers, each worked to its own service standard."""

    RECEPTION = "reception", _("窗口接待")
    CONTRACT_REGISTRATION = "contract_registration", _("技术合同认定登记")
    EVALUATION = "evaluation", _("科技成果评价")
    TRADING = "trading", _("技术交易（挂牌与转让）")
    COMPLAINT = "complaint", _("投诉处理")


class StandardStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_FORCE = "in_force", _("现行有效")
    RETIRED = "retired", _("已废止")


class ItemRole(models.TextChoices):
    """Who does a checklist item."""

    CLERK = "clerk", _("窗口工作人员")
    BROKER = "broker", _("技术经纪人")
    OPERATOR = "operator", _("市场运营人员")
    REQUESTER = "requester", _("服务对象")


class LimitUnit(models.TextChoices):
    HOURS = "hours", _("工作小时")
    WORKING_DAYS = "working_days", _("工作日")


class CountedFrom(models.TextChoices):
    OPENING = "opening", _("自受理起")
    PREVIOUS = "previous", _("自上一项完成起")


class EvidenceKind(models.TextChoices):
    FILE = "file", _("文件")
    TEXT = "text", _("文字记录")
    CONFIRMATION = "confirmation", _("服务对象确认")
    NONE = "none", _("无需佐证")


class CaseState(models.TextChoices):
    OPEN = "open", _("办理中")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


class RatingLevel(models.IntegerChoices):
    """好差评: five levels. 不满意 or worse opens a mandatory follow-up (整改)."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIR = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


# A rating at or below this level must be followed up (整改) and the requester visited again.
FOLLOW_UP_AT_OR_BELOW = RatingLevel.DISSATISFIED


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CANCELLED = "cancelled", _("已取消")
    SERVED = "served", _("已受理")
    NO_SHOW = "no_show", _("未到")


class ComplaintSubject(models.TextChoices):
    WINDOW = "window", _("服务窗口")
    BROKER = "broker", _("技术经纪人")
    LISTING = "listing", _("成果或需求信息")


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("已受理")
    HANDLING = "handling", _("处理中")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")
