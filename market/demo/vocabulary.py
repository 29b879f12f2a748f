"""The words the demo market is written in: places, organizations, people's names, technology
themes and the sentence templates the builder fills.

Technology is grouped into themes. A theme keeps together what must agree inside one listing
(a subject, the methods that make sense for it, where it is used, the numbers it improves),
so a generated listing reads as one technology rather than a bag of words. A subject may
narrow the theme's methods and applications when they would not fit it.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- building blocks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Gain:
    """A quantified improvement over existing technology: 能耗降低23%."""

    name: str
    verb: str
    lo: float
    hi: float
    unit: str = "%"


@dataclass(frozen=True)
class Target:
    """An absolute indicator with today's typical value and a good value: 良品率 92% → 99%."""

    name: str
    unit: str
    now: tuple[float, float]
    goal: tuple[float, float]

    @property
    def higher_is_better(self) -> bool:
        return self.goal[0] > self.now[0]


@dataclass(frozen=True)
class Subject:
    """What one achievement is about; empty methods, applications or features fall back to
    the theme's."""

    name: str
    methods: tuple[str, ...] = ()
    applications: tuple[str, ...] = ()
    features: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """An enterprise's problem as it would tell it: its product, what it needs, and the pain."""

    product: str
    need: str
    pain: str


@dataclass(frozen=True)
class Theme:
    key: str
    field: str  # a listings.choices.TechField value
    industry: str  # a listings.choices.Industry value
    kind: str  # picks title, stage and economics templates
    subjects: tuple[Subject, ...]
    methods: tuple[str, ...]
    features: tuple[str, ...]
    applications: tuple[str, ...]
    weaknesses: tuple[str, ...]
    gains: tuple[Gain, ...]
    targets: tuple[Target, ...]
    scenarios: tuple[Scenario, ...]
    keywords: tuple[str, ...]
    unit: str  # what capacity or sales are counted in
    scale: tuple[int, int]  # a plausible range of capacity or sales in `unit`
    suffixes: tuple[str, ...] = ()  # completes an activity subject into a thing: 检测 + 系统

    def methods_for(self, subject: Subject) -> tuple[str, ...]:
        return subject.methods or self.methods

    def applications_for(self, subject: Subject) -> tuple[str, ...]:
        return subject.applications or self.applications

    def features_for(self, subject: Subject) -> tuple[str, ...]:
        return subject.features or self.features


def S(
    name: str, m: tuple[str, ...] = (), a: tuple[str, ...] = (), f: tuple[str, ...] = ()
) -> Subject:
    return Subject(name, m, a, f)


def G(name: str, verb: str, lo: float, hi: float, unit: str = "%") -> Gain:
    return Gain(name, verb, lo, hi, unit)


def T(name: str, unit: str, now_lo: float, now_hi: float, goal_lo: float, goal_hi: float) -> Target:
    return Target(name, unit, (now_lo, now_hi), (goal_lo, goal_hi))


def Sc(product: str, need: str, pain: str) -> Scenario:
    return Scenario(product, need, pain)


# -- places ------------------------------------------------------------------------------

PROVINCE = "湖北"
PROVINCE_CODE = "420000"


# Road names found in most Chinese cities: a real road would sit in the wrong district.
ROADS = ("创业路", "科技路", "工业大道", "高新一路", "兴业路", "振兴大道", "学府路", "创新大道",
         "产业园路", "发展大道")  # fmt: skip


@dataclass(frozen=True)
class City:
    name: str
    code: str
    area_code: str
    districts: tuple[tuple[str, str], ...]
    roads: tuple[str, ...]


CITIES = {
    "420100": City(
        "武汉", "420100", "027",
        (
            ("420102", "江岸区"), ("420103", "江汉区"), ("420104", "硚口区"),
            ("420105", "汉阳区"), ("420106", "武昌区"), ("420107", "青山区"),
            ("420111", "洪山区"), ("420112", "东西湖区"), ("420115", "江夏区"),
            ("420116", "黄陂区"),
        ),
        ROADS,
    ),
    "420600": City(
        "襄阳", "420600", "0710",
        (("420602", "襄城区"), ("420606", "樊城区"), ("420607", "襄州区"),
         ("420683", "枣阳市"), ("420684", "宜城市")),
        ROADS,
    ),
    "420500": City(
        "宜昌", "420500", "0717",
        (("420502", "西陵区"), ("420503", "伍家岗区"), ("420504", "点军区"),
         ("420506", "夷陵区"), ("420581", "宜都市"), ("420583", "枝江市")),
        ROADS,
    ),
    "420200": City(
        "黄石", "420200", "0714",
        (("420202", "黄石港区"), ("420203", "西塞山区"), ("420204", "下陆区"),
         ("420205", "铁山区"), ("420281", "大冶市")),
        ROADS,
    ),
    "421000": City(
        "荆州", "421000", "0716",
        (("421002", "沙市区"), ("421003", "荆州区"), ("421081", "石首市"),
         ("421087", "松滋市")),
        ROADS,
    ),
    "420300": City(
        "十堰", "420300", "0719",
        (("420302", "茅箭区"), ("420303", "张湾区"), ("420304", "郧阳区"),
         ("420381", "丹江口市")),
        ROADS,
    ),
}  # fmt: skip


def city_of(region_code: str) -> City:
    return CITIES[region_code[:4] + "00"]


def district_name(region_code: str) -> str:
    return dict(city_of(region_code).districts)[region_code]


# -- the market network ------------------------------------------------------------------

MAIN_MARKET = {
    "code": "hubei",
    "name": "湖北省技术市场",
    "region_code": PROVINCE_CODE,
    "description": (
        "湖北省技术市场是全省技术交易的主平台，按照“1+N”模式与各地分市场协同运营，"
        "提供成果发布、需求征集、技术经纪、对接活动和技术合同认定登记等一站式服务。"
    ),
}

# code, name, city, the city's leading industries
SUB_MARKETS = (
    ("wuhan", "武汉分市场", "420100", "光电子信息、生物医药和智能制造"),
    ("xiangyang", "襄阳分市场", "420600", "新能源汽车、装备制造和农产品加工"),
    ("yichang", "宜昌分市场", "420500", "精细化工、生物医药和清洁能源"),
    ("huangshi", "黄石分市场", "420200", "冶金材料、电子元器件和节能环保"),
    ("jingzhou", "荆州分市场", "421000", "现代农业、石油装备和纺织化工"),
    ("shiyan", "十堰分市场", "420300", "商用车及零部件、绿色食品和生态环保"),
)

WINDOW_BUILDINGS = (
    "科技服务大厦1楼",
    "科技成果转化中心一楼大厅",
    "市民之家3楼科技服务专区",
    "政务服务中心2楼",
    "创新创业服务中心1楼",
)

WINDOW_HOURS = (
    "周一至周五 8:30-12:00, 14:00-17:30；周六预约服务",
    "周一至周五 9:00-12:00, 14:30-18:00；午间及周六可预约延时服务",
    "周一至周五 8:30-12:00, 14:30-17:30；周六预约服务，法定节假日除外",
)

# Every window offers the first five; the rest vary by window.
WINDOW_SERVICES = (
    "成果登记",
    "需求发布",
    "技术合同认定登记咨询",
    "技术评估",
    "知识产权服务",
    "技术经纪人对接",
    "科技成果评价",
    "对接活动报名",
    "科技政策咨询",
    "投融资对接",
    "高新技术企业认定辅导",
)

# -- organizations -----------------------------------------------------------------------

# name, district, themes it works in, how much it publishes (a relative weight)
UNIVERSITIES = (
    ("江汉理工大学", "420111", ("nm_cathode", "nm_light_alloy", "am_machining", "ne_hydrogen"), 6),
    (
        "楚天科技大学",
        "420106",
        ("ei_ai", "am_vision", "am_smart_factory", "ei_security", "hs_ip"),
        6,
    ),
    ("荆楚医科大学", "420103", ("bm_drug", "bm_tcm", "bm_device", "bm_ivd"), 5),
    ("光谷信息工程大学", "420111", ("ei_optical_comm", "ei_fiber_sensing", "ei_sensor"), 5),
    ("湖北农林科技大学", "420111", ("bm_microbial", "bm_rice", "bm_livestock"), 5),
    ("长江资源环境大学", "420115", ("re_water", "re_remediation", "re_mining"), 4),
    ("汉阳化工学院", "420105", ("nm_coating", "nm_biodegradable", "re_solid"), 4),
    ("湖北电力大学", "420106", ("ne_grid", "ne_storage", "ne_pv"), 4),
    ("江城航空学院", "420116", ("as_parts", "as_mro", "as_drone"), 3),
    ("汉江理工学院", "420606", ("ne_ev", "am_robot", "am_machining"), 4),
    ("襄樊工程学院", "420602", ("am_agri_machinery", "nm_engineering_plastic", "hs_simulation"), 3),
    ("西陵理工学院", "420502", ("ne_saving", "re_water", "re_solid"), 4),
    ("夷陵医学院", "420503", ("bm_tcm", "bm_ivd"), 3),
    ("磁湖理工学院", "420202", ("nm_light_alloy", "am_laser", "re_mining"), 4),
    ("荆江大学", "421003", ("bm_rice", "re_remediation", "ei_iot"), 4),
    ("武当工业学院", "420302", ("ne_ev", "nm_composite", "am_robot"), 4),
)

INSTITUTES = (
    (
        "湖北省先进材料研究院",
        "420111",
        ("nm_ceramics", "nm_composite", "nm_cathode", "hs_testing"),
        4,
    ),
    ("湖北省智能制造技术研究院", "420111", ("am_robot", "am_smart_factory", "am_laser"), 4),
    ("湖北省生物医药工业研究院", "420112", ("bm_drug", "bm_tcm", "bm_ivd"), 4),
    ("湖北省现代农业研究院", "421002", ("bm_rice", "bm_microbial", "bm_livestock"), 4),
    ("宜昌水电新能源研究所", "420506", ("ne_grid", "ne_hydrogen", "ne_storage"), 3),
    ("襄阳汽车技术研究院", "420606", ("ne_ev", "nm_engineering_plastic", "am_vision"), 3),
    ("黄石矿冶环保研究院", "420204", ("re_mining", "re_air", "re_solid", "hs_testing"), 3),
    ("湖北省空天信息研究院", "420111", ("as_remote_sensing", "as_drone", "ei_power_semi"), 3),
)

# name, district, first two characters of its credit code, fields its brokers know best
TRANSFER_INSTITUTIONS = (
    ("湖北楚科技术转移有限公司", "420106", "91", ("new_materials", "advanced_manufacturing")),
    ("武汉东湖技术转移服务中心", "420111", "12", ("electronic_information", "bio_medicine")),
    ("江汉理工大学技术转移中心", "420111", "12", ("new_materials", "new_energy")),
    ("湖北省知识产权运营中心有限公司", "420103", "91", ("high_tech_services", "bio_medicine")),
    ("襄阳市技术转移中心", "420606", "12", ("advanced_manufacturing", "new_energy")),
    ("汉江科技成果转化服务有限公司", "420607", "91", ("advanced_manufacturing", "aerospace")),
    ("宜昌三峡技术转移服务中心", "420502", "12", ("resources_environment", "new_energy")),
    ("黄石科技成果转化服务中心", "420202", "12", ("new_materials", "resources_environment")),
    ("荆州市科技成果转化中心", "421002", "12", ("bio_medicine", "resources_environment")),
    ("十堰车城技术转移有限公司", "420302", "91", ("new_energy", "advanced_manufacturing")),
)

OPERATOR_ORGANIZATION = ("湖北省技术市场管理服务中心", "420106")


# How many enterprises each city has, and the themes its industry leans to.
@dataclass(frozen=True)
class Profile:
    """An industry an enterprise is in. It posts the demands of every scenario whose
    product is one of `products`, and the service demands (testing, IP, simulation) any
    company of its kind has."""

    key: str
    business: tuple[str, ...]  # goes into company names: 武汉华创{光电科技}有限公司
    main: str  # what the company says it makes: 我司主营{光通信器件和显示模组}
    short: str  # the product named in its service demands
    products: tuple[str, ...]
    services: tuple[str, ...]  # keys of the high-tech-service themes it may ask for


MANUFACTURING_SERVICES = ("hs_testing", "hs_ip", "hs_simulation")

PROFILES = (
    Profile(
        "auto", ("汽车零部件", "汽车部件", "汽车电子"), "汽车零部件和电驱系统", "汽车零部件",
        ("汽车零部件", "汽车压铸件", "摩托车零部件", "汽车空调", "电机", "专用车", "汽车电子",
         "电机控制器", "汽车零部件涂装", "电池包结构件", "车载电子"),
        MANUFACTURING_SERVICES,
    ),
    Profile(
        "battery", ("新能源科技", "锂电科技", "储能科技"), "锂电池材料和储能产品", "锂电池",
        ("锂电池正极材料", "动力电池电芯", "三元前驱体", "储能电池", "储能系统集成",
         "梯次利用电池", "工商业储能", "动力电池模组", "再生资源"),
        MANUFACTURING_SERVICES,
    ),
    Profile(
        "machinery", ("机械", "重工", "装备制造"), "工程机械和通用机械", "机械产品",
        ("工程机械结构件", "非标钢结构", "压力容器", "机械加工", "液压阀体", "精密模具",
         "精密壳体", "机械制造", "工业阀门", "压铸模具", "钢结构件", "轨道交通内饰件",
         "风电叶片", "输变电设备", "工业防腐涂料"),
        MANUFACTURING_SERVICES,
    ),
    Profile(
        "optoelectronics", ("光电科技", "光电子", "光通信"), "光通信器件和显示模组", "光电子器件",
        ("光模块", "光器件", "光纤光缆", "显示模组", "触控屏", "电子陶瓷", "电子元器件"),
        MANUFACTURING_SERVICES,
    ),
    Profile(
        "electronics", ("电子科技", "仪表", "电气"), "传感器、仪表和电源产品", "电子产品",
        ("压力变送器", "智能燃气表", "电源产品", "光伏逆变器", "通信散热器"),
        MANUFACTURING_SERVICES,
    ),
    Profile(
        "chemicals", ("化工", "新材料", "化学"), "精细化工和磷化工产品", "化工产品",
        ("精细化工", "磷化工", "改性塑料粒子", "生物发酵", "工业气体", "塑料包装制品",
         "一次性餐具", "农用地膜"),
        ("hs_testing", "hs_ip"),
    ),
    Profile(
        "metallurgy", ("钢铁", "冶金", "建材"), "钢材、铝材和建材产品", "金属材料",
        ("钢铁", "冷轧钢材", "铝合金型材", "玻璃制品", "建筑陶瓷", "工业窑炉配件",
         "陶瓷结构件"),
        ("hs_testing", "hs_ip"),
    ),
    Profile(
        "mining", ("矿业", "矿产", "资源"), "磷矿和有色金属采选", "矿产品",
        ("磷矿", "有色金属矿山", "选矿", "矿山开采", "煤矿液压支架"),
        ("hs_ip",),
    ),
    Profile(
        "pharma", ("药业", "制药", "生物医药"), "中成药和化学药品", "药品",
        ("中成药", "口服固体制剂", "化学原料药", "中药饮片"),
        ("hs_ip",),
    ),
    Profile(
        "medical", ("医疗科技", "医疗器械", "生物技术"), "医疗器械和体外诊断试剂", "医疗器械",
        ("医用耗材", "医疗器械", "康复设备", "体外诊断试剂", "第三方医学检验", "食品检测服务"),
        ("hs_testing", "hs_ip"),
    ),
    Profile(
        "agriculture", ("农业科技", "农业发展", "生态农业"), "粮食和特色农产品种植加工",
        "农产品",
        ("水稻种植", "再生稻种植", "农机", "稻米加工", "稻虾综合种养", "蔬菜种植", "有机肥",
         "柑橘种植", "植保服务", "冷链物流"),
        ("hs_ip",),
    ),
    Profile(
        "livestock", ("牧业", "水产", "饲料"), "生猪、水产养殖和饲料", "饲料",
        ("生猪养殖", "小龙虾养殖", "饲料", "水产养殖"),
        ("hs_ip",),
    ),
    Profile(
        "power", ("电力", "电力工程", "能源"), "配售电和电力工程", "电力工程",
        ("农村供电", "产业园区运营", "售电服务", "电力", "电力工程", "配电运维", "电力运维",
         "油气储运"),
        ("hs_ip",),
    ),
    Profile(
        "clean_energy", ("新能源", "光伏科技", "氢能科技"), "光伏组件和氢能装备", "光伏组件",
        ("光伏组件", "光伏电池片", "光伏电站运营", "燃料电池系统", "燃料电池零部件"),
        MANUFACTURING_SERVICES,
    ),
    Profile(
        "software", ("信息技术", "软件", "数据科技"), "行业软件和信息化服务", "软件产品",
        ("客服外包", "法律服务", "软件开发", "政企信息化", "医疗信息化", "软件外包",
         "测绘地理信息", "农业保险", "地质勘查", "桥梁养护"),
        ("hs_ip",),
    ),
    Profile(
        "utilities", ("环境", "水务", "环保"), "城乡供水、污水处理和环境治理", "环保工程",
        ("城市供水", "乡镇污水处理运营", "城市环卫", "生态修复工程", "水环境治理"),
        ("hs_ip",),
    ),
    Profile(
        "aviation", ("航空科技", "航空工业", "航空"), "航空零部件和航空维修", "航空零部件",
        ("航空零部件", "精密锻件", "航空复材零件", "航空零件", "航空维修", "机载设备",
         "通航运营", "无人机整机"),
        MANUFACTURING_SERVICES,
    ),
    Profile(
        "consumer", ("家居", "轻工", "纺织"), "家电、家具和纺织产品", "家电产品",
        ("五金卫浴", "实木家具", "家电注塑件", "体育器材", "食品加工", "纺织印染", "印染"),
        MANUFACTURING_SERVICES,
    ),
)  # fmt: skip

PROFILES_BY_KEY = {profile.key: profile for profile in PROFILES}

