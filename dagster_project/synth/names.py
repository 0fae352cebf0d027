"""Reporting bodies: real place names combined with the usual department names.

Names are drawn without replacement: the k-th agency of a level is an affine permutation of
k over that level's whole name space, so every agency name is unique (and therefore a stable
series key) without keeping a set of used names.
"""

from __future__ import annotations

import math
import random
from typing import NamedTuple

# province -> (domain label used in crawler links, {prefecture -> counties})
PLACES: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "江西省": (
        "jiangxi",
        {
            "宜春市": ("铜鼓县", "高安市", "樟树市", "奉新县", "靖安县"),
            "赣州市": ("瑞金市", "于都县", "兴国县", "信丰县"),
            "九江市": ("修水县", "武宁县", "都昌县"),
        },
    ),
    "江苏省": (
        "jiangsu",
        {
            "宿迁市": ("沭阳县", "泗阳县", "泗洪县", "宿豫区"),
            "淮安市": ("洪泽区", "涟水县", "盱眙县", "金湖县"),
            "无锡市": ("宜兴市", "江阴市"),
        },
    ),
    "安徽省": ("ah", {"六安市": ("金寨县", "霍山县", "舒城县"), "安庆市": ("桐城市", "潜山市", "太湖县", "望江县")}),
    "河南省": (
        "henan",
        {"平顶山市": ("郏县", "宝丰县", "叶县", "鲁山县"), "洛阳市": ("栾川县", "嵩县", "汝阳县", "宜阳县")},
    ),
    "福建省": (
        "fujian",
        {
            "福州市": ("闽侯县", "连江县", "罗源县", "闽清县", "永泰县"),
            "泉州市": ("晋江市", "南安市", "惠安县", "安溪县"),
        },
    ),
    "浙江省": ("zj", {"杭州市": ("桐庐县", "淳安县", "建德市"), "温州市": ("瑞安市", "乐清市", "永嘉县")}),
    "四川省": ("sc", {"成都市": ("金堂县", "大邑县", "蒲江县"), "绵阳市": ("三台县", "盐亭县", "梓潼县")}),
    "湖南省": ("hunan", {"长沙市": ("长沙县", "浏阳市", "宁乡市"), "岳阳市": ("平江县", "华容县", "湘阴县")}),
    "山东省": ("shandong", {"潍坊市": ("寿光市", "青州市", "诸城市"), "临沂市": ("沂水县", "兰陵县", "费县")}),
    "广东省": ("gd", {"清远市": ("英德市", "连州市", "佛冈县"), "梅州市": ("兴宁市", "平远县", "蕉岭县")}),
    "湖北省": ("hubei", {"宜昌市": ("远安县", "兴山县", "秭归县"), "襄阳市": ("南漳县", "谷城县", "保康县")}),
    "河北省": ("hebei", {"保定市": ("涞水县", "阜平县", "定兴县"), "邯郸市": ("临漳县", "成安县", "大名县")}),
}

# Department suffixes with a kind tag that shapes the numbers: g government/office,
# e enforcement (penalties), l licensing-heavy, s other services.
PROVINCE_DEPTS = (
    ("人民政府", "g"),
    ("人民政府办公厅", "g"),
    ("发展和改革委员会", "s"),
    ("教育厅", "s"),
    ("科学技术厅", "s"),
    ("工业和信息化厅", "s"),
    ("公安厅", "e"),
    ("民政厅", "s"),
    ("司法厅", "s"),
    ("财政厅", "s"),
    ("人力资源和社会保障厅", "s"),
    ("自然资源厅", "l"),
    ("生态环境厅", "e"),
    ("住房和城乡建设厅", "l"),
    ("交通运输厅", "e"),
    ("水利厅", "l"),
    ("农业农村厅", "s"),
    ("商务厅", "s"),
    ("文化和旅游厅", "s"),
    ("卫生健康委员会", "s"),
    ("应急管理厅", "e"),
    ("审计厅", "s"),
    ("市场监督管理局", "e"),
    ("统计局", "s"),
    ("医疗保障局", "s"),
    ("林业局", "l"),
)
LOCAL_DEPTS = (
    ("人民政府", "g"),
    ("人民政府办公室", "g"),
    ("发展和改革委员会", "s"),
    ("教育局", "s"),
    ("科学技术局", "s"),
    ("工业和信息化局", "s"),
    ("公安局", "e"),
    ("民政局", "s"),
    ("司法局", "s"),
    ("财政局", "s"),
    ("人力资源和社会保障局", "s"),
    ("自然资源和规划局", "l"),
    ("生态环境局", "e"),
    ("住房和城乡建设局", "l"),
    ("交通运输局", "e"),
    ("水利局", "l"),
    ("农业农村局", "s"),
    ("商务局", "s"),
    ("文化广电旅游局", "s"),
    ("卫生健康委员会", "s"),
    ("退役军人事务局", "s"),
    ("应急管理局", "e"),
    ("审计局", "s"),
    ("市场监督管理局", "e"),
    ("统计局", "s"),
    ("医疗保障局", "s"),
    ("城市管理局", "e"),
    ("行政审批局", "l"),
    ("数据资源管理局", "s"),
)
ZONE_KINDS = (
    "经济技术开发区管理委员会",
    "高新技术产业开发区管委会",
    "工业园区管委会",
    "综合保税区管理委员会",
    "产业集聚区管理委员会",
)
# Two-character town names are common-word pairs (白沙, 龙塘, 金桥 …), so the product reads naturally.
_TOWN_FIRST = "东西南北新城白青石龙凤金马黄杨柳梅桃长大高上太平安永宝兴和河湖山松竹云清双三古"
_TOWN_SECOND = "山河桥湖塘口店集庄坪田溪岭坝港湾林源洲沟阳亭坊埠铺寨江水冲圩"
TOWN_KINDS = ("镇人民政府", "乡人民政府", "街道办事处")

