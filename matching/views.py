"""Matches on listing pages, and what people do with them. Thin: services do the work."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from listings.kinds import KINDS
from listings.locations import listing_url
from matching import services
from matching.choices import DismissReason
from matching.models import Match, MatchPreference
from matching.selectors import matches_for_listing


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


@login_required
@require_POST
def match_act(request, pk: int, action: str):
    match = get_object_or_404(Match.objects.select_related("demand", "achievement"), pk=pk)
    try:
        services.match_feedback(
            match=match,
            actor=request.user,
            action=action,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您没有权限处理这条匹配。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, DONE.get(action, _("已记录。")))
    if request.htmx:
        match.refresh_from_db()
        kind = request.POST.get("kind", "demand")
        listing = match.demand if kind == "demand" else match.achievement
        entries = [
            e for e in matches_for_listing(kind, listing, request.user) if e["match"] == match
        ]
        return render(
            request,
            "matching/_match.html",
            {"entry": entries[0] if entries else None, "kind": kind, "reasons": REASONS},
        )
    return redirect(_back(request, match))


DONE = {
    "contact": gettext_lazy("已标记为已联系。"),
    "dismiss": gettext_lazy("已忽略这条匹配，它不会再出现在列表中。"),
    "restore": gettext_lazy("已恢复这条匹配。"),
    "close_deal": gettext_lazy("已标记为已成交。"),
}
REASONS = DismissReason.choices


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
