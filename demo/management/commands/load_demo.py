"""`manage.py load_demo`: fill the database with a believable demo market in Chinese."""

import sys
import unicodedata

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from brokers.services import demands_assign_unassigned
from cms.site_builder import site_build
from demo.builder import DEMO_LOGINS, DEMO_PASSWORD, DemoConflict, load_demo
from demo.commissions import demo_commissions
from demo.contracts import demo_back_date, demo_contracts
from demo.deals_board import demo_deals_board
from demo.matches import demo_matches
from demo.responses import simulate_broker_responses
from demo.trading import demo_trading
from demo.windows import demo_windows

URL = "http://127.0.0.1:8000/"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    # Chinese characters take two columns in a terminal; ljust would count them as one.
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = (
        "加载演示数据：1个主市场和6个分市场、服务窗口、高校院所、企业、技术转移机构、"
        "100名技术经纪人，以及1100条科技成果和技术需求。可重复运行，不会重复添加。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet", action="store_true", help="不显示进度条和新增数量，只显示演示账号"
        )

    def handle(self, *args, quiet=False, **options):
        try:
            report = load_demo(progress=not quiet and sys.stderr.isatty())
        except DemoConflict as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError(f"演示数据未通过校验：{error}") from error

        # The public site's pages (home, indexes, one page per sub-market) are idempotent too.
        site_build()
        # Published demands start the 48-hour clock: give each its broker (no e-mail storm).
        if demands_assign_unassigned(email=False):
            simulate_broker_responses()
        # Every demand's first match list, and a history of what owners did with them.
        demo_matches()
        # The brokers' boards: deals in every stage, then the commissions and fees they earn.
        deals = demo_deals_board()
        demo_commissions(deals=deals)
        # Their documents, contracts, ledger lines and fees at the times of their stages.
        demo_back_date(deals)
        # A year of registered contracts, and contracts in every registration state.
        demo_contracts()
        # A negotiated price on public notice, a lot open for bids and a lot sold.
        demo_trading()
        # A year of window cases with ratings, follow-ups and complaints; the coming slots.
        demo_windows()

        if report.already_loaded:
            self.stdout.write("演示数据已加载，本次未做任何更改。")
        else:
            done = f"演示数据加载完成，用时 {report.seconds:.1f} 秒。"
            self.stdout.write(self.style.SUCCESS(done))
            if not quiet:
                added = "，".join(f"{label} {n}" for label, n in report.created.items())
                self.stdout.write(f"本次新增：{added or '无'}")
        if not quiet:
            totals = "，".join(f"{label} {n}" for label, n in report.totals.items())
            self.stdout.write(f"数据库现有：{totals}")

        self.stdout.write("")
        self.stdout.write(f"启动服务后访问 {URL}")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        rows = [("角色", "用户名", "密码")] + [
            (login.role, login.username, DEMO_PASSWORD) for login in DEMO_LOGINS
        ]
        widths = [max(_width(row[i]) for row in rows) + 2 for i in range(3)]
        for row in rows:
            line = "".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write("  " + line.rstrip())
