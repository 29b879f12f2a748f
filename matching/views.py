"""Matches on listing pages, and what people do with them. Thin: services do the work."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from listings.kinds import KINDS
from listings.locations import listing_url
from matching import services
from matching.choices import DismissReason
from matching.models import Match, MatchPreference, may_act_for_listing
from matching.selectors import dismissed_match_count, dismissed_matches, matches_for_listing


def _back(request, match: Match) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return listing_url("demand", match.demand_id)


@require_POST
def match_open(request, pk: int, kind: str):
    """Follow a match to the other listing; counts as viewed for those who can act on it.
    POST only: a GET (an image tag on any site, a crawler, a link preview) must not change a
    match or write its audit log."""
    match = get_object_or_404(Match, pk=pk)
    if kind not in KINDS:
        kind = "achievement"
    services.match_record_view(match=match, actor=request.user)
    pk_other = match.achievement_id if kind == "achievement" else match.demand_id
    return redirect(listing_url(kind, pk_other))


def _kind(value: str) -> str:
    return value if value in KINDS else "demand"


@login_required
@require_POST
def match_act(request, pk: int, action: str):
    """A party's feedback on a match. From a listing's page through htmx, the match's row
    is swapped for its new state, with what happened written inside it; a dismissed match
    becomes a notice with an undo button. Without htmx, back to the page with a message."""
    match = get_object_or_404(Match.objects.select_related("demand", "achievement"), pk=pk)
    kind = _kind(request.POST.get("kind", "demand"))
    try:
        services.match_feedback(
            match=match,
            actor=request.user,
            action=action,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except PermissionDenied:
        messages.error(request, _("您没有权限处理这条匹配。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _report(request, match, action, kind)
    if request.htmx:
        match.refresh_from_db()
        listing = match.demand if kind == "demand" else match.achievement
        entries = [
            e for e in matches_for_listing(kind, listing, request.user) if e["match"] == match
        ]
        context = {
            "entry": entries[0] if entries else None,
            "match": match,
            "kind": kind,
            "listing": listing,
            "reasons": REASONS,
            "notices": True,
            "dismissed_count": dismissed_match_count(kind, listing, request.user),
            "oob": True,
        }
        return render(request, "matching/_match_swap.html", context)
    return redirect(_back(request, match))


def _report(request, match: Match, action: str, kind: str) -> None:
    """What happened, as a message. A dismissal says which match went and offers to undo
    it (a POST restoring it, through the same service)."""
    other = match.achievement if kind == "demand" else match.demand
    if action == "dismiss":
        notice = render_to_string(
            "matching/_dismissed_message.html",
            {
                "match": match,
                "title": other.title,
                "kind": kind,
                "next": _back(request, match),
                "inline": bool(request.htmx),
            },
            request=request,
        )
        messages.success(request, notice, extra_tags="undo")
    elif action == "restore":
        messages.success(request, _("已恢复匹配“%(title)s”。") % {"title": other.title})
    else:
        messages.success(request, DONE.get(action, _("已记录。")))


DONE = {
    "contact": gettext_lazy("已标记为已联系。"),
}
REASONS = DismissReason.choices


@login_required
def dismissed_list(request, kind: str, pk: int):
    """已移除的匹配: a listing's dismissed matches, each with a button restoring it, for the
    people who act for the listing."""
    if kind not in KINDS:
        raise Http404
    listing = get_object_or_404(KINDS[kind].model, pk=pk)
    if not may_act_for_listing(kind, listing, request.user):
        raise PermissionDenied(_("只有发布方及其经纪人、市场运营方可以查看已移除的匹配。"))
    other_kind = KINDS[kind].other.key
    entries = []
    for match in dismissed_matches(kind, listing):
        other = match.achievement if kind == "demand" else match.demand
        entries.append({"match": match, "other": other, "url": listing_url(other_kind, other.pk)})
    return render(
        request,
        "matching/dismissed.html",
        {
            "kind": kind,
            "listing": listing,
            "listing_url": listing_url(kind, listing.pk),
            "entries": entries,
        },
    )


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = MatchPreference
        fields = ["notify_threshold", "daily_digest"]


@login_required
def preference_edit(request):
    """匹配提醒设置: the score from which a new match is worth a notification, and the
    daily digest on or off."""
    pref = MatchPreference.objects.filter(user=request.user).first() or MatchPreference(
        user=request.user
    )
    form = PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("提醒设置已保存。"))
        return redirect("matching:preferences")
    return render(request, "matching/preferences.html", {"form": form})
