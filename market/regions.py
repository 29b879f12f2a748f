"""Chinese administrative division codes (行政区划代码, GB/T 2260).

A region is stored as its 6-digit code: 420000 湖北省, 420100 武汉市, 420111 洪山区. The names
come from market/data/regions.json (province → city → district, see market/data/README.md),
read once. People pick a region by name; ``resolve_region`` turns what they typed ("武汉市",
"湖北省武汉市", "洪山区") into the code, and ``region_full_name`` turns a code back into
"湖北省武汉市洪山区".
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "regions.json"

# Placeholders the national list uses for a level that has no name of its own: the districts
# of a municipality sit under "市辖区", Hubei's directly administered cities under
# "省直辖县级行政区划". A full name leaves them out: "北京市东城区", "湖北省仙桃市".
PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# What people leave off a name: "湖北" for 湖北省, "武汉" for 武汉市, "洪山" for 洪山区.
_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "新区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
)
_SEPARATORS = re.compile(r"[\s/\\>＞·,，、\-—]+")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: int  # 1 province, 2 city (地级), 3 district or county (县级)
    parent: str = ""  # the parent's code

    @property
    def is_placeholder(self) -> bool:
        return self.name in PLACEHOLDER_NAMES


@dataclass(frozen=True)
class _Regions:
    tree: list  # the JSON as read: [[code, name, [[code, name, [[code, name], ...]], ...]], ...]
    by_code: dict[str, Region]
    by_name: dict[str, frozenset[str]]


@cache
def _regions() -> _Regions:
    tree = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    by_code: dict[str, Region] = {}
    for p_code, p_name, cities in tree:
        by_code[p_code] = Region(p_code, p_name, 1)
        for c_code, c_name, districts in cities:
            by_code[c_code] = Region(c_code, c_name, 2, p_code)
            for d_code, d_name in districts:
                by_code[d_code] = Region(d_code, d_name, 3, c_code)
    by_name: dict[str, set[str]] = {}
    for region in by_code.values():
        if region.is_placeholder:
            continue
        for alias in _aliases(region, by_code):
            by_name.setdefault(alias, set()).add(region.code)
    return _Regions(tree, by_code, {k: frozenset(v) for k, v in by_name.items()})


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name.removesuffix(suffix)
    return name


def _aliases(region: Region, by_code: dict[str, Region]) -> set[str]:
    """Every way of writing the region: its own name, and its name after any of its ancestors,
    each name in full or without its suffix."""
    chain = [region]
    while chain[-1].parent:
        chain.append(by_code[chain[-1].parent])
    ancestors = [r for r in reversed(chain[1:]) if not r.is_placeholder]
    written = {""}
    for ancestor in ancestors:
        written |= {w + form for w in written for form in (ancestor.name, _short(ancestor.name))}
    return {w + form for w in written for form in (region.name, _short(region.name))}


def region_tree() -> list:
    """Provinces, their cities and their districts, as the region picker's script reads them."""
    return _regions().tree


def get_region(code: str) -> Region | None:
    return _regions().by_code.get(code or "")


def region_exists(code: str) -> bool:
    return get_region(code) is not None


def region_path(code: str) -> list[Region]:
    """The province, city and district a code names, from the top; empty if it is unknown."""
    region = get_region(code)
    path = []
    while region is not None:
        path.append(region)
        region = get_region(region.parent)
    return path[::-1]


def region_full_name(code: str) -> str:
    """ "湖北省武汉市洪山区" for 420111; the province's name for a code not in the list, if its
    first two digits name one; "" otherwise."""
    path = region_path(code)
    if not path:
        return province_name(code or "")
    return "".join(r.name for r in path if not r.is_placeholder or r is path[-1])


def normalize_region_text(text: str) -> str:
    return _SEPARATORS.sub("", text or "")


def resolve_region(text: str) -> list[str]:
    """The codes of the regions ``text`` may mean: a 6-digit code in the list, or a name
    ("武汉市", "湖北省武汉市", "湖北 武汉 洪山区"). More than one code when the name is shared
    (朝阳区 is in Beijing and in Changchun); none when nothing matches."""
    key = normalize_region_text(text)
    if not key:
        return []
    if key.isdigit():
        return [key] if region_exists(key) else []
    return sorted(_regions().by_name.get(key, ()))


def province_code(region_code: str) -> str:
    return region_code[:2]


def province_name(region_code: str) -> str:
    region = get_region(region_code[:2] + "0000")
    return region.name if region else ""
