"""The public pages of the window service standards (服务标准): the standards in force, one
standard's checklist with its versions, and what changed from one version to another.
Anyone may read them: a requester sees what the window owes them and by when."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from windows.selectors import standards as selectors


def standard_list(request):
    return render(
        request, "windows/standards_list.html", {"standards": selectors.standards_in_force()}
    )


def standard_detail(request, code: str):
    standard = selectors.standard_current(code)
    if standard is None:
        raise Http404
    versions = list(selectors.standard_versions(code))
    # Each version's predecessor among the public ones, for its "what changed" link.
    for version, predecessor in zip(versions, versions[1:] + [None], strict=True):
        version.predecessor = predecessor
    return render(
        request,
        "windows/standards_detail.html",
        {"standard": standard, "items": standard.items.all(), "versions": versions},
    )


def standard_diff(request, pk: int, other_pk: int):
    new = selectors.standard_with_items(pk)
    old = selectors.standard_with_items(other_pk)
    if new is None or old is None or new.code != old.code:
        raise Http404
    if old.version > new.version:
        old, new = new, old
    return render(
        request,
        "windows/standards_diff.html",
        {"diff": selectors.standard_diff(old, new), "old": old, "new": new},
    )
