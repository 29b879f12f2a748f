"""manage.py search_replay: send Elasticsearch the changes it missed while it was down."""

from django.core.management.base import BaseCommand

from search.services import search_replay


class Command(BaseCommand):
    help = "Replay index changes queued while Elasticsearch was unreachable."

    def handle(self, *args, **options):
        applied, remaining = search_replay()
        self.stdout.write(f"applied {applied}, still queued {remaining}")
