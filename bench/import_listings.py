"""Benchmark the spreadsheet import against a naive one-row-at-a-time save.

Generates a 10,000-row .xlsx of achievements and a 10,000-row GBK .csv of demands, imports
each with `listings_import` on a fresh SQLite file database (3 runs; median and best), and in
the same run times the naive baseline: the same parsing and checking, then
`Model.objects.create()` and the M2M `.set()` row by row inside one transaction.

    .venv/bin/python bench/import_listings.py [--rows 10000] [--runs 3]

The target is under 60 s for 10,000 rows on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 60
TARGET_ROWS = 10_000


def setup_django(db_dir: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    # Test settings (DEBUG off, so Django does not keep every query) on a throwaway database;
    # forced, because the Makefile exports the dev settings.
    os.environ["DJANGO_SETTINGS_MODULE"] = "market.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_dir}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# ── Fake data ────────────────────────────────────────────────────────────────────────────────

SUBJECTS = (
    "锂离子电池 光伏组件 工业机器人 生物传感器 污水处理 高分子材料 北斗导航 智能电网 中药提取 "
    "激光焊接 氢燃料电池 芯片封装 农作物育种 碳纤维"
).split()
METHODS = ["制备方法", "检测系统", "控制装置", "回收工艺", "优化算法", "成套设备", "改性技术"]
QUALITIES = ["低成本", "高效", "长寿命", "智能化", "绿色", "高精度", "模块化"]
REGIONS = ["420100", "420200", "420300", "420500", "420600", "420700", "420800", "420900"]
NAMES = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"]
FIELDS = "电子信息 生物与新医药 航空航天 新材料 高技术服务 新能源与节能 资源与环境 先进制造与自动化"
FIELDS = FIELDS.split()
MODES = ["转让", "许可", "作价入股", "合作开发", "技术服务"]
STAGES = ["实验室", "小试", "中试", "产业化"]
INDUSTRIES = ["C", "制造业", "I", "M", "D", "N"]


def patent_number(rng: random.Random) -> str:
    from listings.validators import patent_check_char

    digits = f"{rng.randint(2010, 2024)}{rng.choice('12389')}{rng.randint(0, 9_999_999):07d}"
    prefix = rng.choice(["ZL", "ZL", ""])
    return f"{prefix}{digits}.{patent_check_char(digits)}"


def text(rng: random.Random, n: int) -> str:
    parts = []
    for _ in range(n):
        parts.append(
            f"{rng.choice(QUALITIES)}{rng.choice(SUBJECTS)}{rng.choice(METHODS)}，"
            f"性能提高{rng.randint(5, 60)}%，成本降低{rng.randint(5, 40)}%。"
        )
    return "".join(parts)


def achievement_rows(n: int, rng: random.Random) -> list[list]:
    rows = []
    for i in range(n):
        negotiable = rng.random() < 0.3
        trl = rng.randint(1, 9) if rng.random() < 0.7 else ""
        rows.append([
            f"CG-{i:06d}",
            f"一种{rng.choice(QUALITIES)}{rng.choice(SUBJECTS)}{rng.choice(METHODS)}",
            text(rng, 1),
            text(rng, 6),
            rng.choice(FIELDS),
            rng.choice(INDUSTRIES),
            "、".join(rng.sample(SUBJECTS, 3)),
            trl,
            rng.choice(STAGES) if trl == "" or rng.random() < 0.3 else "",
            "、".join(rng.sample(MODES, rng.randint(1, 3))),
            "是" if negotiable else "否",
            "" if negotiable else rng.randint(10, 5000),
            f"{rng.choice(NAMES)}教授、{rng.choice(NAMES)}博士",
            f"能耗降低{rng.randint(10, 50)}%",
            f"年产值{rng.randint(1, 50)}亿元",
            "、".join(patent_number(rng) for _ in range(rng.randint(0, 2))),
            rng.choice(REGIONS),
            f"{rng.choice(NAMES)}老师",
            f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}",
            f"tt{i}@example.edu.cn",
        ])  # fmt: skip
    return rows


def demand_rows(n: int, rng: random.Random) -> list[list]:
    rows = []
    for i in range(n):
        negotiable = rng.random() < 0.2
        low = rng.randint(10, 500)
        rows.append([
            f"XQ-{i:06d}",
            f"寻求{rng.choice(QUALITIES)}{rng.choice(SUBJECTS)}技术",
            text(rng, 1),
            text(rng, 5),
            f"良品率提高到{rng.randint(95, 99)}%",
            rng.choice(FIELDS),
            rng.choice(INDUSTRIES),
            "，".join(rng.sample(SUBJECTS, 2)),
            rng.choice(["", rng.randint(3, 8)]),
            "；".join(rng.sample(MODES, rng.randint(1, 3))),
            "是" if negotiable else "否",
            "" if negotiable else low,
            "" if negotiable else low + rng.randint(0, 500),
            f"2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            rng.choice(REGIONS),
            f"{rng.choice(NAMES)}经理",
            f"1{rng.randint(3, 9)}{rng.randint(0, 999_999_999):09d}",
            f"buyer{i}@example.com",
        ])  # fmt: skip
    return rows


def make_files(n: int) -> dict[str, tuple[str, str, bytes]]:
    """{case: (kind, file name, bytes)}: the template's headers, filled by the generator."""
    import tablib

    from listings.importing import SHEETS

    rng = random.Random(20260101)
    headers = {kind: [c.header for c in spec.columns] for kind, spec in SHEETS.items()}
    xlsx = tablib.Dataset(*achievement_rows(n, rng), headers=headers["achievement"])
    xlsx.title = SHEETS["achievement"].title
    gbk = tablib.Dataset(*demand_rows(n, rng), headers=headers["demand"])
    return {
        "xlsx achievements": ("achievement", "成果.xlsx", xlsx.export("xlsx", column_width=None)),
        "csv-gbk demands": ("demand", "需求.csv", gbk.export("csv").encode("gbk")),
    }


