"""Owners' pages: their listings, the forms to write and submit them, attachments and the
spreadsheet import. Each view parses input, calls a service and shows the outcome."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from listings import importing, selectors, services
from listings.forms import AttachmentForm, ConfirmImportForm, ImportForm, InterestForm
from listings.kinds import ACHIEVEMENT, DEMAND, KINDS, ListingKind, get_kind
from listings.locations import listing_site_url
from listings.panels import detail_panels
from market import pagecache, permissions
from market.models import Organization
from market.services import transition_history

# The messages are lazy: a module-level gettext would freeze them in the language of
# whichever request imported the module first.
# Rows of each kind on one page of 我的发布.
MINE_PAGE_SIZE = 20

ACTIONS = {
    "submit": (services.listing_submit, gettext_lazy("已提交审核，运营方审核后发布。")),
    "renew": (services.listing_renew, gettext_lazy("已续期。")),
    "close": (services.listing_close, gettext_lazy("已关闭。")),
    "reopen": (services.listing_reopen, gettext_lazy("已恢复为草稿，可修改后重新提交。")),
}


def _kind(key: str) -> ListingKind:
    try:
        return get_kind(key)
    except LookupError:
        raise Http404 from None


def _owners(user, kind: ListingKind):
    return Organization.objects.filter(
        pk__in=permissions.editable_organization_ids(user), kind__in=kind.owner_kinds
    )


def add_error(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields where it names them."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def my_listings(request):
    # An organisation can hold thousands of listings: each kind is paged on its own
    # (?achievement_page=, ?demand_page=), newest change first, with its counts by state.
    sections = []
    for spec in (ACHIEVEMENT, DEMAND):
        rows = selectors.listings_of_user(spec.model, request.user).order_by("-updated_at", "-id")
        page = Paginator(rows, MINE_PAGE_SIZE).get_page(request.GET.get(f"{spec.key}_page"))
        sections.append(
            {
                "kind": spec.key,
                "title": spec.label,
                "page_obj": page,
                "param": f"{spec.key}_page",
                "others": request.GET.copy(),
                "by_status": selectors.listing_status_counts(spec.model, request.user),
            }
        )
    for section in sections:
        section["others"].pop(section["param"], None)
        section["others"] = section["others"].urlencode()
    context = {
        "sections": sections,
        "can_post_achievement": _owners(request.user, ACHIEVEMENT).exists(),
        "can_post_demand": _owners(request.user, DEMAND).exists(),
    }
    return render(request, "listings/mine.html", context)


@login_required
def listing_create(request, kind):
    spec = _kind(kind)
    model, form_class = spec.model, spec.form
    owners = _owners(request.user, spec)
    if not owners.exists():
        raise PermissionDenied(_("您所在的机构不能发布%s。") % model._meta.verbose_name)
    form = form_class(request.POST or None)
    owner_id = request.POST.get("owner") or request.GET.get("owner")
    owner = owners.filter(pk=owner_id).first() if owner_id else owners.first()
    if owner is None:
        raise PermissionDenied(_("您不是该机构的成员。"))
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_create(
                model=model,
                actor=request.user,
                owner=owner,
                client_token=form.cleaned_data["client_token"],
                **form.service_kwargs(),
            )
        except services.DuplicateSubmission as dup:
            messages.info(request, _("该表单已经提交过，未重复创建。"))
            return redirect(_detail_url(kind, dup.listing))
        except ValidationError as exc:
            add_error(form, exc)
        else:
            if "submit" in request.POST:
                return _run_action(request, kind, listing, "submit")
            messages.success(request, _("已保存为草稿。"))
            return redirect(_detail_url(kind, listing))
    return render(
        request,
        "listings/form.html",
        {"form": form, "kind": kind, "model": model, "owners": owners, "owner": owner},
    )


@login_required
def listing_edit(request, kind, pk):
    spec = _kind(kind)
    model, form_class = spec.model, spec.form
    listing = get_object_or_404(model, pk=pk)
    if not permissions.is_org_editor(request.user, listing.owner_id):
        raise PermissionDenied(_("只有发布机构的成员可以修改该信息。"))
    form = form_class(request.POST or None, instance=listing)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_update(
                listing=model.objects.get(pk=pk), actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            add_error(form, exc)
        else:
            if "submit" in request.POST:
                return _run_action(request, kind, listing, "submit")
            messages.success(request, _("修改已保存。"))
            return redirect(_detail_url(kind, listing))
    return render(
        request,
        "listings/form.html",
        {"form": form, "kind": kind, "model": model, "listing": listing},
    )


@login_required
@require_POST
def listing_action(request, kind, pk, action):
    model = _kind(kind).model
    if action not in ACTIONS:
        raise Http404
    listing = get_object_or_404(model, pk=pk)
    return _run_action(request, kind, listing, action)


def _run_action(request, kind, listing, action):
    service, success = ACTIONS[action]
    try:
        service(listing=listing, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, str(success))
    return redirect(_detail_url(kind, listing))


def _detail_url(kind, listing):
    return reverse("listings:detail", args=[kind, listing.pk])


def listing_detail(request, kind, pk):
    """The canonical public address of a listing is under its index page on the site."""
    url = listing_site_url(_kind(kind).key, pk)
    if url:
        return redirect(url)
    return render_listing_detail(request, kind, pk)


def render_listing_detail(request, kind, pk, page=None):
    model = _kind(kind).model
    listing = model.objects.select_related("owner", "market").filter(pk=pk).first()
    if listing is None or not selectors.listing_visible_to(listing, request.user):
        return render(
            request,
            "listings/unavailable.html",
            {"model": model, "listing": listing, "page": page},
            status=404,
        )
    validators = None
    if not request.user.is_authenticated:
        # The anonymous page is the same for everyone: cached whole, and answered with a 304
        # while neither the listing, its matches nor the site's navigation changed.
        versions = pagecache.depends_on(request, pagecache.listing_tag(kind, pk), "matches")
        validators = {
            "etag": pagecache.etag_for(
                kind, pk, listing.updated_at.isoformat(), translation.get_language(),
                request.headers.get("HX-Request", ""), sorted(versions.items()),
            ),
            "last_modified": max(listing.updated_at.timestamp(), pagecache.last_changed(versions)),
        }  # fmt: skip
        not_modified = pagecache.conditional_response(request, **validators)
        if not_modified is not None:
            return not_modified
    is_editor = permissions.is_org_editor(request.user, listing.owner_id)
    context = {
        "page": page,
        "listing": listing,
        "kind": kind,
        "model": model,
        "is_editor": is_editor,
        "modes": listing.modes.all(),
        "attachments": listing.attachments.all(),
        "history": transition_history(listing) if is_editor else [],
        "attachment_form": AttachmentForm(),
        "show_contact": request.user.is_authenticated,
        "interest_form": InterestForm(),
        "panels": detail_panels(request, kind=kind, listing=listing),
    }
    response = render(request, "listings/detail.html", context)
    if validators is not None:
        pagecache.set_validators(response, **validators)
    return response


@login_required
@require_POST
def express_interest(request, kind, pk):
    model = _kind(kind).model
    listing = get_object_or_404(model, pk=pk)
    form = InterestForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        services.listing_express_interest(listing=listing, actor=request.user, message=message)
    except ValidationError as exc:
        text, ok = " ".join(exc.messages), False
    else:
        text, ok = _("已把您的对接意向发送给发布方，对方会尽快联系您。"), True
    if request.htmx:
        return render(request, "listings/_interest_result.html", {"text": text, "ok": ok})
    (messages.success if ok else messages.error)(request, text)
    return redirect("listings:detail", kind, pk)


@login_required
@require_POST
def attachment_upload(request, kind, pk):
    model = _kind(kind).model
    listing = get_object_or_404(model, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            services.attachment_add(
                listing=listing, actor=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("附件已上传。"))
    return redirect(_detail_url(kind, listing))


def attachment_download(request, key):
    """An attachment, to whoever may see its listing: everyone for a published one, its
    owner's editors and the market's operators otherwise. Anyone else gets the same 404 as
    for a key that does not exist."""
    attachment = selectors.attachment_visible_to(key, request.user)
    if attachment is None:
        raise Http404
    try:
        content = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        content,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.mime_type,
    )
    # The answer depends on who asks: no shared cache may keep it for the next person.
    patch_cache_control(response, private=True, no_cache=True)
    return response


# A file whose rows look like listings the owner has waits here while the person decides.
PENDING_IMPORT_SECONDS = 30 * 60


def _pending_key(token: str) -> str:
    return f"listings:import:{token}"


@login_required
def listing_import(request):
    owners = Organization.objects.filter(pk__in=permissions.editable_organization_ids(request.user))
    if not owners.exists():
        raise PermissionDenied(_("只有机构成员可以批量导入。"))
    if request.method == "POST" and "pending" in request.POST:
        # The second step: the person has seen the likely duplicates and decides.
        confirm_form = ConfirmImportForm(request.POST)
        token = request.POST["pending"]
        pending = cache.get(_pending_key(token))
        if pending is None or pending["user"] != request.user.pk:
            messages.error(request, _("这次上传已过期，请重新上传文件。"))
            return redirect("listings:import")
        owner = owners.filter(pk=pending["owner"]).first()
        if owner is None:
            raise PermissionDenied(_("只有机构成员可以批量导入。"))
        if confirm_form.is_valid():
            cache.delete(_pending_key(token))
            return _import(request, owners, owner, pending, allow_duplicates=True)
        return _import(request, owners, owner, pending, token=token, confirm_form=confirm_form)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        owner = owners.filter(pk=request.POST.get("owner")).first() or owners.first()
        upload = form.cleaned_data["file"]
        pending = {
            "user": request.user.pk,
            "owner": owner.pk,
            "kind": form.cleaned_data["kind"],
            "file_name": upload.name,
            "data": upload.read(),
        }
        return _import(request, owners, owner, pending, form=form)
    return render(request, "listings/import.html", {"form": form, "owners": owners})


def _import(
    request, owners, owner, pending, *, allow_duplicates=False, form=None, token=None,
    confirm_form=None,
):  # fmt: skip
    context = {"form": form or ImportForm(), "owners": owners}
    try:
        result = importing.listings_import(
            actor=request.user,
            owner=owner,
            kind=pending["kind"],
            file_name=pending["file_name"],
            data=pending["data"],
            allow_duplicates=allow_duplicates,
        )
    except importing.ImportFailed as failed:
        context["errors"] = failed.errors
    except importing.DuplicatesFound as found:
        if token is None:
            token = uuid.uuid4().hex
            cache.set(_pending_key(token), pending, PENDING_IMPORT_SECONDS)
        context.update(
            duplicates=found.duplicates,
            duplicates_summary=str(found),
            rows_total=len(found.prepared.rows),
            pending_owner=owner,
            pending_file=pending["file_name"],
            confirm_form=confirm_form or ConfirmImportForm(initial={"pending": token}),
        )
    else:
        messages.success(request, _("已导入 %d 条，均为草稿，请检查后提交审核。") % result.created)
        return redirect("listings:mine")
    return render(request, "listings/import.html", context)


def import_template(request, kind, fmt):
    if kind not in KINDS or fmt not in ("xlsx", "csv"):
        raise Http404
    content_types = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv": "text/csv; charset=utf-8",
    }
    response = HttpResponse(importing.import_template(kind, fmt), content_type=content_types[fmt])
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{fmt}"'
    return response