# How many enterprises each city has, and the industries they are in (used in turn).
CITY_ENTERPRISES = {
    "420100": (18, ("optoelectronics", "software", "medical", "pharma", "battery", "auto",
                    "electronics", "aviation", "utilities", "power", "clean_energy",
                    "consumer")),
    "420600": (9, ("auto", "machinery", "agriculture", "battery", "consumer", "aviation")),
    "420500": (8, ("chemicals", "pharma", "clean_energy", "power", "utilities", "mining")),
    "420200": (6, ("metallurgy", "mining", "machinery", "electronics", "optoelectronics")),
    "421000": (5, ("agriculture", "livestock", "chemicals", "utilities", "consumer")),
    "420300": (4, ("auto", "machinery", "utilities", "agriculture")),
}  # fmt: skip

ENTERPRISE_BRANDS = (
    "华创", "恒远", "楚信", "汉兴", "鼎诚", "中锐", "天翔", "博远", "瑞丰", "凯润", "宏图",
    "荆瑞", "安达", "长盛", "万泽", "联创", "金瑞", "晟达", "嘉禾", "德锐", "光宇", "海纳",
    "钜丰", "正元", "泰和", "隆兴", "鑫源", "华瑞", "和盛", "远航", "启明", "同创", "奥新",
    "辰光", "恒信", "众邦", "锦程", "中拓", "楚韵", "江润", "睿达", "昊天", "宏泰", "汉普",
    "九畴", "楚能", "明德", "三川", "沃土", "科越", "峰岚", "弘毅", "思远", "天禾", "骏鹏",
)  # fmt: skip

ENTERPRISE_TYPES = (
    "民营企业",
    "国家高新技术企业",
    "省级专精特新企业",
    "国有控股企业",
    "中外合资企业",
)

# -- people ------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃戴莫孔向汤"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉健俊帆晨阳琳雪"
    "宁浩宇欣怡嘉瑞凯文博涵睿哲思远航峰毅诚斌斐楠婷颖慧晶晓旭波海亮立新志红春秋梅兰松林"
    "珂卓昊天然朗清泉"
)

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "177", "180", "181", "186", "187", "188", "189", "199",
)  # fmt: skip

# -- listing texts: achievements ---------------------------------------------------------

TITLE_TEMPLATES = {
    "material": (
        "一种{object}的制备方法",
        "{object}及其制备方法",
        "{adj}{object}的制备技术",
        "基于{method}的{object}制备工艺",
        "用于{application}的{object}",
        "{object}{method}规模化制备技术",
        "{object}的{feature}技术",
        "{application}用{adj}{object}关键制备技术",
    ),
    "device": (
        "一种{thing}",
        "{adj}{thing}",
        "基于{method}的{thing}",
        "用于{application}的{thing}",
        "{thing}及其{feature}方法",
        "{thing}的{feature}技术",
        "一种基于{feature}的{thing}",
    ),
    "software": (
        "基于{method}的{thing}",
        "面向{application}的{thing}",
        "{application}{thing}",
        "一种基于{method}的{object}方法",
        "{object}关键技术及{suffix}",
        "融合{feature}的{thing}",
        "{adj}{thing}",
    ),
    "process": (
        "{thing}",
        "基于{method}的{thing}",
        "{application}{thing}",
        "一种{object}方法",
        "{object}{feature}关键技术",
        "{object}的{method}{suffix}",
        "{adj}{thing}",
    ),
    "pharma": (
        "一种{object}及其制备方法",
        "{object}的制备工艺",
        "{object}及其在{application}中的应用",
        "基于{method}的{object}开发",
        "{object}的{feature}技术",
        "一种{object}的{feature}方法",
    ),
    "agri": (
        "一种{object}及其制备方法",
        "{object}及其在{application}中的应用",
        "{object}{method}生产技术",
        "基于{feature}的{object}",
        "一种{object}的{feature}方法",
        "{adj}{object}的研制与应用",
    ),
    "breeding": (
        "{adj}{object}选育及配套栽培技术",
        "利用{method}技术选育的{adj}{object}",
        "{adj}{object}{feature}技术",
        "{adj}{object}的选育与应用",
        "{object}{method}技术体系",
    ),
    "service": (
        "{thing}",
        "面向{application}的{thing}",
        "基于{method}的{thing}",
        "{application}{object}一站式服务",
        "{object}能力建设与{suffix}",
    ),
}

ADJECTIVES = {
    "material": ("高性能", "低成本", "长寿命", "高稳定性", "绿色低碳"),
    "device": ("高效", "智能", "轻量化", "低成本", "高可靠性", "模块化"),
    "software": ("智能", "一体化", "云边协同", "自主可控"),
    "process": ("低成本", "高效", "绿色", "节能型"),
    "pharma": ("新型", "高效", "低毒"),
    "agri": ("高效", "复合", "绿色"),
    "breeding": ("高产优质", "抗稻瘟病", "耐高温", "早熟", "优质食味", "多抗"),
    "service": ("一站式", "全流程", "数字化"),
}

BACKGROUNDS = (
    "在{application}领域，{weakness}的问题长期存在。",
    "当前{application}领域普遍面临{weakness}等难题。",
    "{application}是我省重点发展的方向，但{weakness}的问题制约了产业升级。",
    "现有技术{weakness}，难以满足{application}的实际需要。",
    "随着{application}需求快速增长，{weakness}的问题日益突出。",
)

APPROACHES = (
    "本成果由{team}研发，采用{method}，通过{feature}和{feature2}，{claim}。",
    "{team}经过{years}年攻关，提出了{method}与{feature}相结合的技术路线，{claim}。",
    "{team}在{feature}方面积累了系列原创成果，在此基础上开发了{thing}，{claim}。",
    "该技术以{method}为核心，重点突破了{feature}、{feature2}等关键技术，{claim}。",
    "项目由{team}完成，围绕{feature}和{feature2}开展系统研究，采用{method}，{claim}。",
)

CLAIMS = (
    "有效解决了上述问题",
    "显著提升了产品的综合性能",
    "实现了关键指标的稳定控制",
    "大幅降低了生产和使用成本",
    "形成了具有自主知识产权的成套技术",
    "整体技术达到国内先进水平",
)

RESULTS = (
    "经{tester}检测，{gain1}，{gain2}。",
    "与国内外同类技术相比，{gain1}，{gain2}，{gain3}。",
    "测试结果表明，{gain1}，{gain2}。",
    "在{application}场景的应用验证表明，{gain1}，{gain2}。",
    "主要技术指标：{target}；{gain1}。",
)

TESTERS = ("第三方检测机构", "省级产品质量监督检验机构", "国家级质检中心", "用户单位")

APPLICATION_SENTENCES = (
    "可广泛应用于{app1}、{app2}等领域，市场前景广阔。",
    "适用于{app1}和{app2}，也可推广到相关行业。",
    "主要面向{app1}市场，省内相关企业超过{n}家，需求旺盛。",
    "成果在{app1}领域具有较强的替代进口潜力。",
)

COOPERATION_SENTENCES = (
    "拟以{modes}方式转化，欢迎有意向的企业洽谈。",
    "现寻求{modes}合作，团队可提供技术培训和现场指导。",
    "希望与有产业化能力的企业以{modes}方式合作，共同推进成果落地。",
    "可以{modes}方式与企业合作，具体条件面议。",
)

SUMMARIES = (
    "采用{method}，{gain1}，{gain2}，适用于{app1}。",
    "{thing}：{gain1}、{gain2}，目前已{stage_done}。",
    "针对{weakness}的问题，本成果{gain1}，{gain2}。",
    "面向{app1}，基于{method}开发，{gain1}，已{stage_done}。",
    "{team_short}研发的{thing}，{gain1}，可用于{app1}、{app2}等领域。",
)

STAGE_DONE = {
    "lab": "完成实验室验证",
    "small_pilot": "完成小试",
    "pilot": "完成中试",
    "industrial": "实现产业化应用",
}

ADVANTAGES = (
    "与现有技术相比：{gain1}；{gain2}；{gain3}。",
    "1. {gain1}；2. {gain2}；3. {target}。",
    "{gain1}，{gain2}，{gain3}，综合成本优势明显。",
)

STAGE_SENTENCES = {
    "material": {
        "lab": (
            "目前已完成实验室制备与性能验证，累计制备样品{n}批次，关键指标稳定。",
            "目前处于实验室研究阶段，配方与工艺路线已经打通。",
        ),
        "small_pilot": (
            "已完成公斤级小试，连续{n}批次产品性能一致性良好，具备放大条件。",
            "已完成小试工艺定型，正在进行放大试验设计。",
        ),
        "pilot": (
            "已在{city}建成年产{cap}的中试线，产品已送{n}家下游企业试用。",
            "已完成中试验证，中试产品经{n}家用户试用反馈良好。",
        ),
        "industrial": (
            "已实现产业化，建成年产{cap}的生产线，产品批量供应{n}家客户。",
            "已在合作企业实现规模化生产，累计销售收入超过{rev}万元。",
        ),
    },
    "device": {
        "lab": (
            "已完成原理样机研制和实验室测试，各项功能达到设计要求。",
            "已完成关键部件设计与仿真验证，正在试制原理样机。",
        ),
        "small_pilot": (
            "已完成工程样机，实验室连续运行{hours}小时无故障。",
            "工程样机已通过第三方性能测试。",
        ),
        "pilot": (
            "样机已在{n}家企业开展现场试用，运行稳定。",
            "已完成小批量试制，在{city}的用户现场累计运行{m}个月。",
        ),
        "industrial": (
            "产品已定型并批量生产，累计销售{cap}。",
            "已形成系列化产品，在{n}家企业推广应用，用户反馈良好。",
        ),
    },
    "software": {
        "lab": (
            "已完成核心算法研究和原型系统开发。",
            "核心算法已在公开数据集和企业样本上完成验证。",
        ),
        "small_pilot": (
            "原型系统已完成实验室环境测试，具备试点条件。",
            "已完成系统开发和内部测试，正在选择试点单位。",
        ),
        "pilot": (
            "系统已在{n}家单位试点应用，稳定运行{m}个月以上。",
            "已在{city}开展试点部署，用户验收意见良好。",
        ),
        "industrial": (
            "已形成标准化产品，在{n}家单位推广部署。",
            "已在省内外{n}家单位上线运行，累计部署{cap}。",
        ),
    },
    "process": {
        "lab": (
            "已完成实验室试验，工艺路线打通，关键参数已初步确定。",
            "实验室小型装置连续运行{m}周，处理效果稳定。",
        ),
        "small_pilot": (
            "已完成小试，确定了关键工艺参数，具备中试条件。",
            "小试装置已连续稳定运行{m}个月。",
        ),
        "pilot": (
            "已建成规模为{cap}的中试（示范）装置，连续稳定运行{m}个月。",
            "已在{city}建成示范工程，并通过第三方验收监测。",
        ),
        "industrial": (
            "已在{n}家企业实现工程化应用，最大单套规模{cap}。",
            "已完成工程化推广，累计实施项目{n}项。",
        ),
    },
    "pharma": {
        "lab": (
            "已完成先导化合物筛选与体外活性评价。",
            "已完成处方前研究和体外药效学评价。",
        ),
        "small_pilot": (
            "已完成小试工艺研究及主要药效学、安全性评价。",
            "已完成工艺小试，杂质谱研究基本完成。",
        ),
        "pilot": (
            "已完成中试放大，制备了{n}批中试样品，正在开展注册检验。",
            "已完成中试生产和稳定性考察，正在准备注册申报资料。",
        ),
        "industrial": (
            "已取得注册证书并实现生产，年销售额约{rev}万元。",
            "产品已上市销售，进入{n}个省份的医院采购目录。",
        ),
    },
    "agri": {
        "lab": (
            "已完成室内筛选与盆栽试验，效果稳定。",
            "已完成实验室研究和小规模验证。",
        ),
        "small_pilot": (
            "已完成小区试验，连续{years}年表现稳定。",
            "已完成多点小区试验，结果一致性好。",
        ),
        "pilot": (
            "已在{city}等地建立示范基地{cap}，经专家现场测产验收。",
            "已在{n}个县市开展示范，示范面积{cap}。",
        ),
        "industrial": (
            "已在全省累计推广{cap}，新增经济效益{rev}万元。",
            "已实现规模化推广，覆盖{n}个县市。",
        ),
    },
    "service": {
        "pilot": ("已为{n}家企业提供试点服务，形成了标准化工作流程。",),
        "industrial": (
            "已累计为{cap}提供服务，客户复购率超过{pct}%。",
            "服务已覆盖全省{n}个市州，形成了标准化工作流程。",
        ),
    },
}
STAGE_SENTENCES["breeding"] = STAGE_SENTENCES["agri"]

ECONOMICS = {
    "material": (
        "建设年产{cap}生产线约需投资{inv}万元，达产后年产值约{rev}万元，年利润约{profit}万元，"
        "投资回收期约{payback}年。",
        "产品原料成本约为进口同类产品的{ratio}%，按年产{cap}测算，可实现年销售收入{rev}万元。",
        "产业化总投资约{inv}万元，其中设备投资约占{ratio}%，预计年新增利税{profit}万元。",
    ),
    "process": (
        "项目实施约需投资{inv}万元，与现有工艺相比每年可节约运行成本{save}万元，"
        "投资回收期约{payback}年。",
        "以{cap}规模计，工程投资约{inv}万元，年节约费用约{save}万元。",
    ),
    "device": (
        "单台（套）制造成本约{unit_cost}万元，预计市场售价{price}万元左右，毛利率约{margin}%。",
        "用户投资约{price}万元，节省的人工和能耗可在{payback}年内收回成本。",
        "规模化生产后，预计年销售{cap}，实现销售收入{rev}万元。",
    ),
    "software": (
        "单套系统部署费用约{price}万元，年运维费约{om}万元，可为用户每年节约成本{save}万元以上。",
        "按每年推广{n}家用户计，可实现软件及服务收入约{rev}万元。",
    ),
    "pharma": (
        "后续临床研究及注册约需投入{inv}万元，预计上市后年销售额可达{rev}万元。",
        "产业化投资约{inv}万元，达产后年产值约{rev}万元，毛利率{margin}%以上。",
    ),
    "agri": (
        "每亩可节本增收{per_mu}元以上，推广{cap}可新增经济效益约{rev}万元。",
        "产品生产成本约为同类产品的{ratio}%，按年推广{cap}计，年新增效益约{rev}万元。",
    ),
    "service": (
        "单项服务收费{price_lo}-{price}万元，可为企业节约相关费用{pct}%以上。",
        "年服务能力约{cap}，预计年服务收入{rev}万元。",
    ),
}
ECONOMICS["breeding"] = ECONOMICS["agri"]

# -- listing texts: demands --------------------------------------------------------------

DEMAND_TITLES = (
    "{need}技术需求",
    "{product}{need}技术攻关",
    "寻求{need}技术合作",
    "{product}{need}合作开发",
    "征集{need}技术方案",
    "急需{need}技术",
    "{product}企业{need}需求",
)

DEMAND_SUMMARIES = (
    "{product}企业寻求{need}技术，目标是{target}。",
    "希望在{need}方面找到成熟技术，{target}。",
    "主营{main}，急需{need}方面的技术支持，预算{budget}。",
)

DEMAND_INTROS = (
    "我们公司在{city}，主要做{main}，{size}。",
    "我司主营{main}，{size}。",
    "公司成立于{year}年，主要经营{main}，{size}。",
    "我们是一家做{main}的{ent_type}，{size}。",
)

# People put their problem in different words; these vary how a pain is told.
PAIN_LEADS = ("", "", "目前", "说实话，", "最头疼的是，", "眼下")
PAIN_TAILS = ("", "", "，一直没找到好办法", "，这个问题困扰我们好几年了", "，领导很着急")

DEMAND_SIZES = (
    "年产值{value}亿元左右",
    "员工{staff}多人",
    "年营业收入约{value}亿元",
    "年销售额{value}亿元上下",
    "产品主要供应省内外{n}家客户",
)

DEMAND_CONSEQUENCES = (
    "这个问题每年给我们造成的损失在{loss}万元以上。",
    "客户已经提出来了，再解决不了可能会丢订单。",
    "这已经成了我们扩产的瓶颈。",
    "现在只能靠加人、加班硬扛，不是长久之计。",
    "同行里已经有企业在做了，我们再不跟上就被动了。",
)

DEMAND_ATTEMPTS = (
    "之前也找过设备厂家，报价要{quote}万元，而且不保证效果。",
    "我们自己的技术人员琢磨了一年多，效果不明显。",
    "也了解过进口方案，价格太高，售后也跟不上。",
    "前年和一家单位合作过，做到一半就没有下文了。",
    "网上查了不少资料，但具体到我们的工况还是没把握。",
)

DEMAND_EXPERTISE = (
    "希望合作方在{expertise}方面有研究积累或成功案例。",
    "{expertise}等技术路线都可以考虑，关键是要稳定可靠。",
    "听说{expertise}可能是个方向，但我们自己没有这方面的人才。",
)

DEMAND_ASKS = (
    "希望找有研究基础的高校、科研院所或技术团队合作，{modes}。",
    "技术成熟、能尽快在我们这里落地的优先，{modes}。",
    "欢迎有类似案例的团队联系，可以先到现场看看再谈，{modes}。",
)

DEMAND_MODE_PHRASES = (
    "合作方式可以是{modes}",
    "{modes}都可以谈",
    "可以采用{modes}的方式",
)

DEMAND_DELIVERABLES = (
    "在我司现场完成验证，{months}个月内具备推广应用条件",
    "提供完整的工艺文件、操作规程和技术培训",
    "改造投资控制在{capex}万元以内",
    "形成可在公司内部推广复制的技术方案",
    "协助我司通过下游客户的验证审核",
    "连续运行{months}个月无重大故障",
)

# -- review ------------------------------------------------------------------------------

ACHIEVEMENT_REJECTIONS = (
    "量化优势不清楚：请补充与现有技术相比的具体指标（如能耗、成本、效率的对比数据）。",
    "描述过于笼统，请补充技术原理、关键参数和典型应用场景。",
    "请补充知识产权情况（专利号及法律状态），并上传相关证明材料。",
    "经济效益测算缺少依据，请说明投资规模、成本构成和预期收益。",
    "成熟度填写与描述不一致：描述为实验室阶段，请核实技术就绪水平。",
)

