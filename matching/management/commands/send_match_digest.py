"""manage.py send_match_digest [--dry-run]

E-mail each person one digest of the new matches on the listings they can act for (run
daily from cron). Who gets which matches is `matching.selectors.match_digests`; this
command renders, sends and marks each person sent, one at a time, so a failure for one
person (an SMTP error, a bad address) is logged and the others still get theirs. Running
it twice sends nothing new."""

import logging

from django.core.mail import EmailMultiAlternatives
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import MatchPreference
from matching.selectors import Digest, match_digests

logger = logging.getLogger(__name__)


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    context = {"user": digest.user, "items": digest.items, "count": len(digest.items)}
    subject = _("技术市场：您有 %(count)s 条新匹配") % {"count": len(digest.items)}
    message = EmailMultiAlternatives(
        subject,
        render_to_string("matching/email/digest.txt", context),
        to=[digest.user.email],
    )
    message.attach_alternative(render_to_string("matching/email/digest.html", context), "text/html")
    return message


class Command(BaseCommand):
    help = "E-mail each person one digest of their new matches (daily)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="print who would get what; send nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        digests = match_digests(now=now)
        sent = failed = matches = 0
        for digest in digests:
            if dry_run:
                self.stdout.write(f"{digest.user.email}: {len(digest.items)} matches")
                for item in digest.items:
                    self.stdout.write(f"  {item.score:.2f} {item.title} {item.url}")
                continue
            try:
                digest_message(digest).send()
            except Exception:
                # One person's failure must not cost everyone else their digest; they are
                # not marked sent, so the next run tries them again.
                logger.exception("match digest to user %s failed", digest.user.pk)
                failed += 1
                continue
            MatchPreference.objects.update_or_create(
                user=digest.user, defaults={"digest_sent_at": now}
            )
            sent += 1
            matches += len(digest.items)
        if dry_run:
            total = sum(len(d.items) for d in digests)
            self.stdout.write(f"dry run: {len(digests)} digests ({total} matches) would be sent")
            return
        summary = f"{sent} digests sent ({matches} matches), {failed} failed"
        self.stdout.write(self.style.ERROR(summary) if failed else self.style.SUCCESS(summary))
