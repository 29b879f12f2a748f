"""Freeze a year's figures: `manage.py targets_snapshot --year 2025`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from market.models import Market
from targets.selectors import FIGURES
from targets.services import targets_snapshot


class Command(BaseCommand):
    help = "Freeze every figure of a year, for every market, with the rows behind it."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, year, quiet, **options):
        total = Market.objects.count() * len(FIGURES)
        with tqdm(total=total, desc=f"snapshot {year}", unit="figure", disable=quiet) as bar:
            try:
                snapshots = targets_snapshot(year=year, by=None, progress=lambda: bar.update(1))
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"{len(snapshots)} figures of {year} frozen.")
