"""The monthly compliance report (窗口合规月报) of a market's windows, as PDF or .xlsx:

manage.py windows_report --market sub-wuhan --month 2026-03 --format pdf --out var/reports
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from market.models import Market
from windows import reports


class Command(BaseCommand):
    help = "Write a market's monthly window compliance report (PDF or .xlsx) to a folder."

    def add_arguments(self, parser):
        parser.add_argument("--market", required=True, help="the market's code")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--format", choices=reports.FORMATS, default="pdf")
        parser.add_argument("--out", required=True, help="the folder to write the file to")

    def handle(self, *args, **options):
        try:
            market = Market.objects.get(code=options["market"])
        except Market.DoesNotExist as exc:
            raise CommandError(f"no market with the code {options['market']!r}") from exc
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        with tqdm(total=3, desc=market.name, unit="step", disable=options["verbosity"] < 1) as bar:

            def progress(label):
                bar.set_postfix_str(str(label))
                bar.update(1)

            try:
                report = reports.report_build(
                    market=market, month=options["month"], progress=progress
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            body = reports.report_render(report, options["format"])
            progress(options["format"])
        path = out / f"{report.filename_stem}.{options['format']}"
        path.write_bytes(body)
        self.stdout.write(str(path))
