"""manage.py assign_brokers [--no-email]: give every published demand still without a broker
its broker, for demands whose queued assignment was lost (the queue was down, or the job
failed). Run daily."""

from django.core.management.base import BaseCommand

from brokers.services import demands_assign_unassigned


class Command(BaseCommand):
    help = "Assign a broker to every published demand that has none yet."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-email", action="store_true", help="notify the brokers on the site only"
        )

    def handle(self, *args, no_email=False, **options):
        count = demands_assign_unassigned(email=not no_email)
        self.stdout.write(f"{count} demands assigned")
