"""The five window service standards the province publishes, as data, modelled on the
regional standards for technology markets (DB34/T 3897-2021, DB37/T 4741-2024)."""

import datetime

from django.db import migrations

EFFECTIVE = datetime.date(2026, 1, 1)
BASIS = "DB34/T 3897-2021；DB37/T 4741-2024"

# (action, guidance, role, limit, unit, counted from, evidence, mandatory, complaint step)
STANDARDS = [
    {
        "code": "TM/CK-01",
        "title": "窗口接待服务规范",
        "service": "reception",
        "scope": "适用于一站式合作窗口对来访、来电和预约服务对象的接待，落实首问负责、"
        "一次性告知和限时办结。",
        "items": [
            ("首问接待：登记服务对象及来访事项", "首位接待人员为首问责任人，不得推诿。",
             "clerk", 1, "hours", "opening", "text", True, ""),
            ("一次性告知所需材料和办理流程", "将所需材料、办理流程和时限一次性书面告知。",
             "clerk", 2, "hours", "previous", "text", True, ""),
            ("受理或转办：确定承办窗口和经办人", "不属本窗口职责的，转办并告知服务对象。",
             "clerk", 1, "working_days", "previous", "text", True, ""),
            ("告知服务对象办理结果", "", "clerk", 3, "working_days", "opening", "text", True, ""),
            ("服务对象确认办结", "由服务对象本人通过确认链接或确认码确认。",
             "requester", 2, "working_days", "previous", "confirmation", True, ""),
            ("邀请服务对象评价", "", "clerk", 1, "working_days", "previous", "none", False, ""),
        ],
    },
    {
        "code": "TM/CK-02",
        "title": "技术合同认定登记服务规范",
        "service": "contract_registration",
        "scope": "适用于技术开发、技术转让、技术咨询和技术服务合同在窗口的认定登记服务。",
        "items": [
            ("接收登记申请及合同文本", "核对合同文本、申请表及附件份数。",
             "clerk", 4, "hours", "opening", "file", True, ""),
            ("形式审查：合同要件、签章与附件齐全", "", "clerk", 1, "working_days",
             "previous", "text", True, ""),
            ("材料不全的一次性告知补正", "需补正的，一次性告知全部补正内容。",
             "clerk", 1, "working_days", "previous", "text", False, ""),
            ("技术性收入核定（技术性收入核定表）", "核定技术交易额，不得超过合同成交额。",
             "clerk", 3, "working_days", "previous", "file", True, ""),
            ("认定登记并出具登记证明", "", "clerk", 10, "working_days", "opening",
             "file", True, ""),
            ("申请人确认领取登记证明", "", "requester", 2, "working_days", "previous",
             "confirmation", True, ""),
        ],
    },
    {
        "code": "TM/PJ-03",
        "title": "科技成果评价服务规范",
        "service": "evaluation",
        "scope": "适用于窗口受理的科技成果评价委托，从受理到出具评价报告。",
        "items": [
            ("受理评价申请，核对成果材料", "", "clerk", 1, "working_days", "opening",
             "file", True, ""),
            ("签订评价委托协议", "", "clerk", 3, "working_days", "previous", "file", True, ""),
            ("遴选评价专家并进行回避审查", "专家与委托方存在利害关系的应当回避。",
             "operator", 5, "working_days", "previous", "text", True, ""),
            ("组织专家评价（会议评价或函审）", "", "operator", 10, "working_days",
             "previous", "file", True, ""),
            ("出具科技成果评价报告", "", "operator", 5, "working_days", "previous",
             "file", True, ""),
            ("委托方确认收到评价报告", "", "requester", 3, "working_days", "previous",
             "confirmation", True, ""),
        ],
    },
    {
        "code": "TM/JY-04",
        "title": "技术交易（挂牌与转让）服务规范",
        "service": "trading",
        "scope": "适用于科技成果挂牌、协议转让和挂牌竞价交易在窗口的服务。",
        "items": [
            ("受理挂牌申请，核验权属证明", "核验专利证书、权利人同意转让的决定等。",
             "clerk", 1, "working_days", "opening", "file", True, ""),
            ("审核并发布挂牌信息", "", "operator", 3, "working_days", "previous",
             "text", True, ""),
            ("匹配并推荐意向受让方", "", "broker", 5, "working_days", "previous",
             "text", True, ""),
            ("组织交易双方洽谈", "", "broker", 10, "working_days", "previous", "text", True, ""),
            ("协议定价的成果名称和拟交易价格公示", "高校、科研院所协议定价的，签约前公示。",
             "operator", 2, "working_days", "previous", "text", False, ""),
            ("交易结果确认", "", "requester", 3, "working_days", "previous",
             "confirmation", True, ""),
        ],
    },
    {
        "code": "TM/TS-05",
        "title": "投诉处理服务规范",
        "service": "complaint",
        "scope": "适用于对服务窗口、技术经纪人和成果需求信息的投诉，从受理到答复、办结。",
        "items": [
            ("登记投诉并告知查询码", "匿名投诉同样登记，查询码是投诉人查询进度的唯一凭据。",
             "clerk", 2, "hours", "opening", "text", True, ""),
            ("启动调查处理", "", "operator", 2, "working_days", "opening", "text", True,
             "handling"),
            ("调查核实，听取被投诉方说明", "", "operator", 5, "working_days", "previous",
             "text", True, ""),
            ("书面答复投诉人", "答复应说明调查结果和处理措施。", "operator", 10,
             "working_days", "opening", "text", True, "answered"),
            ("回访投诉人对答复的评价", "", "clerk", 3, "working_days", "previous",
             "confirmation", False, ""),
        ],
    },
]


def ship(apps, schema_editor):
    ServiceStandard = apps.get_model("windows", "ServiceStandard")
    StandardItem = apps.get_model("windows", "StandardItem")
    for spec in STANDARDS:
        standard, created = ServiceStandard.objects.get_or_create(
            code=spec["code"],
            version=1,
            defaults={
                "title": spec["title"],
                "service": spec["service"],
                "scope": spec["scope"],
                "basis": BASIS,
                "effective_date": EFFECTIVE,
                "status": "in_force",
                "change_note": "首次发布。",
            },
        )
        if not created:
            continue
        for order, item in enumerate(spec["items"]):
            action, guidance, role, amount, unit, counted, evidence, mandatory, step = item
            StandardItem.objects.create(
                standard=standard,
                sort_order=order,
                action=action,
                guidance=guidance,
                role=role,
                limit_amount=amount,
                limit_unit=unit,
                counted_from=counted,
                evidence=evidence,
                mandatory=mandatory,
                complaint_step=step,
            )


class Migration(migrations.Migration):
    dependencies = [("windows", "0004_standards_cases_complaints")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