DEMAND_REJECTIONS = (
    "预期目标缺少量化指标，请写明希望达到的具体数值。",
    "需求描述过于宽泛，建议拆分为具体的技术问题后分别发布。",
    "预算范围与需求内容差距较大，请核实后重新提交。",
    "请补充企业现有工艺条件和技术基础，便于技术经纪人精准对接。",
)

ACHIEVEMENT_CLOSINGS = (
    "已与企业签订技术转让合同，成果下架",
    "成果已完成转化，不再对外发布",
    "专利许可已达成，暂停对外推广",
)

DEMAND_CLOSINGS = (
    "已与高校团队达成合作，需求关闭",
    "企业内部已解决，需求撤回",
    "项目已立项实施，不再征集方案",
)

# -- organization descriptions -----------------------------------------------------------

UNIVERSITY_DESCRIPTIONS = (
    "{name}是一所以工为主、多学科协调发展的省属高校，在{fields}等方向形成了特色优势，"
    "拥有省部级科研平台{n}个。",
    "{name}长期服务地方产业，在{fields}领域承担国家和省级科研项目{n}项，设有专门的技术转移办公室。",
)
INSTITUTE_DESCRIPTIONS = (
    "{name}是省属科研机构，聚焦{fields}领域的应用研究和成果转化，建有中试基地和公共检测平台。",
    "{name}以行业共性关键技术研发为主，在{fields}方向拥有研发人员{n}余人。",
)
ENTERPRISE_DESCRIPTIONS = (
    "公司成立于{year}年，主要从事{main}的研发、生产和销售，是{ent_type}。",
    "公司专注{main}，拥有省级企业技术中心，产品销往全国{provinces}个省份。",
    "公司是{city}重点培育的{ent_type}，主营{main}，现有员工{staff}余人。",
)
TRANSFER_DESCRIPTIONS = (
    "{name}是省级技术转移示范机构，提供成果评价、技术经纪、对接撮合和技术合同认定登记咨询等服务。",
    "{name}聚焦{fields}领域的成果转化，组织技术经纪人开展全流程对接服务。",
)
OPERATOR_DESCRIPTION = (
    "负责湖北省技术市场的日常运营：成果与需求审核、对接活动组织、窗口服务标准化监督和投诉处置。"
)

# -- technology themes -------------------------------------------------------------------

NM, AM, EI, BM = "new_materials", "advanced_manufacturing", "electronic_information", "bio_medicine"
AS, NE, RE, HS = "aerospace", "new_energy", "resources_environment", "high_tech_services"

