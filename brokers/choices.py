from django.db import models
from django.utils.translation import gettext_lazy as _


class BrokerGrade(models.TextChoices):
    JUNIOR = "junior", _("初级")
    INTERMEDIATE = "intermediate", _("中级")
    SENIOR = "senior", _("高级")


class MessageSide(models.TextChoices):
    """Who wrote a message in a demand's thread: the demand's owner or its broker."""

    OWNER = "owner", _("需求方")
    BROKER = "broker", _("技术经纪人")


class InstitutionLevel(models.TextChoices):
    """A technology transfer institution's demonstration status (示范机构)."""

    NONE = "", _("无")
    PROVINCIAL = "provincial", _("省级技术转移示范机构")
    NATIONAL = "national", _("国家技术转移示范机构")


class DealStage(models.TextChoices):
    """A deal's stage (交易阶段). The order of the members is the pipeline's order."""

    LEAD = "lead", _("线索")
    CONTACTED = "contacted", _("对接")
    NEGOTIATION = "negotiation", _("洽谈")
    NOTICE = "notice", _("公示")
    SIGNED = "signed", _("签约")
    REGISTERED = "registered", _("认定登记")
    PERFORMED = "performed", _("履约")
    CLOSED = "closed", _("已完成")
    LOST = "lost", _("已流失")


# The stages a deal is still moving through; the board shows one column each.
OPEN_DEAL_STAGES = (
    DealStage.LEAD,
    DealStage.CONTACTED,
    DealStage.NEGOTIATION,
    DealStage.NOTICE,
    DealStage.SIGNED,
    DealStage.REGISTERED,
    DealStage.PERFORMED,
)


class TradeMode(models.TextChoices):
    """How the technology is traded (交易方式)."""

    NEGOTIATED = "negotiated", _("协议定价")
    NEGOTIATED_NOTICE = "negotiated_notice", _("协议定价（公示）")
    BIDDING = "bidding", _("挂牌竞价")


class DealSource(models.TextChoices):
    """What opened the deal."""

    MATCH = "match", _("匹配推荐")
    LEAD = "lead", _("经纪人线索")
    EVENT = "event", _("对接活动")
    BIDDING = "bidding", _("挂牌竞价")


class LostReason(models.TextChoices):
    """Why a deal ended without a contract (流失原因)."""

    PRICE = "price", _("价格未谈拢")
    TECH_FIT = "tech_fit", _("技术不匹配")
    BUYER_WITHDREW = "buyer_withdrew", _("需求方放弃")
    SELLER_WITHDREW = "seller_withdrew", _("成果方放弃")
    COMPETITOR = "competitor", _("选择了其他方案")
    FUNDING = "funding", _("资金未落实")
    OBJECTION = "objection", _("公示异议成立")
    REGISTRATION_REFUSED = "registration_refused", _("认定登记未通过")
    OTHER = "other", _("其他")


class DocumentKind(models.TextChoices):
    CONTRACT = "contract", _("合同文本")
    MINUTES = "minutes", _("会议纪要")
    INVOICE = "invoice", _("发票")
    PROOF = "proof", _("证明材料")
    OTHER = "other", _("其他")


class ContractType(models.TextChoices):
    """The technology contract types (四技合同) of 《技术合同认定规则》."""

    DEVELOPMENT_COMMISSIONED = "dev_commissioned", _("技术开发（委托）")
    DEVELOPMENT_COOPERATIVE = "dev_cooperative", _("技术开发（合作）")
    TRANSFER_PATENT = "transfer_patent", _("技术转让（专利权）")
    TRANSFER_PATENT_APPLICATION = "transfer_patent_app", _("技术转让（专利申请权）")
    TRANSFER_PATENT_LICENCE = "transfer_licence", _("技术转让（专利实施许可）")
    TRANSFER_KNOW_HOW = "transfer_know_how", _("技术转让（技术秘密）")
    CONSULTING = "consulting", _("技术咨询")
    SERVICE = "service", _("技术服务")
    SERVICE_TRAINING = "service_training", _("技术服务（技术培训）")
    SERVICE_INTERMEDIARY = "service_intermediary", _("技术服务（技术中介）")


class RegistrationStatus(models.TextChoices):
    """Where a contract's registration (技术合同认定登记) stands."""

    DRAFT = "draft", _("未申请")
    APPLIED = "applied", _("已申请")
    RETURNED = "returned", _("退回补正")
    ACCEPTED = "accepted", _("已受理")
    REGISTERED = "registered", _("已登记")
    REFUSED = "refused", _("不予登记")


class RefusalGround(models.TextChoices):
    """Why a registry refuses a contract (《技术合同认定登记管理办法》)."""

    INVALID = "invalid", _("合同无效")
    NOT_TECHNOLOGY = "not_technology", _("不属于技术合同")
    UNCLEAR = "unclear", _("当事人、标的、价款或报酬不明确")
    APPROVAL_MISSING = "approval_missing", _("缺少必要的审批文件")
    NAME_MISMATCH = "name_mismatch", _("合同名称与权利义务不符")
    MONOPOLY = "monopoly", _("含有非法垄断技术的条款")
    PROOFS_MISSING = "proofs_missing", _("缺少证明材料")
    SEALS_MISMATCH = "seals_mismatch", _("印章与当事人不符")


class PaymentPurpose(models.TextChoices):
    DEPOSIT = "deposit", _("竞价保证金")
    SERVICE_FEE = "service_fee", _("技术经纪服务费")


class CommissionBasis(models.TextChoices):
    """What a commission rule's rate applies to, and so when it books (计提基数)."""

    CONTRACT = "contract", _("合同成交额（签约时计提）")
    SERVICE_FEE = "service_fee", _("技术经纪服务费（每笔到账时计提）")


class CommissionLevel(models.TextChoices):
    """How specific a commission rule is; the most specific one wins."""

    BROKER = "broker", _("经纪人")
    INSTITUTION = "institution", _("技术转移机构")
    CONTRACT_TYPE = "contract_type", _("合同类型")
    DEFAULT = "default", _("默认")


class CommissionLineKind(models.TextChoices):
    """Why a ledger line (佣金台账) was written."""

    SIGNING = "signing", _("签约计提")
    PAYMENT = "payment", _("服务费到账计提")
    REVERSAL = "reversal", _("冲正")


class NonTechnicalCost(models.TextChoices):
    """The non-technical parts of a contract's price that the income assessment form
    (技术性收入核定表) takes off the contract amount to leave the technology transaction amount."""

    EQUIPMENT = "equipment", _("设备、仪器")
    MATERIALS = "materials", _("原材料、零部件")
    CONSTRUCTION = "construction", _("土建、安装工程")
    GOODS = "goods", _("产品、样品销售")
    OTHER = "other", _("其他非技术性费用")


class LotStatus(models.TextChoices):
    """Where a lot for bidding (挂牌项目) stands."""

    LISTED = "listed", _("挂牌中")
    SOLD = "sold", _("已成交")
    UNSOLD = "unsold", _("流拍")


# django-payments labels its statuses in English only; the market shows these.
PAYMENT_STATUS_LABELS = {
    "waiting": _("待支付"),
    "input": _("待支付"),
    "preauth": _("已预授权"),
    "confirmed": _("已支付"),
    "rejected": _("支付未成功"),
    "refunded": _("已退款"),
    "error": _("支付出错"),
}
