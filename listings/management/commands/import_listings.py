"""Import achievements or demands from a spreadsheet, or write the empty template.

manage.py import_listings --org 91420100MA4K0000X1 --kind achievement --user zhang FILE
manage.py import_listings --kind demand --template xlsx OUT
"""

import sys
import unicodedata
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from listings.importing import (
    FORMATS,
    SHEETS,
    DuplicatesFound,
    ImportFailed,
    RowError,
    import_template,
    listings_import_prepare,
    listings_import_save,
)
from market.models import Organization
from market.validators import normalize_credit_code


class Command(BaseCommand):
    help = "从 Excel/CSV 批量导入科技成果或技术需求（草稿），或生成导入模板。"

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE", help="要导入的 .xlsx/.csv，或模板的输出路径")
        parser.add_argument("--kind", required=True, choices=sorted(SHEETS))
        parser.add_argument("--org", help="发布机构的统一社会信用代码")
        parser.add_argument("--user", help="执行导入的用户名（须是该机构的管理员或成员）")
        parser.add_argument("--template", choices=FORMATS, help="写出空白模板而不是导入")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不保存")
        parser.add_argument(
            "--allow-duplicates",
            action="store_true",
            help="标题与本机构已有信息相同的行也导入（默认列出这些行并停止）",
        )

    def handle(
        self, *args, path, kind, org, user, template, dry_run, allow_duplicates=False, **options
    ):
        if template:
            Path(path).write_bytes(import_template(kind, template))
            self.stdout.write(self.style.SUCCESS(_("模板已写入 %(path)s") % {"path": path}))
            return
        if not org or not user:
            raise CommandError(_("导入时必须指定 --org 和 --user。"))
        owner = self._organization(org)
        actor = self._user(user)
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            raise CommandError(_("无法读取文件：%(error)s") % {"error": e}) from None

        # tqdm writes to stderr; a bar is noise in a log file or a pipe.
        bar = None
        if sys.stderr.isatty():
            bar = tqdm(desc=_("检查"), unit=_("行"), file=sys.stderr, leave=False)

        def progress(done, total):
            if bar.total != total:
                bar.reset(total=total)  # so the rate and ETA leave out the time spent reading
            bar.update(done - bar.n)

        try:
            prepared = listings_import_prepare(
                actor=actor, owner=owner, kind=kind, file_name=Path(path).name, data=data,
                progress=progress if bar is not None else None,
            )  # fmt: skip
        except PermissionDenied as e:
            raise CommandError(str(e)) from None
        except ImportFailed as e:
            self.stdout.write(error_table(e.errors))
            raise CommandError(str(e)) from None
        finally:
            if bar is not None:
                bar.close()

        label = SHEETS[kind].label
        if prepared.duplicates:
            found = DuplicatesFound(prepared)
            self.stdout.write(
                error_table(
                    [
                        RowError(
                            d.row, "标题*", _("可能与已有的“%(title)s”重复。") % {"title": d.title}
                        )
                        for d in prepared.duplicates
                    ]
                )
            )
            if not allow_duplicates and not dry_run:
                raise CommandError(str(found) + _("核对后如仍要导入，请加上 --allow-duplicates。"))
            self.stderr.write(str(found))
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(
                    _("检查通过：%(n)d 条%(kind)s可以导入（未保存）。")
                    % {"n": len(prepared.rows), "kind": label}
                )
            )
            return
        try:
            result = listings_import_save(prepared)
        except ImportFailed as e:
            self.stdout.write(error_table(e.errors))
            raise CommandError(str(e)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("已导入 %(n)d 条%(kind)s（草稿）。") % {"n": result.created, "kind": label}
            )
        )

    def _organization(self, credit_code: str) -> Organization:
        try:
            return Organization.objects.get(credit_code=normalize_credit_code(credit_code))
        except Organization.DoesNotExist:
            raise CommandError(
                _("没有统一社会信用代码为 %(code)s 的机构。") % {"code": credit_code}
            ) from None

    def _user(self, username: str):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(_("没有用户名为 %(name)s 的用户。") % {"name": username}) from None


def display_width(text: str) -> int:
    """Columns a terminal gives `text`: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def error_table(errors: list[RowError]) -> str:
    header = (_("行"), _("列"), _("问题"))
    cells = [(str(e.row) if e.row else "-", e.column or "-", e.message) for e in errors]
    widths = [max(display_width(r[i]) for r in [header, *cells]) for i in range(2)]

    def line(row):
        padded = [c + " " * (w - display_width(c)) for c, w in zip(row, widths, strict=False)]
        return "  ".join([*padded, row[2]])

    rule = "  ".join(["-" * w for w in widths] + ["-" * 20])
    return "\n".join([line(header), rule, *map(line, cells)])