PROVINCES = tuple(PLACES)
PREFECTURES = tuple((pf, prov) for prov, (_, pfs) in PLACES.items() for pf in pfs)
_PREFECTURE_NAMES = frozenset(pf for pf, _ in PREFECTURES)
COUNTIES = tuple((c, pf, prov) for prov, (_, pfs) in PLACES.items() for pf, cs in pfs.items() for c in cs)

_ZONE_PLACES = PREFECTURES + tuple((c, prov) for c, _, prov in COUNTIES)

# Level -> (share of agencies, relative request volume, size of the name space)
_TOWN_PAIRS = len(_TOWN_FIRST) * len(_TOWN_SECOND)
LEVELS: dict[str, tuple[float, float, int]] = {
    "province": (0.05, 40.0, len(PROVINCES) * len(PROVINCE_DEPTS)),
    "prefecture": (0.20, 10.0, len(PREFECTURES) * len(LOCAL_DEPTS)),
    "county": (0.42, 3.0, len(COUNTIES) * len(LOCAL_DEPTS)),
    "town": (0.27, 0.6, len(COUNTIES) * _TOWN_PAIRS * len(TOWN_KINDS)),
    "zone": (0.06, 1.5, (len(PREFECTURES) + len(COUNTIES)) * len(ZONE_KINDS)),
}


class Agency(NamedTuple):
    name: str
    level: str
    kind: str  # g / e / l / s, see the department tables
    domain: str  # province label for crawler links


def _place_stem(name: str) -> str:
    """宜春市 -> 宜春 (zones are named after the bare place); 郏县 keeps its suffix, and so does
    a county whose stem is a prefecture's (长沙县 next to 长沙市)."""
    stem = name[:-1] if len(name) > 2 and name[-1] in "市县区" else name
    return name if name != stem and name[-1] != "市" and stem + "市" in _PREFECTURE_NAMES else stem


def agency_at(level: str, idx: int) -> Agency:
    if level == "province":
        p, d = divmod(idx, len(PROVINCE_DEPTS))
        prov = PROVINCES[p]
        dept, kind = PROVINCE_DEPTS[d]
        return Agency(prov + dept, level, kind, PLACES[prov][0])
    if level == "prefecture":
        p, d = divmod(idx, len(LOCAL_DEPTS))
        pf, prov = PREFECTURES[p]
        dept, kind = LOCAL_DEPTS[d]
        return Agency(pf + dept, level, kind, PLACES[prov][0])
    if level == "county":
        c, d = divmod(idx, len(LOCAL_DEPTS))
        county, _, prov = COUNTIES[c]
        dept, kind = LOCAL_DEPTS[d]
        return Agency(county + dept, level, kind, PLACES[prov][0])
    if level == "town":
        rest, k = divmod(idx, len(TOWN_KINDS))
        c, pair = divmod(rest, _TOWN_PAIRS)
        a, b = divmod(pair, len(_TOWN_SECOND))
        county, _, prov = COUNTIES[c]
        return Agency(county + _TOWN_FIRST[a] + _TOWN_SECOND[b] + TOWN_KINDS[k], level, "g", PLACES[prov][0])
    p, z = divmod(idx, len(ZONE_KINDS))
    place, prov = _ZONE_PLACES[p]
    return Agency(_place_stem(place) + ZONE_KINDS[z], level, "l", PLACES[prov][0])


class AgencyPicker:
    """Unique agencies, level mix per LEVELS; a level that runs out hands over to towns."""

    def __init__(self, rng: random.Random):
        self._rng = rng
        self._levels = tuple(LEVELS)
        self._cum = []
        acc = 0.0
        for lv in self._levels:
            acc += LEVELS[lv][0]
            self._cum.append(acc)
        self._count = dict.fromkeys(self._levels, 0)
        self._perm = {}
        for lv in self._levels:
            size = LEVELS[lv][2]
            a = rng.randrange(size // 3, size) | 1
            while math.gcd(a, size) != 1:
                a += 2
            self._perm[lv] = (a, rng.randrange(size), size)

    def next(self) -> Agency:
        level = self._rng.choices(self._levels, cum_weights=self._cum)[0]
        if self._count[level] >= LEVELS[level][2]:
            level = "town"
        k = self._count[level]
        self._count[level] = k + 1
        a, b, size = self._perm[level]
        # Past the town space names start to repeat; that is ~500k agencies, millions of reports.
        return agency_at(level, (a * k + b) % size)
