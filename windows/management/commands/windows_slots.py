"""manage.py windows_slots [--weeks N] [--length MINUTES]: give every window that offers
appointments its regular slots for the coming weeks (working days, opening to closing time).
Slots that exist already are kept, so it is safe to run daily."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from windows.models import ServiceWindow
from windows.services.appointments import slots_generate


class Command(BaseCommand):
    help = "Generate the coming weeks' appointment slots for every window."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=2, help="how far ahead (default 2)")
        parser.add_argument("--length", type=int, default=30, help="minutes per slot")

    def handle(self, *args, weeks=2, length=30, **options):
        if weeks < 1:
            raise CommandError("--weeks must be at least 1")
        windows = list(ServiceWindow.objects.filter(appointment_available=True).order_by("pk"))
        start = timezone.localdate()
        made = 0
        for window in tqdm(
            windows, desc="windows", unit="window", disable=options["verbosity"] < 1
        ):
            made += slots_generate(
                window=window, start=start, days=7 * weeks, length_minutes=length, by=None
            )
        self.stdout.write(f"{made} slots made for {len(windows)} windows")