THEMES = (
    # 新材料
    Theme(
        key="nm_cathode",
        field=NM,
        industry="C",
        kind="material",
        subjects=(
            S("高镍三元锂离子电池正极材料"),
            S("磷酸锰铁锂正极材料"),
            S("富锂锰基正极材料"),
            S("单晶型三元正极材料"),
            S("钠离子电池层状氧化物正极材料"),
        ),
        methods=("共沉淀法", "高温固相法", "喷雾干燥法", "溶胶-凝胶法"),
        features=("表面包覆", "体相掺杂", "粒径分级控制", "快离子导体包覆", "残碱控制"),
        applications=("动力电池", "储能电站", "电动两轮车", "消费电子电池"),
        weaknesses=(
            "循环寿命短、高温产气严重",
            "首次效率低、压实密度不足",
            "批次一致性差、生产成本高",
        ),
        gains=(
            G("循环寿命", "提高", 30, 80),
            G("首次放电比容量", "提升", 5, 12),
            G("材料成本", "降低", 10, 25),
            G("高温产气量", "减少", 30, 60),
            G("烧结能耗", "降低", 15, 30),
        ),
        targets=(
            T("1000次循环容量保持率", "%", 78, 85, 90, 95),
            T("首次放电比容量", "mAh/g", 185, 195, 205, 215),
        ),
        scenarios=(
            Sc(
                "锂电池正极材料",
                "正极材料批次一致性提升",
                "我们的正极材料批次之间波动大，客户来料检验经常卡在容量和残碱指标上",
            ),
            Sc("动力电池电芯", "电芯高温性能提升", "电芯高温存储以后鼓胀，客户那边投诉了好几次"),
            Sc("三元前驱体", "低能耗烧结工艺", "烧结工序能耗太高，电费占了加工成本的三成多"),
            Sc(
                "储能电池",
                "长循环储能电池材料",
                "储能项目要求循环八千次以上，我们现有材料体系做不到",
            ),
        ),
        keywords=("锂离子电池", "正极材料", "三元材料", "磷酸锰铁锂", "钠离子电池", "储能"),
        unit="吨",
        scale=(200, 5000),
    ),
    Theme(
        key="nm_composite",
        field=NM,
        industry="C",
        kind="material",
        subjects=(
            S("碳纤维复合材料构件"),
            S("连续纤维增强热塑性复合材料"),
            S("玻璃纤维增强复合材料"),
            S("玄武岩纤维复合材料"),
            S("芳纶纤维复合材料"),
        ),
        methods=("热压成型", "拉挤成型", "树脂传递模塑（RTM）", "模压成型"),
        features=("界面改性", "快速固化树脂体系", "在线浸渍", "预浸料制备", "连接结构设计"),
        applications=("汽车轻量化", "风电叶片", "轨道交通", "建筑加固"),
        weaknesses=(
            "成型周期长、制造成本高",
            "界面结合强度不足、层间易开裂",
            "废料回收利用困难",
        ),
        gains=(
            G("成型周期", "缩短", 40, 70),
            G("层间剪切强度", "提高", 15, 35),
            G("构件重量", "减轻", 20, 45),
            G("制造成本", "降低", 15, 30),
        ),
        targets=(
            T("拉伸强度", "MPa", 1200, 1500, 1800, 2400),
            T("单件成型周期", "分钟", 25, 40, 5, 10),
        ),
        scenarios=(
            Sc(
                "汽车零部件",
                "复合材料快速成型",
                "现在用环氧体系做一个件要在模具里固化半个多小时，产能上不去",
            ),
            Sc(
                "轨道交通内饰件",
                "复合材料与金属连接",
                "复合材料件和金属件连接的地方老出问题，做振动试验时有开裂",
            ),
            Sc("风电叶片", "复合材料废料回收", "边角料和报废叶片没法回收，只能当固废花钱处理"),
            Sc("体育器材", "碳纤维制品降本", "碳纤维原材料太贵，产品价格下不来，市场打不开"),
        ),
        keywords=("碳纤维", "复合材料", "轻量化", "热塑性", "玄武岩纤维"),
        unit="吨",
        scale=(100, 3000),
    ),
    Theme(
        key="nm_coating",
        field=NM,
        industry="C",
        kind="material",
        subjects=(
            S("石墨烯改性防腐涂料"),
            S("水性工业防腐涂料"),
            S("长效重防腐涂层"),
            S("无溶剂环氧防腐涂料"),
            S("耐候氟碳面漆"),
        ),
        methods=("原位聚合", "超声分散", "乳液聚合", "溶胶-凝胶法"),
        features=("纳米填料分散", "低VOC配方设计", "界面交联", "缓蚀剂复配"),
        applications=("桥梁钢结构", "海上风电", "石化储罐", "输电铁塔", "工程机械"),
        weaknesses=(
            "VOC排放高、施工环境要求苛刻",
            "耐盐雾时间短、维护周期频繁",
            "涂层附着力差、易剥落",
        ),
        gains=(
            G("耐盐雾时间", "延长", 50, 150),
            G("VOC排放", "降低", 60, 90),
            G("涂装道数", "减少", 30, 50),
            G("维护成本", "降低", 25, 45),
        ),
        targets=(
            T("中性盐雾试验时间", "小时", 800, 1200, 2000, 3000),
            T("VOC含量", "g/L", 350, 450, 50, 100),
        ),
        scenarios=(
            Sc(
                "工业防腐涂料",
                "水性防腐涂料替代",
                "环保检查越来越严，我们的溶剂型涂料VOC超标，随时可能被要求停产整改",
            ),
            Sc("钢结构件", "长效防腐涂层", "户外钢结构刷完漆两三年就开始锈，客户却要求质保十年"),
            Sc(
                "工程机械结构件", "涂装工艺减道", "现在一个件要刷三四道漆，工期长，人工成本压不下来"
            ),
            Sc("输变电设备", "重防腐涂层性能提升", "沿海项目的设备腐蚀特别快，现场返修费用很高"),
        ),
        keywords=("防腐涂料", "涂层", "水性涂料", "石墨烯", "VOC"),
        unit="吨",
        scale=(500, 20000),
    ),
    Theme(
        key="nm_light_alloy",
        field=NM,
        industry="C",
        kind="material",
        subjects=(
            S("高强韧铝合金型材"),
            S("耐热铸造铝合金"),
            S("高导热压铸铝合金"),
            S("稀土镁合金"),
            S("铝合金轻量化结构件"),
        ),
        methods=("微合金化", "半固态成形", "真空压铸", "形变热处理"),
        features=("晶粒细化", "夹杂物控制", "热处理制度优化", "成分精确控制"),
        applications=("新能源汽车", "轨道交通", "5G通信基站", "消费电子"),
        weaknesses=(
            "强度与韧性难以兼顾",
            "铸件气孔多、成品率低",
            "导热性能与力学性能难以兼顾",
        ),
        gains=(
            G("抗拉强度", "提高", 12, 30),
            G("延伸率", "提高", 20, 60),
            G("成品率", "提高", 8, 20),
            G("合金元素用量", "减少", 15, 30),
            G("导热系数", "提高", 15, 40),
        ),
        targets=(
            T("抗拉强度", "MPa", 280, 330, 380, 450),
            T("铸件成品率", "%", 78, 85, 92, 96),
        ),
        scenarios=(
            Sc(
                "汽车压铸件",
                "铸件缺陷控制",
                "铸件里面气孔、夹渣多，机加工一刀下去就漏了，废品率下不来",
            ),
            Sc("铝合金型材", "高强铝合金成分优化", "型材强度够了延伸率就不够，客户折弯的时候开裂"),
            Sc("通信散热器", "高导热压铸材料", "5G基站散热器要求导热更好，现有合金牌号满足不了"),
            Sc("摩托车零部件", "热处理工艺优化", "热处理以后零件变形大，校形工序占了一大半人工"),
        ),
        keywords=("铝合金", "镁合金", "压铸", "热处理", "轻量化"),
        unit="吨",
        scale=(1000, 30000),
    ),
    Theme(
        key="nm_biodegradable",
        field=NM,
        industry="C",
        kind="material",
        subjects=(
            S("全生物降解地膜"),
            S("聚乳酸改性材料"),
            S("PBAT/淀粉共混材料"),
            S("可降解快递包装袋"),
            S("生物基聚酯"),
        ),
        methods=("反应挤出", "熔融共混", "原位增容", "双向拉伸"),
        features=("降解速率调控", "增韧改性", "耐热改性", "增容剂设计"),
        applications=("农用地膜", "快递包装", "一次性餐具", "购物袋"),
        weaknesses=(
            "降解周期不可控、力学性能偏低",
            "耐热性差、加工窗口窄",
            "成本明显高于传统塑料",
        ),
        gains=(
            G("拉伸强度", "提高", 15, 40),
            G("材料成本", "降低", 10, 25),
            G("断裂伸长率", "提高", 50, 200),
            G("加工能耗", "降低", 10, 20),
        ),
        targets=(
            T("180天生物降解率", "%", 60, 75, 90, 95),
            T("热变形温度", "℃", 55, 60, 85, 100),
        ),
        scenarios=(
            Sc(
                "农用地膜",
                "可降解地膜降解周期调控",
                "可降解地膜铺下去不到一个月就开始碎了，农户说还没到收获就没了",
            ),
            Sc(
                "塑料包装制品",
                "可降解包装材料降本",
                "可降解袋子比普通塑料袋贵一倍多，客户嫌贵不愿意换",
            ),
            Sc("一次性餐具", "聚乳酸耐热改性", "聚乳酸餐盒装热汤就变形，外卖平台那边退了几批货"),
        ),
        keywords=("生物降解", "聚乳酸", "可降解塑料", "地膜", "包装材料"),
        unit="吨",
        scale=(500, 20000),
    ),
    Theme(
        key="nm_engineering_plastic",
        field=NM,
        industry="C",
        kind="material",
        subjects=(
            S("无卤阻燃聚丙烯复合材料"),
            S("高导热绝缘复合材料"),
            S("长玻纤增强尼龙", m=("长纤维在线浸渍", "熔融共混")),
            S("耐候改性ABS"),
            S("耐热改性聚碳酸酯"),
        ),
        methods=("熔融共混", "反应挤出", "原位增容"),
        features=("无卤阻燃", "增韧改性", "导热填料表面处理", "低气味控制"),
        applications=("新能源汽车", "家电外壳", "电子电器", "汽车内饰"),
        weaknesses=(
            "卤系阻燃剂环保风险大",
            "导热性能与绝缘性能难以兼顾",
            "增强后表面浮纤、外观差",
        ),
        gains=(
            G("冲击强度", "提高", 20, 60),
            G("材料成本", "降低", 10, 25),
            G("导热系数", "提高", 50, 200),
            G("制品重量", "减轻", 10, 20),
        ),
        targets=(
            T("氧指数", "%", 22, 25, 30, 35),
            T("导热系数", "W/(m·K)", 0.8, 1.2, 2.5, 4.0),
        ),
        scenarios=(
            Sc(
                "改性塑料粒子", "无卤阻燃改性", "客户要求无卤阻燃，我们换了配方以后冲击强度掉得厉害"
            ),
            Sc(
                "电池包结构件", "导热绝缘材料开发", "电池包里用的导热结构件全靠外购，价格贵交期还长"
            ),
            Sc("家电注塑件", "改性塑料外观改善", "加了玻纤以后注塑件表面浮纤严重，喷漆也盖不住"),
        ),
        keywords=("改性塑料", "阻燃", "导热材料", "尼龙", "工程塑料"),
        unit="吨",
        scale=(1000, 30000),
    ),
    Theme(
        key="nm_ceramics",
        field=NM,
        industry="C",
        kind="material",
        subjects=(
            S("氮化铝陶瓷基板"),
            S("氮化硅陶瓷基板"),
            S("氧化锆结构陶瓷"),
            S("氮化硅陶瓷轴承球"),
            S("碳化硅多孔陶瓷"),
        ),
        methods=("流延成型", "凝胶注模", "气压烧结", "放电等离子烧结"),
        features=("烧结助剂优化", "晶相调控", "低温共烧", "翘曲变形控制"),
        applications=("功率半导体模块", "新能源汽车", "高端装备", "半导体设备"),
        weaknesses=(
            "烧结温度高、能耗大",
            "关键粉体依赖进口",
            "烧结变形大、成品率低",
        ),
        gains=(
            G("烧结能耗", "降低", 20, 40),
            G("抗弯强度", "提高", 15, 35),
            G("成品率", "提高", 10, 25),
            G("原料成本", "降低", 20, 40),
        ),
        targets=(
            T("热导率", "W/(m·K)", 60, 80, 150, 180),
            T("抗弯强度", "MPa", 600, 700, 850, 1000),
        ),
        scenarios=(
            Sc(
                "电子陶瓷", "陶瓷烧结变形控制", "陶瓷基板烧出来翘曲，后面金属化工序良品率只有七成多"
            ),
            Sc(
                "陶瓷结构件", "陶瓷粉体国产化替代", "高纯粉体全靠进口，一公斤好几千块，交期还不稳定"
            ),
            Sc("工业窑炉配件", "低温烧结工艺", "窑炉烧成温度高，天然气费用一年好几千万"),
        ),
        keywords=("陶瓷", "氮化硅", "氮化铝", "陶瓷基板", "烧结"),
        unit="吨",
        scale=(50, 1000),
    ),
    # 先进制造与自动化
    Theme(
        key="am_vision",
        field=AM,
        industry="C",
        kind="software",
        subjects=(
            S("表面缺陷在线检测"),
            S("尺寸精密测量"),
            S("装配完整性检测"),
            S("外观瑕疵智能检测"),
            S("焊缝质量检测"),
        ),
        methods=("机器视觉", "深度学习", "三维结构光", "高光谱成像"),
        features=("小样本缺陷识别", "多光源成像", "亚像素边缘定位", "模型轻量化部署"),
        applications=("汽车零部件", "电子制造", "五金制品", "新能源电池"),
        weaknesses=(
            "依赖人工目检、漏检率高、检测标准不统一",
            "检测速度跟不上产线节拍",
            "缺陷样本少、模型泛化能力差",
        ),
        gains=(
            G("漏检率", "降低", 60, 90),
            G("检测效率", "提高", 3, 8, "倍"),
            G("误报率", "降低", 40, 70),
            G("质检人工", "减少", 50, 80),
        ),
        targets=(
            T("缺陷检出率", "%", 85, 92, 98, 99.5),
            T("单件检测时间", "秒", 5, 10, 0.5, 1.5),
        ),
        scenarios=(
            Sc(
                "压力容器",
                "焊缝质量在线检测",
                "现在焊缝质量全靠老师傅拿眼睛看，一个班下来眼睛都看花了，漏检时有发生",
            ),
            Sc(
                "汽车零部件",
                "表面缺陷自动检测",
                "客户对外观要求越来越高，划伤、压痕这些小缺陷人工根本挑不干净",
            ),
            Sc("电子元器件", "外观质检自动化", "质检岗位招人难，年轻人都不愿意干，流失率很高"),
            Sc(
                "动力电池模组",
                "装配完整性检测",
                "模组上螺栓、线束漏装的问题到了客户那里才发现，索赔了好几次",
            ),
        ),
        keywords=("机器视觉", "缺陷检测", "深度学习", "质量检测", "在线检测"),
        unit="套",
        scale=(20, 300),
        suffixes=("系统", "装置", "平台"),
    ),
    Theme(
        key="am_robot",
        field=AM,
        industry="C",
        kind="device",
        subjects=(
            S("焊接机器人"),
            S("协作机器人"),
            S("重载搬运机器人"),
            S("打磨抛光机器人"),
            S("喷涂机器人"),
        ),
        methods=("力控技术", "离线编程", "视觉引导", "自适应轨迹规划"),
        features=("力位混合控制", "视觉定位", "碰撞检测", "快速示教", "轨迹自适应修正"),
        applications=("工程机械", "汽车焊装", "卫浴五金", "钢结构"),
        weaknesses=(
            "示教编程复杂、换型时间长",
            "对工件一致性要求高、适应性差",
            "核心部件依赖进口、整机成本高",
        ),
        gains=(
            G("换型时间", "缩短", 50, 80),
            G("生产效率", "提高", 30, 120),
            G("加工一致性", "提高", 20, 40),
            G("综合成本", "降低", 20, 35),
        ),
        targets=(
            T("重复定位精度", "mm", 0.1, 0.2, 0.02, 0.05),
            T("换型时间", "小时", 4, 8, 0.5, 1),
        ),
        scenarios=(
            Sc(
                "五金卫浴",
                "打磨抛光自动化",
                "打磨车间粉尘大、噪声大，工人干不长，工资开到一万多也招不到人",
            ),
            Sc(
                "非标钢结构",
                "小批量柔性焊接",
                "我们产品小批量多品种，买过一台机器人，每换一次产品都要重新示教大半天",
            ),
            Sc("工程机械结构件", "机器人焊缝跟踪", "结构件尺寸误差大，机器人焊的时候经常焊偏"),
            Sc("实木家具", "喷涂自动化", "喷漆工序全靠人工，漆面效果看师傅手艺，油漆浪费也大"),
        ),
        keywords=("工业机器人", "协作机器人", "焊接机器人", "打磨", "离线编程"),
        unit="台",
        scale=(20, 600),
    ),
    Theme(
        key="am_machining",
        field=AM,
        industry="C",
        kind="process",
        subjects=(
            S("难加工材料高效切削"),
            S("大型薄壁件精密加工"),
            S("微细电火花加工"),
            S("超精密磨削"),
            S("五轴联动数控加工"),
        ),
        methods=("超声振动辅助", "在线测量补偿", "低温冷却", "数字孪生"),
        features=("刀具磨损监测", "热变形补偿", "工艺参数优化", "柔性夹具设计"),
        applications=("航空结构件", "模具制造", "液压件", "医疗器械"),
        weaknesses=(
            "加工变形大、尺寸精度难以保证",
            "刀具磨损快、加工成本高",
            "加工效率低、依赖熟练技师",
        ),
        gains=(
            G("加工效率", "提高", 30, 80),
            G("刀具寿命", "延长", 50, 150),
            G("加工变形", "减小", 40, 70),
            G("废品率", "降低", 30, 60),
        ),
        targets=(
            T("加工精度", "μm", 20, 30, 5, 8),
            T("表面粗糙度Ra", "μm", 1.6, 3.2, 0.2, 0.4),
        ),
        scenarios=(
            Sc("航空零件", "难加工材料切削", "钛合金件一把刀干不了几个就崩了，刀具费比材料还贵"),
            Sc("精密壳体", "薄壁件变形控制", "薄壁件加工完一松夹具就变形，尺寸超差返工率很高"),
            Sc("液压阀体", "加工参数智能优化", "老师傅退休了，新人调参数全靠试，废了不少料"),
            Sc(
                "精密模具",
                "模具加工效率提升",
                "模具交期客户一压再压，CNC机床开足了马力还是排不过来",
            ),
        ),
        keywords=("数控加工", "精密加工", "切削", "刀具", "五轴"),
        unit="件/年",
        scale=(5000, 200000),
        suffixes=("技术", "工艺"),
    ),
    Theme(
        key="am_laser",
        field=AM,
        industry="C",
        kind="process",
        subjects=(
            S("液压支柱再制造", a=("煤矿装备",)),
            S("轧辊表面修复", a=("冶金轧钢",)),
            S("压铸模具修复", a=("模具制造", "汽车压铸")),
            S("阀门密封面强化", a=("石油化工", "电站阀门")),
            S("关键零部件表面强化", a=("工程机械", "煤矿装备")),
        ),
        methods=("超高速激光熔覆", "同轴送粉激光熔覆", "激光淬火", "激光冲击强化"),
        features=("熔池监测", "路径规划", "组织性能调控", "残余应力控制"),
        applications=("煤矿装备", "冶金轧钢", "模具制造", "石油化工"),
        weaknesses=(
            "传统修复工艺热影响区大、结合强度低",
            "电镀工艺污染大、镀层易剥落",
            "修复周期长、质量不稳定",
        ),
        gains=(
            G("零件寿命", "延长", 50, 200),
            G("修复成本", "降低", 40, 70),
            G("修复周期", "缩短", 30, 60),
            G("材料利用率", "提高", 30, 60),
        ),
        targets=(
            T("熔覆层结合强度", "MPa", 200, 300, 450, 600),
            T("单件修复周期", "天", 20, 40, 5, 10),
        ),
        scenarios=(
            Sc(
                "煤矿液压支架",
                "关键零部件修复再制造",
                "液压支架立柱用一段时间表面就锈蚀划伤，换新的一根好几万",
            ),
            Sc("冷轧钢材", "轧辊修复", "轧辊磨损以后只能送外地修，来回一个多月，影响生产"),
            Sc("压铸模具", "模具激光修复", "压铸模具用几万模次就龟裂，补焊修复以后用不了多久又裂"),
            Sc("工业阀门", "激光熔覆替代电镀", "环保不让搞电镀了，阀杆镀铬这道工序得找替代办法"),
        ),
        keywords=("激光熔覆", "再制造", "表面强化", "激光", "修复"),
        unit="件/年",
        scale=(500, 20000),
        suffixes=("技术", "工艺"),
    ),
    Theme(
        key="am_smart_factory",
        field=AM,
        industry="I",
        kind="software",
        subjects=(
            S("设备故障预测与健康管理"),
            S("车间制造执行"),
            S("设备远程运维"),
            S("能耗在线监测与优化"),
            S("产品质量追溯"),
        ),
        methods=("工业互联网", "数字孪生", "边缘计算", "大数据分析"),
        features=("多源数据采集", "故障特征提取", "生产排程优化", "设备画像"),
        applications=("离散制造", "流程工业", "食品加工", "纺织服装"),
        weaknesses=(
            "设备数据孤岛严重、故障只能事后处理",
            "生产计划靠人工、插单频繁",
            "质量异常难以追溯到批次",
        ),
        gains=(
            G("非计划停机时间", "减少", 30, 60),
            G("设备综合效率", "提高", 8, 20),
            G("库存周转天数", "缩短", 20, 40),
            G("运维成本", "降低", 20, 40),
        ),
        targets=(
            T("设备综合效率（OEE）", "%", 55, 65, 75, 85),
            T("订单准时交付率", "%", 80, 88, 95, 98),
        ),
        scenarios=(
            Sc(
                "机械加工",
                "设备预测性维护",
                "设备坏了才知道，一停就是大半天，一条线一小时损失好几万",
            ),
            Sc("汽车零部件", "生产排程优化", "车间排产全靠调度员一张Excel，客户一插单就乱套"),
            Sc("食品加工", "质量追溯系统建设", "出了质量问题查不到是哪一批料、哪台设备做的"),
            Sc("纺织印染", "车间能耗监测", "一年电费、蒸汽费好几千万，到底哪台设备费能耗心里没数"),
        ),
        keywords=("工业互联网", "数字孪生", "预测性维护", "智能制造", "边缘计算"),
        unit="套",
        scale=(10, 200),
        suffixes=("系统", "平台"),
    ),
    Theme(
        key="am_agri_machinery",
        field=AM,
        industry="C",
        kind="device",
        subjects=(
            S("丘陵山区履带式收获机"),
            S("水稻精量穴直播机"),
            S("无人驾驶插秧机"),
            S("再生稻收割机"),
            S("秸秆打捆机"),
        ),
        methods=("北斗导航自动驾驶", "气力式精量排种", "电液控制", "低损伤割台设计"),
        features=("自动对行", "漏播检测", "割茬高度控制", "作业数据远程监测"),
        applications=("水稻生产", "再生稻种植", "丘陵山区农业", "农业社会化服务"),
        weaknesses=(
            "丘陵山区地块小、大型机械进不去",
            "作业损失大、对再生芽碾压严重",
            "依赖熟练机手、作业质量不稳定",
        ),
        gains=(
            G("作业效率", "提高", 2, 5, "倍"),
            G("作业质量合格率", "提高", 5, 15),
            G("用工", "减少", 50, 80),
            G("燃油消耗", "降低", 10, 25),
        ),
        targets=(
            T("作业损失率", "%", 5, 8, 1.5, 3),
            T("直线行驶偏差", "cm", 10, 20, 2.5, 5),
        ),
        scenarios=(
            Sc("水稻种植", "丘陵山区机械化作业", "山里田块小，外面的大收割机开不进来，只能靠人工"),
            Sc(
                "再生稻种植", "再生稻低损收获", "头季收割的时候机器把稻桩压坏一大片，二季就没指望了"
            ),
            Sc("农机", "农机自动驾驶", "好的农机手越来越难请，请来的新手作业质量参差不齐"),
        ),
        keywords=("农业机械", "智能农机", "北斗导航", "再生稻", "收获机"),
        unit="台",
        scale=(50, 2000),
    ),
    # 电子信息
    Theme(
        key="ei_ai",
        field=EI,
        industry="I",
        kind="software",
        subjects=(
            S("智能问答"),
            S("文本智能审查"),
            S("领域知识图谱构建"),
            S("工单智能分派"),
            S("报告自动生成"),
        ),
        methods=("大语言模型", "知识图谱", "自然语言处理", "检索增强生成"),
        features=("领域语料微调", "实体关系抽取", "多轮对话管理", "私有化部署"),
        applications=("政务服务", "法律服务", "金融", "企业知识管理", "客服中心"),
        weaknesses=(
            "人工处理效率低、标准不一致",
            "通用模型领域知识不足、答非所问",
            "数据安全要求高、无法使用公有云服务",
        ),
        gains=(
            G("处理效率", "提高", 3, 10, "倍"),
            G("人工审核工作量", "减少", 40, 70),
            G("问答准确率", "提高", 15, 30),
            G("平均响应时间", "缩短", 50, 80),
        ),
        targets=(
            T("问答准确率", "%", 70, 80, 90, 95),
            T("单份文件审查时间", "分钟", 30, 60, 3, 5),
        ),
        scenarios=(
            Sc(
                "客服外包",
                "智能问答系统",
                "客服每天接几千个电话，八成都是重复问题，人员流动又大，培训跟不上",
            ),
            Sc("法律服务", "合同智能审查", "法务就两个人，一年要看上千份合同，看不过来只能抽查"),
            Sc(
                "软件开发",
                "大模型私有化部署",
                "我们想用大模型，但客户数据不能出内网，不知道怎么私有化部署",
            ),
            Sc("政企信息化", "知识图谱构建", "积累了十几年的技术文档，新员工要查个东西根本找不到"),
        ),
        keywords=("人工智能", "大语言模型", "知识图谱", "自然语言处理", "智能问答"),
        unit="套",
        scale=(10, 300),
        suffixes=("系统", "平台"),
    ),
    Theme(
        key="ei_optical_comm",
        field=EI,
        industry="C",
        kind="device",
        subjects=(
            S("400G高速光模块"),
            S("硅基光电子芯片"),
            S("低损耗光纤连接器"),
            S("可调谐半导体激光器"),
            S("掺铒光纤放大器"),
        ),
        methods=("硅光集成", "相干探测", "混合集成封装", "高速电光调制"),
        features=("低损耗耦合", "温度不敏感设计", "高速信号完整性设计", "封装工艺优化"),
        applications=("数据中心", "5G前传", "骨干网", "光纤到户"),
        weaknesses=(
            "核心芯片依赖进口、成本高",
            "功耗大、散热困难",
            "耦合封装良率低",
        ),
        gains=(
            G("功耗", "降低", 20, 40),
            G("封装成本", "降低", 25, 45),
            G("耦合损耗", "降低", 30, 60),
            G("封装良率", "提高", 10, 20),
        ),
        targets=(
            T("封装良率", "%", 78, 85, 95, 98),
            T("单通道速率", "Gb/s", 25, 50, 100, 200),
        ),
        scenarios=(
            Sc("光模块", "光芯片国产化替代", "光模块里的激光器芯片全靠进口，交期从八周拉到了半年"),
            Sc("光器件", "光器件封装良率提升", "产品耦合封装良率只有八成左右，返工很费时间"),
            Sc(
                "光纤光缆",
                "高速光模块降功耗",
                "数据中心客户对每比特功耗卡得越来越严，老方案评审过不了",
            ),
        ),
        keywords=("光通信", "光模块", "硅光", "激光器", "光芯片"),
        unit="万只",
        scale=(5, 200),
    ),
    Theme(
        key="ei_fiber_sensing",
        field=EI,
        industry="I",
        kind="software",
        subjects=(
            S("分布式光纤测温"),
            S("光纤光栅应变监测"),
            S("分布式光纤振动监测"),
            S("光纤气体泄漏监测"),
        ),
        methods=("拉曼散射", "布里渊光时域分析", "光纤光栅", "相位敏感光时域反射"),
        features=("信号解调", "事件智能识别", "长距离传输补偿", "多点定位"),
        applications=("油气管道", "桥梁隧道", "电力电缆", "煤矿安全"),
        weaknesses=(
            "传统点式传感器布设困难、监测盲区多",
            "人工巡检发现隐患滞后",
            "误报率高、现场难以运维",
        ),
        gains=(
            G("监测距离", "提高", 50, 150),
            G("定位精度", "提高", 30, 60),
            G("误报率", "降低", 50, 80),
            G("巡检人工", "减少", 50, 80),
        ),
        targets=(
            T("测温精度", "℃", 2, 3, 0.5, 1),
            T("事件定位精度", "米", 20, 50, 2, 5),
        ),
        scenarios=(
            Sc("油气储运", "长距离管道泄漏监测", "管线几十公里长，靠人工巡检发现泄漏往往已经晚了"),
            Sc(
                "电力工程",
                "电缆温度在线监测",
                "电缆隧道里的接头过热出过事，现在每个月人工测一次根本不够",
            ),
            Sc("桥梁养护", "结构健康在线监测", "桥梁多、养护人员少，裂缝和变形只能一年查一两次"),
        ),
        keywords=("光纤传感", "分布式光纤", "在线监测", "光纤光栅", "泄漏监测"),
        unit="套",
        scale=(10, 300),
        suffixes=("系统", "装置"),
    ),
    Theme(
        key="ei_power_semi",
        field=EI,
        industry="C",
        kind="device",
        subjects=(
            S("碳化硅MOSFET器件"),
            S("IGBT功率模块"),
            S("氮化镓快充芯片"),
            S("车规级功率模块"),
            S("碳化硅肖特基二极管"),
        ),
        methods=("沟槽栅工艺", "银烧结封装", "双面散热", "离子注入"),
        features=("终端结构优化", "栅氧可靠性提升", "热阻降低", "寄生电感抑制"),
        applications=("新能源汽车电驱", "光伏逆变器", "快充电源", "工业变频器"),
        weaknesses=(
            "高端芯片依赖进口、供货周期长",
            "导通损耗大、高温可靠性不足",
            "模块热阻大、功率循环寿命短",
        ),
        gains=(
            G("导通损耗", "降低", 15, 35),
            G("芯片面积", "缩小", 20, 40),
            G("模块热阻", "降低", 20, 40),
            G("功率循环寿命", "提高", 1, 3, "倍"),
        ),
        targets=(
            T("最高结温", "℃", 150, 175, 200, 225),
            T("功率循环次数", "万次", 5, 10, 30, 50),
        ),
        scenarios=(
            Sc(
                "光伏逆变器",
                "功率器件散热与可靠性",
                "逆变器的功率器件发热厉害，夏天满载运行老是过温降额",
            ),
            Sc(
                "电源产品", "功率芯片国产化", "快充产品用的功率芯片全是进口的，去年缺货停了两个月产"
            ),
            Sc(
                "电机控制器",
                "车规功率模块封装",
                "主机厂要求功率模块过车规验证，我们的封装工艺还差一截",
            ),
        ),
        keywords=("功率半导体", "碳化硅", "IGBT", "功率模块", "芯片"),
        unit="万只",
        scale=(5, 500),
    ),
    Theme(
        key="ei_sensor",
        field=EI,
        industry="C",
        kind="device",
        subjects=(
            S("MEMS压力传感器"),
            S("MEMS惯性传感器"),
            S("金属氧化物气体传感器"),
            S("数字温湿度传感器"),
            S("红外热电堆传感器"),
        ),
        methods=("MEMS微加工", "晶圆级封装", "ASIC信号调理", "纳米敏感材料"),
        features=("温度漂移补偿", "低功耗设计", "抗干扰设计", "批量自动标定"),
        applications=("工业过程控制", "汽车电子", "智能家居", "可穿戴设备"),
        weaknesses=(
            "温漂大、标定工作量大",
            "功耗高、难以电池长期供电",
            "芯体依赖进口、成本高",
        ),
        gains=(
            G("测量精度", "提高", 30, 60),
            G("待机功耗", "降低", 40, 80),
            G("标定时间", "缩短", 50, 80),
            G("器件成本", "降低", 30, 50),
        ),
        targets=(
            T("综合精度", "%FS", 0.5, 1, 0.1, 0.25),
            T("待机电流", "μA", 10, 30, 1, 3),
        ),
        scenarios=(
            Sc(
                "压力变送器",
                "传感器芯片国产化",
                "我们做的压力变送器里的芯体全是进口的，一缺货就停产",
            ),
            Sc("智能燃气表", "低功耗传感方案", "表要电池供电用八年，现在的方案功耗下不来"),
            Sc(
                "汽车电子", "传感器温漂补偿", "传感器冬天和夏天读数差得多，每只都要人工标定，太费工"
            ),
        ),
        keywords=("传感器", "MEMS", "物联网", "低功耗", "芯片"),
        unit="万只",
        scale=(10, 1000),
    ),
    Theme(
        key="ei_iot",
        field=EI,
        industry="I",
        kind="software",
        subjects=(
            S("管网漏损在线监测", a=("城市供水", "城市燃气", "工业园区")),
            S("配电设备状态远程监控", a=("电力配网", "工业园区", "商业综合体")),
            S("冷链温湿度追溯", a=("冷链物流", "医药流通", "生鲜电商")),
            S("边坡与桥梁安全监测", a=("交通基础设施", "地质灾害防治", "水利工程")),
            S("农业环境智能监测", a=("设施农业", "水产养殖", "智慧农场")),
        ),
        methods=("窄带物联网（NB-IoT）", "LoRa无线组网", "边缘智能网关", "北斗高精度定位"),
        features=("低功耗长续航设计", "多传感器融合", "异常预警模型", "远程固件升级"),
        applications=("城市供水", "冷链物流", "电力配网"),
        weaknesses=(
            "人工巡检频次低、隐患发现滞后",
            "现场供电和通信困难",
            "多系统数据不互通",
        ),
        gains=(
            G("巡检人工", "减少", 50, 80),
            G("故障发现时间", "缩短", 60, 90),
            G("终端续航", "延长", 1, 3, "倍"),
            G("运维成本", "降低", 30, 50),
        ),
        targets=(
            T("管网漏损率", "%", 15, 22, 8, 10),
            T("终端电池寿命", "年", 1, 2, 5, 8),
        ),
        scenarios=(
            Sc(
                "城市供水",
                "管网漏损监测",
                "我们的供水管网漏损率快20%了，哪里漏了只能靠听漏工晚上一段一段去听",
            ),
            Sc(
                "冷链物流",
                "冷链温控追溯",
                "冷链车厢温度超了没人知道，等客户收货发现东西坏了已经来不及",
            ),
            Sc(
                "配电运维",
                "设备远程监控",
                "配电房分散在各个小区，每个月派人跑一遍，还是出过几次事故",
            ),
            Sc("水产养殖", "养殖水质在线监测", "夜里塘里缺氧没人发现，一晚上死掉几千斤鱼"),
        ),
        keywords=("物联网", "在线监测", "NB-IoT", "边缘计算", "远程监控"),
        unit="套",
        scale=(20, 500),
        suffixes=("系统", "平台", "装置"),
    ),
    Theme(
        key="ei_security",
        field=EI,
        industry="I",
        kind="software",
        subjects=(
            S("工业控制系统安全防护"),
            S("数据分类分级与脱敏"),
            S("网络攻击溯源分析"),
            S("隐私计算数据共享"),
        ),
        methods=("联邦学习", "零信任架构", "流量行为分析", "国密算法"),
        features=("异常流量检测", "敏感数据自动识别", "白名单防护", "多方安全计算"),
        applications=("电力调度", "医疗数据共享", "金融", "政务数据开放"),
        weaknesses=(
            "工控系统老旧、无法安装传统杀毒软件",
            "数据共享与隐私保护难以兼顾",
            "安全事件发现晚、溯源难",
        ),
        gains=(
            G("威胁检出率", "提高", 20, 40),
            G("误报率", "降低", 50, 80),
            G("敏感数据识别效率", "提高", 5, 20, "倍"),
            G("合规整改工作量", "减少", 40, 60),
        ),
        targets=(
            T("威胁检出率", "%", 75, 85, 95, 99),
            T("敏感字段识别准确率", "%", 70, 80, 92, 97),
        ),
        scenarios=(
            Sc("电力", "工控安全防护", "等保测评马上要复评，工控网这块我们自己心里都没底"),
            Sc(
                "医疗信息化",
                "隐私计算平台",
                "几家医院的数据想拿来一起做研究，但谁都不敢把原始数据拿出来",
            ),
            Sc(
                "软件外包",
                "数据脱敏与分类分级",
                "数据库里哪些是敏感字段现在全靠人工梳理，几千张表根本弄不完",
            ),
        ),
        keywords=("网络安全", "数据安全", "隐私计算", "工控安全", "联邦学习"),
        unit="套",
        scale=(10, 200),
        suffixes=("系统", "平台"),
    ),
    Theme(
        key="ei_display",
        field=EI,
        industry="C",
        kind="device",
        subjects=(
            S("Mini LED背光模组", m=("局部调光", "倒装芯片封装"), a=("车载显示", "电竞显示器")),
            S("Micro LED显示模组", m=("巨量转移", "倒装芯片封装"), a=("商用显示", "可穿戴设备")),
            S("车载抬头显示器", m=("光学自由曲面设计", "增强现实成像"), a=("车载显示",)),
            S("柔性触控模组", m=("纳米银线", "金属网格"), a=("可穿戴设备", "车载显示")),
            S("激光投影光机", m=("荧光轮激光光源", "光学自由曲面设计"), a=("教育投影", "家庭影院")),
        ),
        methods=("巨量转移", "光学自由曲面设计", "纳米银线"),
        features=("亮度均匀性补偿", "散热结构优化", "光学膜片优化", "贴合工艺改进"),
        applications=("车载显示", "商用显示", "可穿戴设备"),
        weaknesses=(
            "亮度均匀性差、功耗高",
            "成本高、良率低",
            "强光环境下可视性差",
        ),
        gains=(
            G("功耗", "降低", 20, 40),
            G("对比度", "提高", 50, 200),
            G("模组厚度", "减少", 20, 40),
            G("生产良率", "提高", 8, 20),
        ),
        targets=(
            T("生产良率", "%", 80, 88, 95, 98),
            T("亮度均匀性", "%", 75, 82, 90, 95),
        ),
        scenarios=(
            Sc(
                "显示模组",
                "背光均匀性改善",
                "背光模组做薄了以后亮度不均，四个角发暗，客户验货老是退",
            ),
            Sc("触控屏", "贴合工艺良率提升", "贴合工序良率不到九成，一片屏好几百块，报废太心疼"),
            Sc("车载电子", "车载显示光学设计", "车载屏在太阳底下看不清，主机厂提了整改要求"),
        ),
        keywords=("显示", "Mini LED", "车载显示", "光学设计", "触控"),
        unit="万片",
        scale=(5, 300),
    ),
    # 生物与新医药
    Theme(
        key="bm_drug",
        field=BM,
        industry="C",
        kind="pharma",
        subjects=(
            S(
                "抗肿瘤小分子靶向药物",
                m=("高通量筛选", "基于结构的药物设计"),
                a=("肿瘤治疗", "肺癌靶向治疗"),
                f=("晶型控制", "杂质控制", "成盐筛选"),
            ),
            S(
                "缓控释口服制剂",
                m=("热熔挤出", "渗透泵技术"),
                a=("高血压治疗", "慢病管理"),
                f=("缓释骨架设计", "溶出度改善", "释药曲线调控"),
            ),
            S(
                "抗病毒多肽药物",
                m=("固相多肽合成", "高通量筛选"),
                a=("抗病毒治疗", "抗感染"),
                f=("杂质控制", "稳定性提升", "长效化修饰"),
            ),
            S(
                "难溶性药物纳米晶制剂",
                m=("湿法研磨", "高压均质"),
                a=("抗真菌治疗", "肿瘤治疗"),
                f=("溶出度改善", "粒径控制", "稳定性提升"),
            ),
        ),
        methods=("高通量筛选", "热熔挤出"),
        features=("晶型控制", "杂质控制", "溶出度改善"),
        applications=("慢病管理", "肿瘤治疗"),
        weaknesses=(
            "现有药物耐药严重、副作用大",
            "生物利用度低、起效慢",
            "服药次数多、患者依从性差",
        ),
        gains=(
            G("生物利用度", "提高", 30, 120),
            G("不良反应发生率", "降低", 30, 60),
            G("合成收率", "提高", 15, 40),
            G("生产成本", "降低", 15, 35),
        ),
        targets=(
            T("单个杂质含量", "%", 0.5, 1, 0.1, 0.2),
            T("合成总收率", "%", 25, 35, 50, 65),
        ),
        scenarios=(
            Sc(
                "口服固体制剂",
                "仿制药一致性评价",
                "一致性评价做了两年，溶出曲线就是和参比制剂对不上",
            ),
            Sc("化学原料药", "原料药杂质控制", "原料药杂质超标，出口注册被退回来补资料"),
            Sc(
                "化学原料药",
                "原料药合成工艺优化",
                "原料药合成路线长、收率低，三废处理费用也越来越高",
            ),
        ),
        keywords=("创新药", "制剂", "一致性评价", "原料药", "靶向药物"),
        unit="批",
        scale=(10, 100),
    ),
    Theme(
        key="bm_tcm",
        field=BM,
        industry="C",
        kind="pharma",
        subjects=(
            S("治疗糖尿病肾病的中药复方制剂", a=("糖尿病肾病", "慢病管理")),
            S("经典名方中药配方颗粒", a=("中医临床", "慢病管理")),
            S("道地药材标准提取物", a=("中药制剂", "保健食品")),
            S("中药饮片智能炮制", a=("中药饮片生产", "中医临床")),
        ),
        methods=("超临界萃取", "指纹图谱质控", "膜分离富集", "连续逆流提取"),
        features=("有效成分富集", "质量标准提升", "指纹图谱建立", "工艺参数在线控制"),
        applications=("中医临床", "慢病管理"),
        weaknesses=(
            "有效成分含量低、质量难以控制",
            "提取工艺落后、收率低、溶剂用量大",
            "批次间质量差异大",
        ),
        gains=(
            G("有效成分提取率", "提高", 20, 50),
            G("溶剂用量", "减少", 30, 60),
            G("生产周期", "缩短", 20, 40),
            G("生产成本", "降低", 15, 35),
        ),
        targets=(
            T("有效成分提取率", "%", 60, 70, 85, 92),
            T("批间含量差异", "%", 15, 25, 5, 8),
        ),
        scenarios=(
            Sc(
                "中成药",
                "中药提取工艺升级",
                "我们有几个老品种，提取工艺还是水提醇沉，收率低、溶剂用量大",
            ),
            Sc("中药饮片", "中药质量标准提升", "饮片批次之间差异大，医院那边对含量指标越查越严"),
            Sc(
                "中成药",
                "中药大品种二次开发",
                "主打的中成药卖了二十年，循证证据不足，进医保越来越难",
            ),
        ),
        keywords=("中药", "提取工艺", "质量标准", "配方颗粒", "指纹图谱"),
        unit="批",
        scale=(10, 100),
    ),
    Theme(
        key="bm_device",
        field=BM,
        industry="C",
        kind="device",
        subjects=(
            S(
                "便携式超声诊断仪",
                m=("超声成像", "低功耗设计"),
                a=("基层医疗", "急诊急救"),
                f=("图像增强", "低功耗设计", "结构轻量化"),
            ),
            S(
                "可吸收骨科内固定器械",
                m=("可降解镁合金", "表面改性"),
                a=("骨科手术", "运动医学"),
                f=("降解速率调控", "生物相容性评价"),
            ),
            S(
                "智能输液监护装置",
                m=("柔性传感", "物联网"),
                a=("病房护理", "居家医疗"),
                f=("滴速自动识别", "低功耗设计", "人机交互优化"),
            ),
            S("下肢康复外骨骼机器人", m=("运动意图识别", "柔性驱动"), a=("康复治疗", "居家养老")),
            S(
                "血管介入导管",
                m=("精密挤出", "亲水涂层"),
                a=("心血管介入", "神经介入"),
                f=("表面亲水改性", "生物相容性评价", "管壁结构优化"),
            ),
        ),
        methods=("超声成像", "柔性传感", "运动意图识别"),
        features=("生物相容性评价", "低功耗设计", "人机交互优化", "结构轻量化"),
        applications=("基层医疗", "康复治疗"),
        weaknesses=(
            "高端产品依赖进口、价格高",
            "设备笨重、不适合基层使用",
            "二次手术取出给患者带来额外痛苦",
        ),
        gains=(
            G("设备成本", "降低", 30, 60),
            G("设备重量", "减轻", 40, 70),
            G("术后并发症发生率", "降低", 20, 40),
            G("护理工作量", "减少", 30, 50),
        ),
        targets=(
            T("报警准确率", "%", 85, 90, 98, 99.5),
            T("整机重量", "kg", 8, 15, 2, 4),
        ),
        scenarios=(
            Sc(
                "医用耗材",
                "高值耗材产品升级",
                "我们是做普通耗材的，想往介入类产品转型，但工艺和注册都没经验",
            ),
            Sc("医疗器械", "输液智能监护", "病房护士一个人要管十几个输液，经常顾不过来"),
            Sc(
                "康复设备",
                "康复设备国产化",
                "康复设备基本都是进口的，一台几百万，县级医院根本买不起",
            ),
        ),
        keywords=("医疗器械", "康复机器人", "可降解", "介入", "超声"),
        unit="台（套）",
        scale=(50, 3000),
    ),
    Theme(
        key="bm_ivd",
        field=BM,
        industry="C",
        kind="pharma",
        subjects=(
            S(
                "呼吸道病原体多重核酸检测试剂盒",
                m=("微流控", "数字PCR", "CRISPR检测"),
                f=("多重引物设计", "试剂冻干", "样本前处理一体化"),
            ),
            S(
                "化学发光免疫分析试剂",
                m=("磁微粒化学发光", "量子点荧光"),
                f=("信号放大", "磁微粒包被", "抗体筛选"),
            ),
            S(
                "肿瘤早筛液体活检试剂",
                m=("数字PCR", "高通量测序"),
                f=("甲基化标志物筛选", "信号放大", "样本前处理一体化"),
            ),
            S(
                "POCT快速检测卡",
                m=("胶体金免疫层析", "量子点荧光", "微流控"),
                f=("试剂冻干", "信号放大", "抗体筛选"),
            ),
            S(
                "食源性致病菌快速检测试剂",
                m=("CRISPR检测", "微流控", "恒温扩增"),
                f=("多重引物设计", "样本前处理一体化", "试剂冻干"),
            ),
        ),
        methods=("微流控", "数字PCR", "CRISPR检测", "量子点荧光"),
        features=("多重引物设计", "试剂冻干", "信号放大", "样本前处理一体化"),
        applications=("基层医疗机构", "疾控中心", "食品安全监管", "体检中心"),
        weaknesses=(
            "检测周期长、依赖专业实验室",
            "灵敏度低、容易漏检",
            "试剂需要冷链运输",
        ),
        gains=(
            G("检测时间", "缩短", 60, 90),
            G("检测灵敏度", "提高", 1, 2, "个数量级"),
            G("单人份检测成本", "降低", 30, 60),
            G("试剂保质期", "延长", 50, 100),
        ),
        targets=(
            T("检测下限", "copies/mL", 500, 1000, 50, 100),
            T("检测时间", "分钟", 90, 180, 20, 40),
        ),
        scenarios=(
            Sc(
                "体外诊断试剂",
                "检测试剂常温化",
                "现在的试剂要零下二十度运输，往乡镇卫生院发货，冷链成本比试剂还高",
            ),
            Sc(
                "第三方医学检验",
                "样本前处理自动化",
                "检测订单多了，但前处理全靠人工，一个人一天做不了多少",
            ),
            Sc("食品检测服务", "快速检测方法开发", "样本送到实验室检测要等两三天，客户都不愿意等"),
        ),
        keywords=("体外诊断", "核酸检测", "微流控", "快速检测", "POCT"),
        unit="万人份",
        scale=(10, 500),
    ),
    Theme(
        key="bm_microbial",
        field=BM,
        industry="A",
        kind="agri",
        subjects=(
            S("耐盐解磷微生物菌剂", a=("盐碱地改良", "设施蔬菜")),
            S("秸秆腐熟菌剂", a=("秸秆还田", "水稻生产")),
            S("生物有机肥", a=("柑橘园", "茶园", "设施蔬菜")),
            S("生物防治菌剂", a=("设施蔬菜", "柑橘园")),
            S("土壤调理剂", a=("酸化土壤改良", "茶园")),
        ),
        methods=("固态发酵", "液体深层发酵", "菌种复配", "微胶囊包埋"),
        features=("菌种定向筛选", "发酵工艺优化", "功能菌株复配", "活菌数稳定化"),
        applications=("设施蔬菜",),
        weaknesses=(
            "化肥农药用量大、土壤板结",
            "产品活菌数不稳定、田间效果波动大",
            "秸秆腐解慢、影响下茬播种",
        ),
        gains=(
            G("亩产", "提高", 8, 20),
            G("化肥用量", "减少", 15, 30),
            G("发病率", "降低", 30, 60),
            G("土壤有机质含量", "提高", 10, 30),
        ),
        targets=(
            T("有效活菌数", "亿/克", 2, 5, 10, 20),
            T("秸秆腐解率", "%", 40, 50, 70, 80),
        ),
        scenarios=(
            Sc(
                "蔬菜种植",
                "土壤改良",
                "我们基地的大棚种了十几年，土板结得厉害，化肥越用越多，产量反而往下走",
            ),
            Sc("有机肥", "菌剂活菌数稳定", "菌剂放上两三个月活菌数就掉一半，经销商那边老是退货"),
            Sc("柑橘种植", "绿色防控", "柑橘黄龙病和溃疡病防不住，打药打得多了，农残检测又过不了"),
        ),
        keywords=("微生物菌剂", "生物有机肥", "土壤改良", "发酵", "绿色农业"),
        unit="亩",
        scale=(1000, 200000),
    ),
    Theme(
        key="bm_rice",
        field=BM,
        industry="A",
        kind="breeding",
        subjects=(
            S("水稻新品种"),
            S("再生稻品种"),
            S("富硒水稻品种"),
            S("杂交水稻组合"),
            S("香型水稻品种"),
        ),
        methods=("分子标记辅助选择", "基因编辑", "远缘杂交", "全基因组选择"),
        features=("高效栽培配套", "机插秧配套栽培", "种子繁育", "绿色防控配套"),
        applications=("水稻生产", "再生稻种植", "稻虾共作", "优质稻米加工"),
        weaknesses=(
            "品种抗病性差、产量不稳定",
            "米质一般、市场竞争力弱",
            "高温年份结实率低",
        ),
        gains=(
            G("亩产", "提高", 8, 20),
            G("稻瘟病发病率", "降低", 30, 60),
            G("整精米率", "提高", 5, 15),
            G("农药用量", "减少", 20, 40),
        ),
        targets=(
            T("亩产", "公斤", 480, 520, 600, 680),
            T("整精米率", "%", 50, 58, 65, 72),
        ),
        scenarios=(
            Sc(
                "水稻种植", "优质抗病品种", "我们合作社种的稻子这两年稻瘟病厉害，打了几遍药还是减产"
            ),
            Sc("稻米加工", "优质稻品种更新", "收来的稻谷整精米率低，碎米多，大米卖不上价"),
            Sc("稻虾综合种养", "稻虾共作品种选育", "稻虾田里的稻子容易倒伏，收割也麻烦"),
        ),
        keywords=("水稻", "育种", "新品种", "再生稻", "分子标记"),
        unit="亩",
        scale=(2000, 500000),
    ),
    Theme(
        key="bm_livestock",
        field=BM,
        industry="A",
        kind="material",
        subjects=(
            S("仔猪替抗微生态制剂", a=("生猪养殖",)),
            S("小龙虾专用配合饲料", a=("小龙虾养殖", "稻虾共作")),
            S("水产动物免疫增强剂", a=("淡水鱼养殖", "小龙虾养殖")),
            S("蛋鸡功能性饲料添加剂", a=("蛋鸡养殖",)),
            S("畜禽粪污发酵菌剂", a=("生猪养殖", "畜禽粪污资源化")),
        ),
        methods=("液体深层发酵", "微囊包被", "中草药复配", "固态发酵"),
        features=("菌种定向筛选", "耐高温制粒", "营养配方优化", "肠道菌群调控"),
        applications=("生猪养殖",),
        weaknesses=(
            "养殖病害多、抗生素使用受限",
            "饲料转化率低、养殖成本高",
            "粪污处理难、臭气扰民",
        ),
        gains=(
            G("饲料转化率", "提高", 5, 12),
            G("发病率", "降低", 30, 60),
            G("成活率", "提高", 5, 15),
            G("养殖成本", "降低", 8, 18),
        ),
        targets=(
            T("仔猪腹泻率", "%", 15, 25, 5, 8),
            T("养殖成活率", "%", 60, 70, 85, 92),
        ),
        scenarios=(
            Sc(
                "生猪养殖",
                "替抗饲料添加剂",
                "饲料里不让加抗生素以后，仔猪拉稀的多了，成活率掉了好几个点",
            ),
            Sc(
                "小龙虾养殖",
                "养殖病害绿色防控",
                "去年虾塘里发病死了一大片，损失一百多万，现在养的人都怕",
            ),
            Sc("饲料", "饲料配方优化", "豆粕价格涨得厉害，饲料成本压不下来，想找替代配方"),
        ),
        keywords=("饲料", "替抗", "微生态制剂", "养殖", "小龙虾"),
        unit="吨",
        scale=(500, 30000),
    ),
    # 航空航天
    Theme(
        key="as_drone",
        field=AS,
        industry="C",
        kind="device",
        subjects=(
            S("植保无人机", a=("农业植保", "林业防治")),
            S("长航时固定翼无人机", a=("国土测绘", "应急救援")),
            S("电力巡检无人机", a=("电力巡检", "光伏电站运维")),
            S("系留无人机", a=("应急通信", "大型活动安保")),
            S("物流配送无人机", a=("山区物流", "海岛配送")),
        ),
        methods=("自主避障", "RTK高精度定位", "集群协同控制", "氢燃料电池动力"),
        features=("航迹自动规划", "变量喷洒控制", "电池快速换电", "图像实时回传"),
        applications=("农业植保",),
        weaknesses=(
            "续航时间短、作业效率低",
            "复杂环境下避障能力不足",
            "人工巡检危险、效率低",
        ),
        gains=(
            G("续航时间", "延长", 30, 80),
            G("作业效率", "提高", 2, 5, "倍"),
            G("农药用量", "减少", 20, 40),
            G("巡检成本", "降低", 40, 70),
        ),
        targets=(
            T("续航时间", "分钟", 25, 35, 60, 90),
            T("定位精度", "cm", 50, 100, 2, 5),
        ),
        scenarios=(
            Sc("电力运维", "无人机自主巡检", "山里的线路巡一次要走好几天，遇到下雨天根本上不去"),
            Sc("植保服务", "精准变量喷洒", "打药的时候风一大就飘，药打到邻居田里还要赔钱"),
            Sc(
                "无人机整机",
                "无人机续航提升",
                "无人机电池一块只能飞二十多分钟，一天光换电池就要带十几块",
            ),
        ),
        keywords=("无人机", "植保", "电力巡检", "自主飞行", "避障"),
        unit="架",
        scale=(50, 2000),
    ),
    Theme(
        key="as_parts",
        field=AS,
        industry="C",
        kind="process",
        subjects=(
            S("航空发动机叶片精密加工", m=("五轴联动加工", "自适应加工", "数字化测量")),
            S("飞机结构件数字化装配", m=("数字化测量", "自动钻铆")),
            S("钛合金航空紧固件制造", m=("精密锻造", "冷镦成形", "滚压强化")),
            S("起落架零部件表面强化", m=("喷丸强化", "激光冲击强化", "超音速火焰喷涂")),
            S("航空复合材料壁板检测", m=("超声相控阵", "红外热成像")),
        ),
        methods=("精密锻造", "喷丸强化", "超声相控阵检测", "数字化测量"),
        features=("残余应力控制", "表面完整性控制", "变形补偿", "缺陷自动识别"),
        applications=("民用飞机", "航空发动机", "通用航空", "无人机"),
        weaknesses=(
            "加工精度要求高、一次合格率低",
            "疲劳寿命不足",
            "检测依赖人工、效率低",
        ),
        gains=(
            G("疲劳寿命", "提高", 30, 100),
            G("一次合格率", "提高", 10, 25),
            G("加工周期", "缩短", 20, 50),
            G("检测效率", "提高", 2, 5, "倍"),
        ),
        targets=(
            T("一次交检合格率", "%", 82, 88, 95, 98),
            T("疲劳寿命", "万次", 50, 80, 120, 200),
        ),
        scenarios=(
            Sc(
                "航空零部件",
                "航空零件表面强化",
                "主机厂对零件疲劳寿命要求提高了一倍，我们现有的工艺达不到",
            ),
            Sc("精密锻件", "锻件变形控制", "钛合金件锻完变形大，后面校形要花很多工时"),
            Sc("航空复材零件", "自动化无损检测", "无损检测还是人工看超声波形，检一个件要半个小时"),
        ),
        keywords=("航空零部件", "喷丸强化", "无损检测", "钛合金", "精密锻造"),
        unit="件/年",
        scale=(2000, 50000),
        suffixes=("技术", "工艺"),
    ),
    Theme(
        key="as_remote_sensing",
        field=AS,
        industry="I",
        kind="software",
        subjects=(
            S("遥感影像智能解译"),
            S("地质灾害监测预警"),
            S("地表形变监测"),
            S("农作物长势监测与估产"),
            S("自然资源变化检测"),
        ),
        methods=("深度学习", "InSAR干涉测量", "多源遥感数据融合", "北斗高精度定位"),
        features=("变化检测算法", "时序分析", "样本库构建", "云端处理流程"),
        applications=("自然资源管理", "地质灾害防治", "农业保险", "水利工程"),
        weaknesses=(
            "人工解译工作量大、时效性差",
            "监测点位稀疏、难以大范围覆盖",
            "监测精度不满足业务需求",
        ),
        gains=(
            G("解译效率", "提高", 5, 20, "倍"),
            G("监测覆盖范围", "扩大", 3, 10, "倍"),
            G("外业核查工作量", "减少", 40, 70),
            G("预警提前时间", "延长", 30, 100),
        ),
        targets=(
            T("变化图斑识别准确率", "%", 70, 80, 90, 95),
            T("形变监测精度", "mm", 10, 20, 2, 5),
        ),
        scenarios=(
            Sc(
                "测绘地理信息",
                "遥感影像自动解译",
                "每个季度的卫片核查全靠人一张张比对，几个人要干一个多月",
            ),
            Sc("地质勘查", "大范围形变监测", "山区滑坡点多，装监测站成本太高，只能装几个重点的"),
            Sc("农业保险", "农业遥感定损", "农险定损要派人下田，一个县跑下来要两周"),
        ),
        keywords=("卫星遥感", "北斗", "InSAR", "地质灾害", "遥感解译"),
        unit="套",
        scale=(5, 100),
        suffixes=("系统", "平台"),
    ),
    Theme(
        key="as_mro",
        field=AS,
        industry="G",
        kind="software",
        subjects=(
            S("航空发动机孔探智能检测"),
            S("机载设备自动测试"),
            S("飞机结构腐蚀检测"),
            S("起落架健康监测"),
        ),
        methods=("深度学习", "涡流检测", "自动测试总线", "红外热成像"),
        features=("损伤自动识别", "测试程序自动生成", "腐蚀定量评估", "故障隔离"),
        applications=("航空公司机务维修", "通用航空", "航空维修企业", "无人机运维"),
        weaknesses=(
            "检测依赖人工经验、效率低",
            "测试设备型号多、通用性差",
            "早期损伤难以发现",
        ),
        gains=(
            G("检测时间", "缩短", 40, 70),
            G("故障隔离准确率", "提高", 20, 40),
            G("维修成本", "降低", 15, 30),
            G("漏检率", "降低", 50, 80),
        ),
        targets=(
            T("损伤识别准确率", "%", 80, 88, 95, 98),
            T("单台设备测试时间", "小时", 4, 8, 0.5, 1),
        ),
        scenarios=(
            Sc(
                "航空维修",
                "孔探图像智能识别",
                "孔探检查一台发动机要看好几个小时，全靠检验员盯着屏幕找裂纹",
            ),
            Sc("机载设备", "通用自动测试", "各型号机载设备都要单独配测试台，设备一堆利用率又低"),
            Sc("通航运营", "结构腐蚀检测", "老旧飞机腐蚀检查工作量大，漏一处就是安全隐患"),
        ),
        keywords=("航空维修", "孔探", "自动测试", "无损检测", "红外热成像"),
        unit="套",
        scale=(5, 100),
        suffixes=("系统", "装置"),
    ),
    # 新能源与节能
    Theme(
        key="ne_pv",
        field=NE,
        industry="C",
        kind="material",
        subjects=(
            S("高效异质结太阳能电池"),
            S("钙钛矿/晶硅叠层电池"),
            S("双面光伏组件"),
            S("柔性钙钛矿光伏组件"),
            S("TOPCon太阳能电池"),
        ),
        methods=("低温银浆印刷", "激光划线", "溶液法涂布", "原子层沉积"),
        features=("界面钝化", "缺陷态抑制", "封装材料优化", "减反射膜设计"),
        applications=("分布式光伏", "光伏建筑一体化", "农光互补", "大型地面电站"),
        weaknesses=(
            "转换效率提升遇到瓶颈",
            "长期稳定性不足",
            "银浆耗量大、制造成本高",
        ),
        gains=(
            G("光电转换效率", "提高", 0.8, 2.5, "个百分点"),
            G("功率衰减", "降低", 30, 60),
            G("银浆耗量", "降低", 20, 40),
            G("度电成本", "降低", 8, 15),
        ),
        targets=(
            T("组件光电转换效率", "%", 21.0, 22.5, 24.0, 26.0),
            T("首年衰减率", "%", 2.0, 3.0, 1.0, 1.5),
        ),
        scenarios=(
            Sc(
                "光伏组件", "光伏组件衰减控制", "组件装在屋顶上两年，衰减比承诺的多，业主找我们扯皮"
            ),
            Sc("光伏电池片", "降低银浆耗量", "银浆价格涨得厉害，电池片成本里它占了一大块"),
            Sc(
                "光伏电站运营",
                "组件清洗运维",
                "电站在山上，组件脏了清洗一次费用很高，发电量又掉得厉害",
            ),
        ),
        keywords=("光伏", "异质结", "钙钛矿", "太阳能电池", "分布式光伏"),
        unit="MW",
        scale=(50, 2000),
    ),
    Theme(
        key="ne_storage",
        field=NE,
        industry="D",
        kind="software",
        subjects=(
            S("储能电池管理"),
            S("锂电池健康状态评估"),
            S("储能电站热失控预警"),
            S("退役电池快速分选"),
            S("液冷储能温控"),
        ),
        methods=("电化学阻抗谱", "大数据分析", "多参数融合", "数字孪生"),
        features=("荷电状态精确估算", "单体均衡控制", "早期故障诊断", "温度场均衡"),
        applications=("电网侧储能", "工商业储能", "新能源汽车", "通信基站"),
        weaknesses=(
            "电池一致性差、可用容量衰减快",
            "热失控事故难以提前预警",
            "退役电池检测效率低",
        ),
        gains=(
            G("SOC估算误差", "降低", 40, 70),
            G("电池可用容量", "提高", 5, 12),
            G("预警提前时间", "延长", 2, 5, "倍"),
            G("分选效率", "提高", 3, 8, "倍"),
        ),
        targets=(
            T("SOC估算误差", "%", 5, 8, 1, 2),
            T("电芯最大温差", "℃", 8, 12, 2, 3),
        ),
        scenarios=(
            Sc("储能系统集成", "储能温控系统", "储能柜里电芯温差大，跑一年容量掉得比预期快"),
            Sc(
                "梯次利用电池",
                "退役电池快速分选",
                "退役电池回收回来，一块块测要好几个小时，分选成本太高",
            ),
            Sc(
                "工商业储能",
                "储能热失控预警",
                "客户最担心着火，问我们有没有提前预警的办法，我们也拿不出来",
            ),
        ),
        keywords=("储能", "电池管理", "热失控", "梯次利用", "电池健康状态"),
        unit="套",
        scale=(10, 500),
        suffixes=("系统", "装置", "平台"),
    ),
    Theme(
        key="ne_hydrogen",
        field=NE,
        industry="C",
        kind="device",
        subjects=(
            S("质子交换膜燃料电池电堆", m=("金属双极板成型", "卷对卷涂布")),
            S("碱性电解水制氢电极", m=("非贵金属催化", "等离子喷涂")),
            S("高压储氢气瓶", m=("碳纤维缠绕", "内胆旋压")),
            S("燃料电池膜电极", m=("卷对卷涂布", "非贵金属催化")),
            S("PEM电解槽", m=("非贵金属催化", "金属双极板成型")),
        ),
        methods=("非贵金属催化", "卷对卷涂布", "碳纤维缠绕"),
        features=("催化剂载量降低", "流场优化", "抗氧化涂层", "密封结构设计"),
        applications=("氢燃料电池汽车", "绿氢制备", "分布式发电", "化工用氢"),
        weaknesses=(
            "铂催化剂用量大、成本高",
            "电解能耗高",
            "寿命短、耐久性不足",
        ),
        gains=(
            G("铂载量", "降低", 30, 60),
            G("电解能耗", "降低", 8, 15),
            G("电堆寿命", "延长", 50, 100),
            G("功率密度", "提高", 15, 35),
        ),
        targets=(
            T("制氢电耗", "kWh/Nm³", 4.8, 5.2, 4.2, 4.4),
            T("电堆寿命", "小时", 5000, 8000, 15000, 20000),
        ),
        scenarios=(
            Sc(
                "工业气体",
                "电解水制氢降耗",
                "我们想上绿氢项目，算下来电费占制氢成本七成，电解槽能耗得降下来",
            ),
            Sc("燃料电池系统", "燃料电池耐久性提升", "燃料电池车跑了几千小时，电堆性能就明显衰减"),
            Sc("燃料电池零部件", "膜电极国产化", "膜电极全靠外购，价格贵而且一致性不好"),
        ),
        keywords=("氢能", "燃料电池", "电解水制氢", "膜电极", "储氢"),
        unit="套",
        scale=(10, 500),
    ),
    Theme(
        key="ne_saving",
        field=NE,
        industry="C",
        kind="process",
        subjects=(
            S("工业余热梯级回收", m=("有机朗肯循环", "高温热泵"), a=("钢铁冶金", "建材", "化工")),
            S("空压站智能群控节能", m=("变频调速", "智能群控"), a=("机械制造", "纺织", "电子制造")),
            S("陶瓷窑炉燃烧优化", m=("富氧燃烧", "智能配风"), a=("建筑陶瓷", "日用陶瓷")),
            S(
                "蒸汽管网节能改造",
                m=("疏水阀智能监测", "纳米气凝胶保温"),
                a=("化工园区", "食品加工", "纺织印染"),
            ),
            S("工业循环水系统节能", m=("变频调速", "智能群控"), a=("化工", "钢铁冶金")),
        ),
        methods=("变频调速", "高温热泵"),
        features=("负荷预测", "运行参数寻优", "余热品位匹配", "能耗在线计量"),
        applications=("化工", "建材"),
        weaknesses=(
            "大量中低温余热直接排放",
            "设备长期低效运行",
            "能源计量粗放、节能潜力不清",
        ),
        gains=(
            G("综合能耗", "降低", 10, 30),
            G("余热回收率", "提高", 20, 50),
            G("电耗", "降低", 8, 25),
            G("碳排放", "减少", 10, 30),
        ),
        targets=(
            T("排烟温度", "℃", 180, 250, 80, 120),
            T("空压站比功率", "kW/(m³/min)", 7.5, 8.5, 6.0, 6.5),
        ),
        scenarios=(
            Sc("玻璃制品", "余热回收利用", "烟气出口温度两百多度就直接排了，看着都心疼"),
            Sc(
                "机械制造",
                "空压站节能改造",
                "一年电费三千多万，空压机房占了小一半，也不知道从哪里下手",
            ),
            Sc(
                "建筑陶瓷",
                "窑炉节能降耗",
                "双碳考核压力大，上面给的能耗指标用得差不多了，再扩产就卡住了",
            ),
        ),
        keywords=("节能", "余热回收", "热泵", "变频", "碳减排"),
        unit="套",
        scale=(5, 200),
        suffixes=("技术", "工艺"),
    ),
    Theme(
        key="ne_grid",
        field=NE,
        industry="D",
        kind="software",
        subjects=(
            S("配电网故障定位", f=("故障自愈", "行波信号提取", "故障区段判别")),
            S("光储充一体化能量管理", f=("多目标优化调度", "新能源功率预测", "负荷精准预测")),
            S("虚拟电厂聚合调控", f=("负荷精准预测", "多目标优化调度", "可调节资源画像")),
            S("变压器状态在线监测", f=("油中溶解气体分析", "局部放电识别", "绕组温度反演")),
            S("源网荷储协同调度", f=("多目标优化调度", "新能源功率预测", "负荷精准预测")),
        ),
        methods=("边缘计算", "模型预测控制", "行波测距", "深度强化学习"),
        features=("故障自愈", "多目标优化调度", "负荷精准预测", "新能源功率预测"),
        applications=("城市配电网", "工业园区", "充电站", "农村电网"),
        weaknesses=(
            "故障定位慢、停电时间长",
            "新能源波动大、消纳困难",
            "峰谷电价红利难以兑现",
        ),
        gains=(
            G("故障定位时间", "缩短", 60, 90),
            G("新能源消纳率", "提高", 10, 25),
            G("用电成本", "降低", 10, 20),
            G("负荷预测误差", "降低", 30, 50),
        ),
        targets=(
            T("故障定位精度", "米", 500, 1000, 50, 100),
            T("负荷预测准确率", "%", 85, 90, 95, 98),
        ),
        scenarios=(
            Sc(
                "农村供电",
                "配网故障快速定位",
                "农网线路长，一跳闸就要沿线一级一级去找，找到故障点往往要好几个小时",
            ),
            Sc(
                "产业园区运营",
                "光储充协同调度",
                "园区装了光伏又装了储能，但各管各的，峰谷电价的好处没吃到",
            ),
            Sc("售电服务", "负荷聚合与预测", "代理的用户用电偏差大，每个月偏差考核费用几十万"),
        ),
        keywords=("智能电网", "能量管理", "虚拟电厂", "配电网", "故障定位"),
        unit="套",
        scale=(10, 300),
        suffixes=("系统", "平台", "装置"),
    ),
    Theme(
        key="ne_ev",
        field=NE,
        industry="C",
        kind="device",
        subjects=(
            S("电驱动总成", m=("扁线绕组", "油冷散热")),
            S("车用热泵空调系统", m=("补气增焓", "余热回收")),
            S("轮毂电机", m=("轴向磁通", "油冷散热")),
            S("驱动电机控制器", m=("碳化硅功率器件", "模型预测控制")),
            S("电池包轻量化箱体", m=("铝合金挤压", "复合材料模压")),
        ),
        methods=("扁线绕组", "油冷散热"),
        features=("NVH优化", "热管理集成", "控制算法优化", "高压安全设计"),
        applications=("新能源乘用车", "新能源商用车", "电动工程机械", "电动物流车"),
        weaknesses=(
            "冬季续航衰减严重",
            "功率密度低、体积大",
            "噪声振动大",
        ),
        gains=(
            G("冬季续航", "提升", 15, 30),
            G("功率密度", "提高", 20, 40),
            G("系统效率", "提高", 2, 5, "个百分点"),
            G("整机重量", "减轻", 10, 25),
        ),
        targets=(
            T("电驱系统最高效率", "%", 94, 95, 97, 98),
            T("电机功率密度", "kW/kg", 2, 3, 4, 5),
        ),
        scenarios=(
            Sc(
                "汽车空调",
                "热泵空调低温性能提升",
                "北方客户反映冬天续航掉一半，主机厂要我们的热泵方案明年上车",
            ),
            Sc("电机", "电机噪声抑制", "电机高速的时候啸叫，整车NVH评审一直过不了"),
            Sc(
                "汽车零部件",
                "新能源汽车零部件转型",
                "我们做传统汽车零部件的，想转新能源，但电驱这块没有技术积累",
            ),
            Sc(
                "专用车",
                "电动专用车电驱集成",
                "环卫车改电动，上装和底盘都要用电，现有电驱方案功率不够",
            ),
        ),
        keywords=("新能源汽车", "电驱动", "热泵", "电机", "热管理"),
        unit="台（套）",
        scale=(500, 50000),
    ),
    # 资源与环境
    Theme(
        key="re_water",
        field=RE,
        industry="N",
        kind="process",
        subjects=(
            S("高盐废水零排放处理", a=("化工园区", "煤化工")),
            S("农村生活污水一体化处理", a=("农村人居环境整治", "乡镇污水处理")),
            S("印染废水深度处理", a=("印染行业", "纺织园区")),
            S("垃圾渗滤液处理", a=("垃圾填埋场", "垃圾焚烧厂")),
            S("含磷废水深度除磷", a=("磷化工", "污水处理厂提标")),
        ),
        methods=("膜生物反应器（MBR）", "高级氧化", "厌氧氨氧化", "电催化氧化"),
        features=("分盐结晶", "生物膜强化", "药剂精准投加", "污泥减量"),
        applications=("化工园区",),
        weaknesses=(
            "处理成本高、运行不稳定",
            "出水难以稳定达标",
            "污泥产量大、处置费用高",
        ),
        gains=(
            G("吨水处理成本", "降低", 20, 45),
            G("污泥产量", "减少", 30, 60),
            G("COD去除率", "提高", 10, 25),
            G("药剂消耗", "降低", 20, 40),
        ),
        targets=(
            T("出水COD", "mg/L", 80, 120, 30, 50),
            T("出水总磷", "mg/L", 1, 2, 0.3, 0.5),
        ),
        scenarios=(
            Sc(
                "精细化工",
                "高盐废水处理",
                "我们园区废水含盐高，现在的蒸发装置三天两头结垢，清洗一次停好几天",
            ),
            Sc("磷化工", "废水稳定达标", "环保要求出水总磷0.5以下，现在加药量翻了一倍还是时好时坏"),
            Sc("印染", "污泥减量", "污泥一年要拉走上万吨，处置费涨到每吨三百多"),
            Sc(
                "乡镇污水处理运营",
                "降低运维成本",
                "我们运营几十个村级污水站，分散得很，派人跑一圈要一个星期",
            ),
        ),
        keywords=("废水处理", "零排放", "污水处理", "高级氧化", "MBR"),
        unit="吨/日",
        scale=(100, 20000),
        suffixes=("技术", "工艺"),
    ),
    Theme(
        key="re_solid",
        field=RE,
        industry="N",
        kind="process",
        subjects=(
            S("磷石膏综合利用", m=("高温煅烧", "杂质深度净化"), a=("磷化工", "新型建材")),
            S(
                "废旧锂电池有价金属回收",
                m=("湿法冶金", "选择性浸出"),
                a=("动力电池回收", "再生资源"),
            ),
            S("建筑垃圾再生骨料", m=("机械力活化", "多级破碎筛分"), a=("道路工程", "新型建材")),
            S("餐厨垃圾资源化", m=("厌氧发酵", "好氧堆肥"), a=("城市环卫", "生物天然气")),
            S("钢渣微粉制备", m=("机械力活化", "多级破碎筛分"), a=("新型建材", "道路工程")),
        ),
        methods=("湿法冶金", "厌氧发酵"),
        features=("杂质深度去除", "产物高值化", "工艺连续化", "二次污染控制"),
        applications=("新型建材",),
        weaknesses=(
            "堆存量大、占用土地",
            "资源化产品附加值低",
            "存在二次污染风险",
        ),
        gains=(
            G("资源回收率", "提高", 5, 15),
            G("处理成本", "降低", 20, 40),
            G("产品附加值", "提高", 30, 80),
            G("综合利用率", "提高", 20, 50),
        ),
        targets=(
            T("综合利用率", "%", 30, 45, 70, 85),
            T("锂回收率", "%", 80, 85, 92, 95),
        ),
        scenarios=(
            Sc(
                "磷化工",
                "磷石膏综合利用",
                "磷石膏每年新增两百多万吨，渣场快堆满了，政府要求以渣定产",
            ),
            Sc(
                "再生资源",
                "废旧电池回收提锂",
                "回收的电池黑粉卖给别人只能拿个原料价，自己提锂回收率又上不去",
            ),
            Sc("城市环卫", "餐厨垃圾处理", "餐厨垃圾含油含盐高，发酵罐经常酸化，产气不稳定"),
            Sc(
                "钢铁", "钢渣资源化利用", "我们厂每年有几十万吨钢渣堆着，想做成建材又怕安定性不过关"
            ),
        ),
        keywords=("固废资源化", "磷石膏", "电池回收", "综合利用", "建筑垃圾"),
        unit="万吨/年",
        scale=(1, 100),
        suffixes=("技术", "工艺"),
    ),
    Theme(
        key="re_air",
        field=RE,
        industry="N",
        kind="process",
        subjects=(
            S(
                "工业VOCs治理",
                m=("蓄热式催化燃烧", "沸石转轮吸附浓缩"),
                a=("汽车涂装", "包装印刷", "家具制造"),
            ),
            S("烟气超低排放", m=("低温SCR脱硝", "湿式电除尘"), a=("钢铁烧结", "燃煤锅炉")),
            S("恶臭气体治理", m=("生物滤池", "低温等离子"), a=("垃圾处理", "污水处理厂")),
            S("玻璃窑炉烟气脱硝", m=("低温SCR脱硝", "陶瓷滤管一体化"), a=("玻璃制造", "建材")),
        ),
        methods=("蓄热式催化燃烧", "低温SCR脱硝"),
        features=("催化剂抗中毒", "吸附剂再生", "智能风量调节", "多污染物协同治理"),
        applications=("汽车涂装",),
        weaknesses=(
            "活性炭频繁更换、运行成本高",
            "处理效率不稳定",
            "能耗高、二次污染风险大",
        ),
        gains=(
            G("VOCs去除率", "提高", 10, 25),
            G("运行成本", "降低", 30, 50),
            G("能耗", "降低", 20, 40),
            G("危废产生量", "减少", 50, 80),
        ),
        targets=(
            T("非甲烷总烃排放浓度", "mg/m³", 50, 80, 10, 20),
            T("氮氧化物排放浓度", "mg/m³", 100, 150, 30, 50),
        ),
        scenarios=(
            Sc(
                "汽车零部件涂装",
                "VOCs高效治理",
                "喷漆房的活性炭两周就要换一次，换下来都是危废，一年光这块就要几十万",
            ),
            Sc("生物发酵", "异味治理", "周边居民老是投诉有气味，环保局来了好几次"),
            Sc("钢铁", "烟气脱硝提标", "烟气提标改造以后，脱硝剂用量大增，氨逃逸又超"),
        ),
        keywords=("VOCs", "废气治理", "催化燃烧", "脱硝", "超低排放"),
        unit="套",
        scale=(5, 200),
        suffixes=("技术", "工艺"),
    ),
    Theme(
        key="re_remediation",
        field=RE,
        industry="N",
        kind="process",
        subjects=(
            S(
                "重金属污染耕地修复",
                m=("钝化剂原位稳定化", "植物-微生物联合修复"),
                a=("耕地安全利用",),
            ),
            S("废弃矿山生态修复", m=("客土喷播", "植物-微生物联合修复"), a=("废弃矿山治理",)),
            S("石油污染土壤修复", m=("微生物降解", "热脱附"), a=("油田", "化工场地")),
            S("湖泊蓝藻水华治理", m=("生态浮岛", "沉水植物群落构建"), a=("湖泊水环境治理",)),
            S("黑臭水体生态治理", m=("生态浮岛", "底泥原位修复"), a=("城市黑臭水体",)),
        ),
        methods=("植物-微生物联合修复", "生态浮岛"),
        features=("钝化剂配方优化", "土著菌强化", "植被快速恢复", "长效监测"),
        applications=("生态环境治理",),
        weaknesses=(
            "修复周期长、成本高",
            "容易反弹、效果不持久",
            "存在二次污染风险",
        ),
        gains=(
            G("修复周期", "缩短", 30, 60),
            G("修复成本", "降低", 30, 50),
            G("污染物去除率", "提高", 20, 40),
            G("植被覆盖度", "提高", 30, 60),
        ),
        targets=(
            T("稻米镉含量", "mg/kg", 0.3, 0.5, 0.1, 0.18),
            T("植被覆盖率", "%", 20, 35, 80, 90),
        ),
        scenarios=(
            Sc(
                "生态修复工程",
                "重金属污染耕地修复",
                "承接的耕地修复项目要求三年内稻米镉达标，现在的钝化剂效果一年不如一年",
            ),
            Sc(
                "矿山开采", "矿山边坡生态修复", "废弃矿山边坡陡、土壤贫瘠，种下去的草活不过一个冬天"
            ),
            Sc("水环境治理", "蓝藻水华治理", "湖里每到夏天就冒蓝藻，投了不少钱，治了又反弹"),
        ),
        keywords=("土壤修复", "生态修复", "重金属", "水环境治理", "矿山修复"),
        unit="亩",
        scale=(200, 20000),
        suffixes=("技术", "工艺"),
    ),
    Theme(
        key="re_mining",
        field=RE,
        industry="B",
        kind="process",
        subjects=(
            S("中低品位磷矿浮选", a=("磷矿开采", "磷化工")),
            S("尾矿有价元素综合回收", a=("有色金属选矿", "尾矿库治理")),
            S("鳞片石墨提纯", a=("石墨加工", "锂电负极材料")),
            S("铜铁共伴生矿综合利用", a=("有色金属选矿", "钢铁原料")),
            S("矿山尾砂充填", a=("地下矿山", "尾矿库治理")),
        ),
        methods=("高效浮选", "微波辅助焙烧", "高压辊磨", "膏体充填"),
        features=("新型捕收剂", "选冶联合", "智能配矿", "尾矿减量"),
        applications=("磷矿开采",),
        weaknesses=(
            "矿石品位低、回收率低",
            "尾矿堆存安全风险大",
            "能耗药耗高",
        ),
        gains=(
            G("精矿回收率", "提高", 5, 15),
            G("药剂消耗", "降低", 20, 40),
            G("选矿能耗", "降低", 10, 25),
            G("尾矿利用率", "提高", 30, 60),
        ),
        targets=(
            T("精矿品位", "%", 26, 28, 30, 32),
            T("选矿回收率", "%", 75, 82, 88, 92),
        ),
        scenarios=(
            Sc(
                "磷矿",
                "低品位矿高效选别",
                "矿山剩下的都是低品位矿，按现在的工艺选出来的精矿品位达不到下游要求",
            ),
            Sc("有色金属矿山", "尾矿综合利用", "尾矿库快满了，新建审批很难，只能想办法把尾矿用掉"),
            Sc("选矿", "选矿药剂降耗", "浮选药剂一年要花好几千万，想降又怕回收率掉"),
        ),
        keywords=("选矿", "浮选", "尾矿", "磷矿", "综合利用"),
        unit="万吨/年",
        scale=(10, 300),
        suffixes=("技术", "工艺"),
    ),
    # 高技术服务
    Theme(
        key="hs_testing",
        field=HS,
        industry="M",
        kind="service",
        subjects=(
            S("新能源汽车零部件检测认证", a=("汽车零部件", "新能源汽车")),
            S("电子产品可靠性测试", a=("电子信息", "家电")),
            S("工业产品碳足迹核算", a=("出口外贸", "汽车零部件", "家电")),
            S("食品安全检测", a=("食品加工", "餐饮连锁")),
        ),
        methods=("加速寿命试验", "全生命周期评价（LCA）", "多元素同步检测", "失效分析"),
        features=("检测方法标准化", "数据自动采集", "检测结果可溯源", "实验室信息管理"),
        applications=("出口外贸",),
        weaknesses=(
            "检测周期长、费用高",
            "中小企业缺乏检测能力",
            "出口产品面临碳壁垒",
        ),
        gains=(
            G("检测周期", "缩短", 30, 60),
            G("检测费用", "降低", 20, 40),
            G("报告出具时间", "缩短", 40, 70),
            G("一次送检通过率", "提高", 15, 30),
        ),
        targets=(
            T("检测周期", "天", 15, 30, 5, 7),
            T("一次送检通过率", "%", 60, 70, 85, 95),
        ),
        scenarios=(
            Sc(
                "出口家电",
                "产品碳足迹核算",
                "欧盟客户要我们提供产品碳足迹报告，我们完全不知道从哪里算起",
            ),
            Sc(
                "电子产品", "可靠性测试", "产品送到外地检测，排队加测试要一个多月，新品上市都赶不上"
            ),
            Sc(
                "汽车零部件",
                "检测认证辅导",
                "第一次送检没通过，整改了再送又是一轮，费用和时间都耗不起",
            ),
        ),
        keywords=("检验检测", "认证", "碳足迹", "可靠性", "失效分析"),
        unit="家企业",
        scale=(50, 800),
        suffixes=("服务", "服务平台"),
    ),
    Theme(
        key="hs_ip",
        field=HS,
        industry="L",
        kind="service",
        subjects=(
            S("专利导航分析"),
            S("科技成果评价"),
            S("技术转移全流程"),
            S("知识产权质押融资评估"),
        ),
        methods=("专利大数据分析", "技术就绪度评价", "价值评估模型", "知识图谱"),
        features=("专利地图绘制", "侵权风险预警", "评估模型优化", "技术经纪人陪跑"),
        applications=("高新技术企业", "科技型中小企业", "高校院所", "科技金融"),
        weaknesses=(
            "企业研发方向不清、重复投入",
            "科技成果价值难以评估",
            "知识产权融资难",
        ),
        gains=(
            G("研发立项周期", "缩短", 20, 40),
            G("专利授权率", "提高", 15, 30),
            G("评估周期", "缩短", 40, 70),
            G("融资对接成功率", "提高", 20, 50),
        ),
        targets=(
            T("评估报告出具周期", "个工作日", 20, 30, 7, 10),
            T("专利授权率", "%", 50, 60, 75, 85),
        ),
        scenarios=(
            Sc("智能装备", "专利布局", "准备申报专精特新，发现我们的专利数量和质量都不够"),
            Sc("新材料", "知识产权质押融资", "想拿专利去银行质押贷款，但银行说评估不了价值"),
            Sc("电子元器件", "研发方向咨询", "研发投了不少钱，做出来才发现别人早就有专利了"),
        ),
        keywords=("知识产权", "专利导航", "成果评价", "技术转移", "科技金融"),
        unit="家企业",
        scale=(50, 600),
        suffixes=("服务", "服务平台"),
    ),
    Theme(
        key="hs_simulation",
        field=HS,
        industry="M",
        kind="service",
        subjects=(
            S("产品结构仿真优化"),
            S("流体仿真分析"),
            S("虚拟样机验证"),
            S("电磁兼容设计"),
        ),
        methods=("有限元分析", "计算流体力学（CFD）", "拓扑优化", "多物理场耦合"),
        features=("参数化建模", "轻量化设计", "仿真与试验对标", "设计方案快速迭代"),
        applications=("装备制造", "家电", "汽车零部件", "电子产品"),
        weaknesses=(
            "依赖试错、开发周期长",
            "样机制作费用高",
            "缺少专业仿真人才",
        ),
        gains=(
            G("产品开发周期", "缩短", 30, 50),
            G("样机试制次数", "减少", 40, 70),
            G("结构重量", "减轻", 10, 30),
            G("研发成本", "降低", 20, 40),
        ),
        targets=(
            T("仿真与试验误差", "%", 15, 20, 5, 8),
            T("产品开发周期", "个月", 12, 18, 6, 9),
        ),
        scenarios=(
            Sc("工程机械", "结构仿真优化", "我们开发新产品基本靠打样试错，一个产品要改五六版模具"),
            Sc(
                "家电", "振动噪声问题分析", "产品做振动试验老是断在同一个地方，改了几次也没找到原因"
            ),
            Sc("电子产品", "研发设计外包", "想招仿真工程师，开价两万一个月也没人愿意来"),
        ),
        keywords=("仿真", "有限元", "CFD", "工业设计", "拓扑优化"),
        unit="家企业",
        scale=(30, 500),
        suffixes=("服务", "服务平台"),
    ),
)

