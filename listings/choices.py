from django.db import models
from django.utils.translation import gettext_lazy as _


class ListingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    REJECTED = "rejected", _("已退回")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已关闭")
    EXPIRED = "expired", _("已过期")


class TechField(models.TextChoices):
    """The 8 national high-tech fields (国家重点支持的高新技术领域)."""

    ELECTRONIC_INFORMATION = "electronic_information", _("电子信息")
    BIO_MEDICINE = "bio_medicine", _("生物与新医药")
    AEROSPACE = "aerospace", _("航空航天")
    NEW_MATERIALS = "new_materials", _("新材料")
    HIGH_TECH_SERVICES = "high_tech_services", _("高技术服务")
    NEW_ENERGY = "new_energy", _("新能源与节能")
    RESOURCES_ENVIRONMENT = "resources_environment", _("资源与环境")
    ADVANCED_MANUFACTURING = "advanced_manufacturing", _("先进制造与自动化")


class Industry(models.TextChoices):
    """Sections of the national industry classification (国民经济行业分类, GB/T 4754-2017)."""

    A = "A", _("农、林、牧、渔业")
    B = "B", _("采矿业")
    C = "C", _("制造业")
    D = "D", _("电力、热力、燃气及水生产和供应业")
    E = "E", _("建筑业")
    F = "F", _("批发和零售业")
    G = "G", _("交通运输、仓储和邮政业")
    H = "H", _("住宿和餐饮业")
    I = "I", _("信息传输、软件和信息技术服务业")  # noqa: E741
    J = "J", _("金融业")
    K = "K", _("房地产业")
    L = "L", _("租赁和商务服务业")
    M = "M", _("科学研究和技术服务业")
    N = "N", _("水利、环境和公共设施管理业")
    O = "O", _("居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("教育")
    Q = "Q", _("卫生和社会工作")
    R = "R", _("文化、体育和娱乐业")
    S = "S", _("公共管理、社会保障和社会组织")
    T = "T", _("国际组织")


class CooperationMode(models.TextChoices):
    """How a technology changes hands: an achievement's transfer modes (转化方式) and a
    demand's acceptable cooperation modes (合作方式)."""

    TRANSFER = "transfer", _("转让")
    LICENSE = "license", _("许可")
    EQUITY = "equity", _("作价入股")
    JOINT_DEVELOPMENT = "joint_development", _("合作开发")
    SERVICE = "service", _("技术服务")


class MaturityStage(models.TextChoices):
    """The stage names people use next to TRL (技术就绪水平)."""

    LAB = "lab", _("实验室")
    SMALL_PILOT = "small_pilot", _("小试")
    PILOT = "pilot", _("中试")
    INDUSTRIAL = "industrial", _("产业化")


# The TRL a stage stands for when only the stage is given, and the stage a TRL falls in.
STAGE_TRL = {
    MaturityStage.LAB: 3,
    MaturityStage.SMALL_PILOT: 5,
    MaturityStage.PILOT: 6,
    MaturityStage.INDUSTRIAL: 8,
}


def stage_for_trl(trl: int) -> str:
    if trl <= 3:
        return MaturityStage.LAB
    if trl <= 5:
        return MaturityStage.SMALL_PILOT
    if trl <= 7:
        return MaturityStage.PILOT
    return MaturityStage.INDUSTRIAL


class IPKind(models.TextChoices):
    INVENTION_PATENT = "invention_patent", _("发明专利")
    UTILITY_MODEL = "utility_model", _("实用新型专利")
    DESIGN_PATENT = "design_patent", _("外观设计专利")
    SOFTWARE_COPYRIGHT = "software_copyright", _("软件著作权")
    KNOW_HOW = "know_how", _("技术秘密")
    OTHER = "other", _("其他")


PATENT_KINDS = (IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL, IPKind.DESIGN_PATENT)


class IPStatus(models.TextChoices):
    PENDING = "pending", _("申请中")
    GRANTED = "granted", _("已授权")
    REGISTERED = "registered", _("已登记")
    LAPSED = "lapsed", _("已失效")
    NOT_APPLICABLE = "na", _("不适用")
