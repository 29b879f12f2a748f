"""What people do with a match: view, dismiss, restore, contact. Turning it into a deal is
the deal's business (brokers.services.deals), and the match follows it (match_follow_deal)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from market import pagecache
from market.models import User
from market.services import transition_apply
from matching.choices import DismissReason, MatchStatus
from matching.models import Match, may_give_feedback

FEEDBACK_TRANSITIONS = ("view", "dismiss", "restore", "contact")
# The state an action leaves a match in when taking it again would change nothing: a
# double-clicked "忽略" or "恢复" is one action, not an error.
_ALREADY_DONE = {"dismiss": MatchStatus.DISMISSED, "restore": MatchStatus.VIEWED}


@transaction.atomic
def match_feedback(
    *,
    match: Match,
    actor: User,
    action: str,
    reason: str = "",
    note: str = "",
) -> Match:
    """Record what someone did with a match: viewed, dismissed (with a reason), restored,
    contacted, or turned into a deal. Dismissed matches stay out of the lists, with who
    dismissed them and when, until a party restores them.

    Dismissing a dismissed match, or restoring one already restored (a double click, two
    tabs), changes nothing and is not an error; the check is made on the locked row, so two
    requests at once record one transition."""
    if action not in FEEDBACK_TRANSITIONS:
        raise ValidationError(_("未知的操作。"), code="unknown_action")
    if action == "dismiss" and reason not in DismissReason.values:
        raise ValidationError(_("请选择忽略的原因。"), code="reason_required")
    if action == "view" and match.status != MatchStatus.SUGGESTED:
        return match  # opening a match again is not news
    if action in _ALREADY_DONE:
        current = Match.objects.select_for_update().get(pk=match.pk)
        if current.status == _ALREADY_DONE[action] and may_give_feedback(current, actor):
            return current
    match = transition_apply(match, transition=action, by=actor, reason=reason or note)
    if action == "dismiss":
        match.dismiss_reason, match.dismiss_note = reason, note[:300]
        match.dismissed_by, match.dismissed_at = actor, timezone.now()
        match.save(update_fields=["dismiss_reason", "dismiss_note", "dismissed_by", "dismissed_at"])
    elif action == "restore":
        # Back on the lists: the audit log keeps who dismissed it, when and why.
        match.dismiss_reason, match.dismiss_note = "", ""
        match.dismissed_by, match.dismissed_at = None, None
        match.save(update_fields=["dismiss_reason", "dismiss_note", "dismissed_by", "dismissed_at"])
    # A dismissed match leaves the listings' pages for everyone, a restored one comes back.
    transaction.on_commit(lambda: pagecache.invalidate("matches"))
    return match


def match_record_view(*, match: Match, actor: User) -> bool:
    """A party opening a still-suggested match marks it viewed; anyone else's visit, or a
    second look, records nothing. True when a view was recorded."""
    if match.status != MatchStatus.SUGGESTED or not may_give_feedback(match, actor):
        return False
    match_feedback(match=match, actor=actor, action="view")
    return True


@transaction.atomic
def match_follow_deal(*, match: Match, actor: User | None, lost: bool = False) -> Match:
    """The match's state follows its deal: "deal" when one is opened on it, back to
    "contacted" when that deal is lost. Called by the deal service, which checked who may."""
    if lost:
        if match.status != MatchStatus.DEAL:
            return match
        match = transition_apply(match, transition="follow_lost_deal", by=actor)
    elif match.status == MatchStatus.DEAL:
        return match
    else:
        match = transition_apply(match, transition="follow_deal", by=actor)
    transaction.on_commit(lambda: pagecache.invalidate("matches"))
    return match