THEMES_BY_KEY = {theme.key: theme for theme in THEMES}

# What a demand for a scenario's need is measured by: names of the theme's targets and gains,
# or indicators of its own. A demand whose scenario is missing here uses any of the theme's.
SCENARIO_FOCUS = {
    "正极材料批次一致性提升": (T("批次间容量波动", "%", 3, 5, 0.8, 1.5), "材料成本"),
    "电芯高温性能提升": (T("60℃存储30天体积膨胀率", "%", 8, 15, 2, 4), "高温产气量", "循环寿命"),
    "低能耗烧结工艺": (T("吨产品烧结电耗", "kWh", 3000, 4000, 1800, 2400), "烧结能耗"),
    "长循环储能电池材料": (T("循环寿命", "次", 4000, 6000, 8000, 12000), "材料成本"),
    "复合材料快速成型": ("单件成型周期", "成型周期"),
    "复合材料与金属连接": (T("连接部位疲劳寿命", "万次", 50, 100, 200, 300), "层间剪切强度"),
    "复合材料废料回收": (
        T("废料回收利用率", "%", 0, 10, 60, 80),
        G("固废处置费用", "降低", 50, 80),
    ),
    "碳纤维制品降本": ("制造成本", "构件重量"),
    "水性防腐涂料替代": ("VOC含量", "VOC排放"),
    "长效防腐涂层": ("中性盐雾试验时间", "维护成本"),
    "涂装工艺减道": (T("单件涂装工时", "分钟", 60, 90, 25, 40), "涂装道数"),
    "重防腐涂层性能提升": ("中性盐雾试验时间", "维护成本"),
    "铸件缺陷控制": ("铸件成品率", "成品率"),
    "高强铝合金成分优化": ("抗拉强度", "延伸率"),
    "高导热压铸材料": (T("导热系数", "W/(m·K)", 96, 120, 150, 180), "导热系数"),
    "热处理工艺优化": (T("热处理变形量", "mm", 0.5, 1.0, 0.1, 0.2), "成品率"),
    "可降解地膜降解周期调控": (T("地膜有效覆盖期", "天", 20, 35, 60, 90), "拉伸强度"),
    "可降解包装材料降本": ("材料成本", "拉伸强度"),
    "聚乳酸耐热改性": ("热变形温度", "材料成本"),
    "无卤阻燃改性": ("氧指数", "冲击强度"),
    "导热绝缘材料开发": ("导热系数", "材料成本"),
    "改性塑料外观改善": (T("外观不良率", "%", 8, 15, 1, 2), "冲击强度"),
    "陶瓷烧结变形控制": (T("基板翘曲度", "‰", 3, 5, 0.5, 1.0), "成品率"),
    "陶瓷粉体国产化替代": ("原料成本", "抗弯强度"),
    "低温烧结工艺": (T("烧成温度", "℃", 1700, 1800, 1450, 1550), "烧结能耗"),
    "打磨抛光自动化": (T("单件打磨时间", "分钟", 20, 40, 5, 10), "生产效率", "加工一致性"),
    "小批量柔性焊接": ("换型时间",),
    "机器人焊缝跟踪": (T("焊缝跟踪精度", "mm", 1.0, 2.0, 0.2, 0.5), "生产效率"),
    "喷涂自动化": (T("油漆利用率", "%", 30, 45, 65, 80), "综合成本"),
    "难加工材料切削": ("刀具寿命", "加工效率"),
    "薄壁件变形控制": ("加工精度", "加工变形", "废品率"),
    "加工参数智能优化": ("表面粗糙度Ra", "废品率", "加工效率"),
    "模具加工效率提升": (T("模具加工周期", "天", 30, 45, 15, 20), "加工效率"),
    "关键零部件修复再制造": ("熔覆层结合强度", "修复成本", "零件寿命"),
    "轧辊修复": ("单件修复周期", "零件寿命"),
    "模具激光修复": (T("模具寿命", "万模次", 3, 5, 8, 12), "修复成本"),
    "激光熔覆替代电镀": ("熔覆层结合强度", T("中性盐雾试验时间", "小时", 200, 400, 1000, 1500)),
    "设备预测性维护": ("设备综合效率（OEE）", "非计划停机时间", "运维成本"),
    "生产排程优化": ("订单准时交付率", "库存周转天数"),
    "质量追溯系统建设": (T("质量问题追溯时间", "小时", 24, 72, 0.5, 2.0),),
    "车间能耗监测": (
        T("能耗数据采集覆盖率", "%", 20, 40, 90, 98),
        G("单位产品能耗", "降低", 8, 15),
    ),
    "丘陵山区机械化作业": ("作业损失率", "作业效率", "用工"),
    "再生稻低损收获": (T("头季稻桩碾压率", "%", 30, 40, 10, 15), G("收获损失率", "降低", 30, 60)),
    "农机自动驾驶": ("直线行驶偏差", "作业效率"),
    "智能问答系统": ("问答准确率", "平均响应时间"),
    "合同智能审查": ("单份文件审查时间", "人工审核工作量"),
    "大模型私有化部署": ("问答准确率", "处理效率"),
    "知识图谱构建": (T("文档检索命中率", "%", 40, 60, 85, 95), "处理效率"),
    "光芯片国产化替代": ("单通道速率", "封装成本"),
    "光器件封装良率提升": ("封装良率", "耦合损耗"),
    "高速光模块降功耗": (T("单模块功耗", "W", 10, 12, 6, 8), "功耗"),
    "长距离管道泄漏监测": ("事件定位精度", "监测距离", "误报率"),
    "电缆温度在线监测": ("测温精度", "定位精度"),
    "结构健康在线监测": (T("应变测量精度", "με", 10, 20, 1, 3), "巡检人工"),
    "功率器件散热与可靠性": ("最高结温", "模块热阻"),
    "功率芯片国产化": ("导通损耗", "芯片面积"),
    "车规功率模块封装": ("功率循环次数", "功率循环寿命"),
    "传感器芯片国产化": ("综合精度", "器件成本"),
    "低功耗传感方案": ("待机电流", "待机功耗"),
    "传感器温漂补偿": ("综合精度", "标定时间"),
    "管网漏损监测": ("管网漏损率", "故障发现时间"),
    "冷链温控追溯": (T("温度异常发现时间", "分钟", 120, 480, 1, 5), "运维成本"),
    "设备远程监控": ("巡检人工", "故障发现时间"),
    "养殖水质在线监测": (T("溶解氧异常报警时间", "分钟", 60, 180, 1, 5), "巡检人工"),
    "工控安全防护": ("威胁检出率", "误报率"),
    "隐私计算平台": (G("数据共享审批周期", "缩短", 50, 80), "合规整改工作量"),
    "数据脱敏与分类分级": ("敏感字段识别准确率", "敏感数据识别效率"),
    "背光均匀性改善": ("亮度均匀性", "功耗"),
    "贴合工艺良率提升": ("生产良率",),
    "车载显示光学设计": (T("强光下可视亮度", "nit", 600, 800, 1200, 1500), "对比度"),
    "中药提取工艺升级": ("有效成分提取率", "生产成本"),
    "仿制药一致性评价": (T("溶出曲线相似因子f2", "", 40, 48, 60, 70), "生物利用度"),
    "原料药杂质控制": ("单个杂质含量", "合成收率"),
    "中药质量标准提升": ("批间含量差异", "有效成分提取率"),
    "原料药合成工艺优化": ("合成总收率", "生产成本"),
    "中药大品种二次开发": (T("循证研究病例数", "例", 0, 100, 300, 500), "生产成本"),
    "高值耗材产品升级": (T("注册检验一次通过率", "%", 40, 60, 85, 95), "设备成本"),
    "输液智能监护": ("报警准确率", "护理工作量"),
    "康复设备国产化": ("设备成本", "整机重量"),
    "检测试剂常温化": (T("试剂常温稳定期", "天", 3, 7, 180, 365), "试剂保质期"),
    "样本前处理自动化": (T("单人日处理样本量", "份", 150, 300, 1000, 2000), "检测时间"),
    "快速检测方法开发": ("检测时间", "单人份检测成本"),
    "土壤改良": ("亩产", "化肥用量", "土壤有机质含量"),
    "菌剂活菌数稳定": ("有效活菌数", T("6个月活菌存活率", "%", 30, 50, 80, 90)),
    "绿色防控": ("发病率", G("农药用量", "减少", 30, 50)),
    "优质抗病品种": ("亩产", "稻瘟病发病率", "农药用量"),
    "优质稻品种更新": ("整精米率",),
    "稻虾共作品种选育": (T("倒伏率", "%", 15, 30, 3, 5), "亩产"),
    "替抗饲料添加剂": ("仔猪腹泻率", "成活率"),
    "养殖病害绿色防控": ("养殖成活率", "发病率"),
    "饲料配方优化": (G("豆粕用量", "减少", 15, 30), "饲料转化率", "养殖成本"),
    "无人机自主巡检": ("定位精度", "巡检成本", "作业效率"),
    "精准变量喷洒": (T("雾滴飘移率", "%", 15, 25, 3, 5), "农药用量"),
    "无人机续航提升": ("续航时间",),
    "航空零件表面强化": ("疲劳寿命",),
    "锻件变形控制": (T("锻件变形量", "mm", 2.0, 3.0, 0.3, 0.5), "一次合格率", "加工周期"),
    "自动化无损检测": (T("缺陷检出率", "%", 85, 90, 98, 99.5), "检测效率"),
    "遥感影像自动解译": ("变化图斑识别准确率", "解译效率"),
    "大范围形变监测": ("形变监测精度", "监测覆盖范围"),
    "农业遥感定损": (T("受灾面积识别精度", "%", 75, 85, 92, 96), "外业核查工作量"),
    "孔探图像智能识别": ("损伤识别准确率", "检测时间"),
    "通用自动测试": ("单台设备测试时间", "故障隔离准确率"),
    "结构腐蚀检测": ("漏检率", "检测时间"),
    "光伏组件衰减控制": ("首年衰减率", "功率衰减"),
    "降低银浆耗量": (T("单片银浆耗量", "mg", 100, 120, 60, 80), "银浆耗量"),
    "组件清洗运维": (G("发电量", "提升", 3, 8), G("清洗成本", "降低", 40, 60)),
    "储能温控系统": ("电芯最大温差", "电池可用容量"),
    "退役电池快速分选": (T("单体检测时间", "分钟", 60, 120, 5, 10), "分选效率"),
    "储能热失控预警": (T("热失控预警准确率", "%", 60, 75, 95, 98), "预警提前时间"),
    "电解水制氢降耗": ("制氢电耗", "电解能耗"),
    "燃料电池耐久性提升": ("电堆寿命",),
    "膜电极国产化": ("铂载量", "功率密度"),
    "余热回收利用": ("排烟温度", "余热回收率"),
    "空压站节能改造": ("空压站比功率", "电耗"),
    "窑炉节能降耗": (T("吨产品综合能耗", "kgce", 250, 300, 180, 220), "综合能耗", "碳排放"),
    "配网故障快速定位": ("故障定位精度", "故障定位时间"),
    "光储充协同调度": ("用电成本", "新能源消纳率"),
    "负荷聚合与预测": ("负荷预测准确率", "负荷预测误差"),
    "热泵空调低温性能提升": (T("-20℃制热能效比（COP）", "", 1.2, 1.5, 2.0, 2.5), "冬季续航"),
    "电机噪声抑制": (T("电机啸叫噪声", "dB(A)", 75, 82, 65, 70),),
    "新能源汽车零部件转型": ("电驱系统最高效率", "功率密度"),
    "电动专用车电驱集成": ("电机功率密度", "系统效率"),
    "高盐废水处理": (T("蒸发器清洗周期", "天", 3, 5, 30, 60), "吨水处理成本"),
    "废水稳定达标": ("出水总磷", "药剂消耗"),
    "污泥减量": ("污泥产量", "吨水处理成本"),
    "降低运维成本": ("出水COD", G("运维人工", "减少", 40, 60)),
    "磷石膏综合利用": ("综合利用率", "处理成本"),
    "废旧电池回收提锂": ("锂回收率", "资源回收率"),
    "餐厨垃圾处理": (T("吨垃圾产气量", "m³", 60, 80, 100, 130), "处理成本"),
    "钢渣资源化利用": ("综合利用率", "产品附加值"),
    "VOCs高效治理": ("非甲烷总烃排放浓度", "危废产生量", "运行成本"),
    "异味治理": (T("厂界臭气浓度", "", 40, 60, 10, 20), "运行成本"),
    "烟气脱硝提标": ("氮氧化物排放浓度", T("氨逃逸浓度", "mg/m³", 5.0, 8.0, 1.5, 2.5)),
    "重金属污染耕地修复": ("稻米镉含量", "修复成本"),
    "矿山边坡生态修复": ("植被覆盖率", "修复周期"),
    "蓝藻水华治理": (T("水体透明度", "cm", 20, 40, 80, 120), "污染物去除率"),
    "低品位矿高效选别": ("精矿品位", "精矿回收率"),
    "尾矿综合利用": ("尾矿利用率",),
    "选矿药剂降耗": ("药剂消耗", "选矿回收率"),
    "产品碳足迹核算": (T("碳足迹核算周期", "天", 60, 90, 10, 15), "检测费用"),
    "可靠性测试": ("检测周期", "检测费用"),
    "检测认证辅导": ("一次送检通过率", "检测费用"),
    "专利布局": (T("发明专利拥有量", "件", 2, 5, 15, 30), "专利授权率"),
    "知识产权质押融资": ("评估周期", "融资对接成功率"),
    "研发方向咨询": ("研发立项周期", G("重复研发投入", "减少", 30, 50)),
    "结构仿真优化": ("样机试制次数", "产品开发周期"),
    "振动噪声问题分析": (T("振动试验一次通过率", "%", 40, 60, 90, 95), "研发成本"),
    "研发设计外包": ("产品开发周期", "研发成本"),
}

