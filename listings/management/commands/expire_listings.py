from django.core.management.base import BaseCommand

from listings import services


class Command(BaseCommand):
    help = "Remind owners of listings about to expire and expire those whose time is up (daily)."

    def handle(self, *args, **options):
        reminded = services.listings_remind_expiring()
        expired = services.listings_expire_due()
        self.stdout.write(f"reminded {reminded}, expired {expired}")