# ── Timing ───────────────────────────────────────────────────────────────────────────────────


def naive_import(*, actor, owner, kind: str, file_name: str, data: bytes) -> float:
    """The same parsing and checks, then one INSERT (and an M2M .set()) per row. Returns the
    seconds spent on parsing and checking."""
    from django.db import transaction

    from listings.importing import SHEETS, listings_import_prepare
    from listings.models import IntellectualProperty, Mode

    started = time.perf_counter()
    prepared = listings_import_prepare(
        actor=actor, owner=owner, kind=kind, file_name=file_name, data=data
    )
    parsed = time.perf_counter() - started
    spec = SHEETS[kind]
    fields = [f for f in spec.model._meta.concrete_fields if not f.primary_key]
    modes = {m.code: m for m in Mode.objects.all()}
    with transaction.atomic():
        for row in prepared.rows:
            values = {f.attname: getattr(row.listing, f.attname) for f in fields}
            listing = spec.model.objects.create(**values)
            getattr(listing, spec.modes_field).set([modes[c] for c in row.mode_codes])
            for number, ip_kind, status in row.patents:
                IntellectualProperty.objects.create(
                    achievement=listing, kind=ip_kind, number=number, status=status
                )
    return parsed


def clear(kind: str, owner) -> None:
    from listings.importing import SHEETS
    from listings.models import IntellectualProperty

    spec = SHEETS[kind]
    IntellectualProperty.objects.all().delete()
    getattr(spec.model, spec.modes_field).through.objects.all().delete()
    spec.model.objects.filter(owner=owner).delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=TARGET_ROWS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    db_dir = tempfile.mkdtemp(prefix="bench-import-")
    try:
        setup_django(db_dir)
        return run(args.rows, args.runs)
    finally:
        shutil.rmtree(db_dir, ignore_errors=True)


def run(rows: int, runs: int) -> int:
    from django.conf import settings
    from django.db import connection

    from listings.importing import listings_import
    from market.choices import OrganizationKind, Role
    from market.models import Market, Membership, Organization, User

    settings.LISTING_IMPORT_MAX_ROWS = max(settings.LISTING_IMPORT_MAX_ROWS, rows)
    settings.LISTING_IMPORT_MAX_BYTES = max(settings.LISTING_IMPORT_MAX_BYTES, 200 * 1024 * 1024)
    market = Market.objects.create(
        name="省技术市场", code="main", kind="main", region_code="420000"
    )
    owner = Organization.objects.create(
        name="测试大学", kind=OrganizationKind.UNIVERSITY, credit_code="91420100000000001X",
        market=market, region_code="420100",
    )  # fmt: skip
    actor = User.objects.create(username="bench")
    Membership.objects.create(user=actor, organization=owner, role=Role.ORG_ADMIN)

    print(f"generating {rows:,} rows per file ...", flush=True)
    files = make_files(rows)
    results = []  # (case, label, seconds list)
    parse_seconds = {}
    for case, (kind, name, data) in files.items():
        print(f"{case}: {len(data) / 1024 / 1024:.1f} MB", flush=True)
        ours = []
        for i in range(runs):
            started = time.perf_counter()
            result = listings_import(actor=actor, owner=owner, kind=kind, file_name=name, data=data)
            ours.append(time.perf_counter() - started)
            assert result.created == rows, result
            print(f"  ours run {i + 1}: {ours[-1]:.2f} s", flush=True)
            clear(kind, owner)
        started = time.perf_counter()
        parse_seconds[case] = naive_import(
            actor=actor, owner=owner, kind=kind, file_name=name, data=data
        )
        baseline = time.perf_counter() - started
        print(f"  baseline: {baseline:.2f} s", flush=True)
        clear(kind, owner)
        results.append((case, "ours", ours))
        results.append((case, "baseline", [baseline]))

    print()
    print(f"SQLite {connection.Database.sqlite_version}, {os.cpu_count()} CPUs, "
          f"ours: {runs} runs, baseline: 1 run")  # fmt: skip
    print(f"{'case':<18} {'method':<9} {'rows':>7} {'median s':>9} {'best s':>8} {'rows/s':>8}")
    for case, method, seconds in results:
        median = statistics.median(seconds)
        print(f"{case:<18} {method:<9} {rows:>7} {median:>9.2f} {min(seconds):>8.2f} "
              f"{rows / median:>8.0f}")  # fmt: skip
    print()
    medians = {(c, m): statistics.median(s) for c, m, s in results}
    for case in files:
        ours, baseline = medians[(case, "ours")], medians[(case, "baseline")]
        print(f"{case}: baseline/ours = {baseline / ours:.1f}x; parse + check "
              f"{parse_seconds[case]:.2f} s, so saving: ours {ours - parse_seconds[case]:.2f} s, "
              f"baseline {baseline - parse_seconds[case]:.2f} s")  # fmt: skip
    limit = TARGET_SECONDS * rows / TARGET_ROWS
    slowest = max(v for (_c, m), v in medians.items() if m == "ours")
    verdict = "PASS" if slowest < limit else "FAIL"
    scaled = "" if rows == TARGET_ROWS else f" (scaled to {rows:,} rows: < {limit:.1f} s)"
    print(f"target: < {TARGET_SECONDS} s for {TARGET_ROWS:,} rows{scaled}: {verdict} "
          f"(slowest median {slowest:.2f} s)")  # fmt: skip
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