# The technical routes an enterprise has heard of for a need, where the theme's own methods
# would not fit it (non-destructive testing is not done by shot peening).
SCENARIO_METHODS = {
    "航空零件表面强化": ("喷丸强化", "激光冲击强化"),
    "锻件变形控制": ("精密锻造", "数字化测量"),
    "自动化无损检测": ("超声相控阵检测", "数字化测量"),
    "背光均匀性改善": ("局部调光", "光学膜片优化"),
    "贴合工艺良率提升": ("全贴合工艺", "自动光学检测"),
    "车载显示光学设计": ("光学自由曲面设计", "增强现实成像"),
    "余热回收利用": ("高温热泵", "有机朗肯循环"),
    "空压站节能改造": ("变频调速", "智能群控"),
    "窑炉节能降耗": ("富氧燃烧", "智能配风"),
    "磷石膏综合利用": ("高温煅烧", "杂质深度净化"),
    "废旧电池回收提锂": ("湿法冶金", "选择性浸出"),
    "餐厨垃圾处理": ("厌氧发酵", "好氧堆肥"),
    "钢渣资源化利用": ("机械力活化", "多级破碎筛分"),
    "VOCs高效治理": ("蓄热式催化燃烧", "沸石转轮吸附浓缩"),
    "异味治理": ("生物滤池", "低温等离子"),
    "烟气脱硝提标": ("低温SCR脱硝", "湿式电除尘"),
    "重金属污染耕地修复": ("钝化剂原位稳定化", "植物-微生物联合修复"),
    "矿山边坡生态修复": ("客土喷播", "植物-微生物联合修复"),
    "蓝藻水华治理": ("生态浮岛", "沉水植物群落构建"),
    "仿制药一致性评价": ("热熔挤出", "渗透泵技术"),
    "原料药合成工艺优化": ("连续流反应", "酶催化合成"),
    "原料药杂质控制": ("结晶工艺优化", "杂质谱分析"),
    "高值耗材产品升级": ("精密挤出", "亲水涂层"),
    "输液智能监护": ("柔性传感", "物联网"),
    "康复设备国产化": ("运动意图识别", "柔性驱动"),
    "无人机自主巡检": ("自主避障", "RTK高精度定位"),
    "精准变量喷洒": ("RTK高精度定位", "变量喷洒控制"),
    "无人机续航提升": ("氢燃料电池动力", "气动外形优化"),
    "电解水制氢降耗": ("非贵金属催化", "流场优化"),
    "燃料电池耐久性提升": ("抗氧化涂层", "流场优化"),
    "膜电极国产化": ("卷对卷涂布", "非贵金属催化"),
    "热泵空调低温性能提升": ("补气增焓", "余热回收"),
    "电机噪声抑制": ("电磁方案优化", "NVH仿真"),
    "新能源汽车零部件转型": ("扁线绕组", "油冷散热"),
    "电动专用车电驱集成": ("扁线绕组", "碳化硅功率器件"),
    "电缆温度在线监测": ("拉曼散射", "光纤光栅"),
    "长距离管道泄漏监测": ("相位敏感光时域反射", "布里渊光时域分析"),
    "结构健康在线监测": ("光纤光栅", "布里渊光时域分析"),
}
