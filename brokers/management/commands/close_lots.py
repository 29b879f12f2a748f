"""manage.py close_lots: close every lot for bidding whose closing time has passed. Run it
every minute or so (cron or the worker's schedule)."""

from django.core.management.base import BaseCommand

from brokers.services import lots_close_due


class Command(BaseCommand):
    help = "Close the lots for bidding that are due: the best bid wins, other deposits refund."

    def handle(self, *args, **options):
        self.stdout.write(f"{lots_close_due()} lots closed")
