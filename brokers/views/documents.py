"""A deal's documents in the browser: the upload form on the deal's page, and the checked
download, which serves a file only to the deal's parties."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokers import selectors, services
from brokers.forms import DealDocumentForm
from brokers.models import Deal

DOCUMENTS_ANCHOR = "#documents"


@login_required
@require_POST
def document_upload(request, pk):
    deal = get_object_or_404(Deal, pk=pk)
    if not services.may_see_deal(deal, request.user):
        raise Http404
    form = DealDocumentForm(request.POST, request.FILES, stages=services.document_stages(deal))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            services.deal_document_add(
                deal=deal,
                actor=request.user,
                upload=form.cleaned_data["file"],
                stage=form.cleaned_data["stage"],
                kind=form.cleaned_data["kind"],
                token=form.cleaned_data["token"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("文件已上传。"))
    return redirect(deal.get_absolute_url() + DOCUMENTS_ANCHOR)


def document_download(request, key):
    """A deal's document, to its parties, its brokers and its market's operators. Anyone
    else, signed in or not, gets the same 404 as for a key that does not exist."""
    document = selectors.document_visible_to(key, request.user)
    if document is None:
        raise Http404
    try:
        content = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        content,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.mime_type,
    )
    # The answer depends on who asks: no shared cache may keep it for the next person.
    patch_cache_control(response, private=True, no_cache=True)
    return response
