"""Writes to technology achievements and demands: create, edit, the review lifecycle,
expiry and attachments. Web views, the admin, commands and tests all come through here."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import filetype
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from listings.choices import ListingStatus
from listings.kinds import kind_of
from listings.models import (
    Achievement,
    Attachment,
    Demand,
    IntellectualProperty,
    Interest,
    Listing,
    Mode,
)
from listings.signals import announce_listing_changed
from market import pagecache, permissions
from market.choices import LISTING_EDITOR_ROLES
from market.models import Organization, User
from market.services import notify, transition_apply

ListingModel = type[Achievement] | type[Demand]

ATTACHMENT_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
}


class DuplicateSubmission(Exception):
    """The same form was sent twice; `listing` is the one the first send created."""

    def __init__(self, listing: Listing):
        super().__init__(listing.pk)
        self.listing = listing


def _modes(codes: Iterable[str]) -> list[Mode]:
    codes = list(dict.fromkeys(codes))
    modes = list(Mode.objects.filter(code__in=codes))
    if len(modes) != len(codes):
        raise ValidationError(_("合作方式无效：%s") % "、".join(codes))
    return modes


def _check_owner(model: ListingModel, actor: User, owner: Organization) -> None:
    if not permissions.is_org_editor(actor, owner.pk):
        raise PermissionDenied(_("您不是“%s”的成员，不能以该机构名义发布。") % owner.name)
    if owner.kind not in kind_of(model).owner_kinds:
        raise ValidationError(
            _("%(kind)s不能发布%(what)s。")
            % {"kind": owner.get_kind_display(), "what": model._meta.verbose_name}
        )


def _save_ip(achievement: Achievement, ip_items: Iterable[dict[str, Any]]) -> None:
    achievement.ip_items.all().delete()
    for item in ip_items:
        ip = IntellectualProperty(achievement=achievement, **item)
        ip.full_clean(exclude=["achievement"])
        ip.save()


@transaction.atomic
def listing_create(
    *,
    model: ListingModel,
    actor: User,
    owner: Organization,
    modes: Iterable[str],
    ip_items: Iterable[dict[str, Any]] = (),
    client_token: uuid.UUID | None = None,
    **fields: Any,
) -> Listing:
    """Create a draft achievement or demand for `owner`.

    `client_token` comes from the form: a second send of the same form raises
    DuplicateSubmission with the listing the first send created, so nothing is made twice.
    """
    _check_owner(model, actor, owner)
    if client_token is not None:
        existing = model.objects.filter(client_token=client_token).first()
        if existing is not None:
            raise DuplicateSubmission(existing)
    listing = model(
        owner=owner,
        market_id=owner.market_id,
        created_by=actor,
        client_token=client_token,
        status=ListingStatus.DRAFT,
        **fields,
    )
    modes = _modes(modes)
    if not modes:
        raise ValidationError({model.MODES_FIELD: _("请至少选择一种合作方式。")})
    listing.full_clean()
    try:
        with transaction.atomic():
            listing.save()
    except IntegrityError:
        # A concurrent double-click: the other request won the race on the unique token.
        existing = model.objects.filter(client_token=client_token).first()
        if existing is None:
            raise
        raise DuplicateSubmission(existing) from None
    getattr(listing, model.MODES_FIELD).set(modes)
    if model is Achievement:
        _save_ip(listing, ip_items)
    return listing


@transaction.atomic
def listing_update(
    *,
    listing: Listing,
    actor: User,
    modes: Iterable[str] | None = None,
    ip_items: Iterable[dict[str, Any]] | None = None,
    **fields: Any,
) -> Listing:
    """Edit a listing's content: its owner's editors, or an operator of its market (who may
    correct it in any state, the review included). For the owner a listing under review is
    locked until the operator decides."""
    model = type(listing)
    listing = model.objects.select_for_update().get(pk=listing.pk)
    is_operator = permissions.is_market_operator(actor, listing.market_id)
    if not is_operator and not permissions.is_org_editor(actor, listing.owner_id):
        raise PermissionDenied(_("只有发布机构的成员可以修改该信息。"))
    if not is_operator and not listing.is_editable:
        raise ValidationError(
            _("“%(title)s”当前状态为“%(state)s”，不能修改。")
            % {"title": listing.title, "state": listing.get_status_display()}
        )
    protected = {"owner", "market", "status", "created_by", "client_token", "published_at"}
    for name, value in fields.items():
        if name in protected:
            raise ValueError(f"{name} is not editable through listing_update")
        setattr(listing, name, value)
    listing.full_clean()
    listing.save()
    if modes is not None:
        modes = _modes(modes)
        if not modes:
            raise ValidationError({model.MODES_FIELD: _("请至少选择一种合作方式。")})
        getattr(listing, model.MODES_FIELD).set(modes)
    if ip_items is not None and model is Achievement:
        _save_ip(listing, ip_items)
    announce_listing_changed(listing)
    return listing


@transaction.atomic
def listing_submit(*, listing: Listing, actor: User) -> Listing:
    # The stored owner, not the caller's copy: a caller may hold only the listing's key.
    owner = Organization.objects.get(
        pk=type(listing).objects.filter(pk=listing.pk).values("owner_id")[:1]
    )
    if not owner.is_approved:
        # A self-registered organization may draft, but publishes only once its market's
        # operator has approved it.
        raise ValidationError(
            _(
                "机构尚未通过审核（%(name)s：%(status)s），暂不能提交审核或发布。"
                "草稿已保存，机构审核通过后即可提交。"
            )
            % {"name": owner.name, "status": owner.get_status_display()},
            code="organization_not_approved",
        )
    listing = transition_apply(listing, transition="submit", by=actor)
    listing.submitted_at = timezone.now()
    listing.save(update_fields=["submitted_at", "updated_at"])
    return listing


@transaction.atomic
def listing_approve(*, listing: Listing, actor: User, note: str = "") -> Listing:
    listing = transition_apply(listing, transition="approve", by=actor, reason=note)
    now = timezone.now()
    listing.published_at = now
    listing.expires_at = now + timedelta(days=settings.LISTING_LIFETIME_DAYS)
    listing.expiry_reminded_at = None
    listing.review_reason = ""
    listing.save(
        update_fields=[
            "published_at",
            "expires_at",
            "expiry_reminded_at",
            "review_reason",
            "updated_at",
        ]
    )
    _notify_owner(listing, verb="listing.approved", title=_("“%s”已审核通过并发布") % listing)
    announce_listing_changed(listing)
    return listing


@transaction.atomic
def listing_reject(*, listing: Listing, actor: User, reason: str) -> Listing:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回时必须填写原因，发布者会看到它。")})
    listing = transition_apply(listing, transition="reject", by=actor, reason=reason)
    listing.review_reason = reason
    listing.save(update_fields=["review_reason", "updated_at"])
    _notify_owner(
        listing,
        verb="listing.rejected",
        title=_("“%s”被退回修改") % listing,
        body=reason,
    )
    return listing


@transaction.atomic
def listing_renew(*, listing: Listing, actor: User) -> Listing:
    """Extend a published (or lapsed) listing for another lifetime from today."""
    listing = transition_apply(listing, transition="renew", by=actor)
    listing.expires_at = timezone.now() + timedelta(days=settings.LISTING_LIFETIME_DAYS)
    listing.expiry_reminded_at = None
    listing.save(update_fields=["expires_at", "expiry_reminded_at", "updated_at"])
    announce_listing_changed(listing)
    return listing


@transaction.atomic
def listing_close(*, listing: Listing, actor: User, reason: str = "") -> Listing:
    listing = transition_apply(listing, transition="close", by=actor, reason=reason)
    announce_listing_changed(listing)
    return listing


@transaction.atomic
def listing_reopen(*, listing: Listing, actor: User) -> Listing:
    return transition_apply(listing, transition="reopen", by=actor)


def listings_expire_due(*, now=None) -> int:
    """Expire every published listing whose time is up. Returns how many expired."""
    now = now or timezone.now()
    count = 0
    for model in (Achievement, Demand):
        due = model.objects.filter(status=ListingStatus.PUBLISHED, expires_at__lte=now)
        for pk in due.values_list("pk", flat=True):
            with transaction.atomic():
                listing = transition_apply(
                    model(pk=pk), transition="expire", by=None, reason=_("发布期满")
                )
                announce_listing_changed(listing)
            _notify_owner(listing, verb="listing.expired", title=_("“%s”已过期下架") % listing)
            count += 1
    return count


def listings_remind_expiring(*, now=None) -> int:
    """Remind owners once, LISTING_EXPIRY_REMINDER_DAYS before a listing expires."""
    now = now or timezone.now()
    horizon = now + timedelta(days=settings.LISTING_EXPIRY_REMINDER_DAYS)
    count = 0
    for model in (Achievement, Demand):
        due = model.objects.filter(
            status=ListingStatus.PUBLISHED,
            expires_at__gt=now,
            expires_at__lte=horizon,
            expiry_reminded_at__isnull=True,
        )
        for listing in due:
            with transaction.atomic():
                claimed = model.objects.filter(
                    pk=listing.pk, expiry_reminded_at__isnull=True
                ).update(expiry_reminded_at=now)
                if not claimed:
                    continue
                days = math.ceil((listing.expires_at - now).total_seconds() / 86400)
                _notify_owner(
                    listing,
                    verb="listing.expiring",
                    title=_("“%(title)s”将在%(days)d天后到期") % {"title": listing, "days": days},
                    body=_("如仍有效，请在到期前续期，否则将自动下架。"),
                    email=True,
                )
            count += 1
    return count


def _notify_owner(listing: Listing, *, verb: str, title: str, body: str = "", email=False):
    """Tell the people who can act for the listing's owner."""
    recipients = User.objects.filter(
        Q(pk=listing.created_by_id)
        | Q(
            memberships__organization_id=listing.owner_id,
            memberships__role__in=LISTING_EDITOR_ROLES,
        )
    ).distinct()
    for user in recipients:
        notify(recipient=user, verb=verb, title=title, body=body, email=email)


@transaction.atomic
def attachment_add(*, listing: Listing, actor: User, upload: UploadedFile) -> Attachment:
    """Attach a PDF or image. Its type is read from its bytes; a file whose name lies about
    its content is refused."""
    if not permissions.is_org_editor(actor, listing.owner_id):
        raise PermissionDenied(_("只有发布机构的成员可以上传附件。"))
    # Read under lock: a submit racing this upload must not let the file in after it.
    status = (
        type(listing).objects.select_for_update().filter(pk=listing.pk).values_list("status")
    ).first()
    if listing.status == ListingStatus.SUBMITTED or status == (ListingStatus.SUBMITTED,):
        # The operator reviews what was submitted; a file added meanwhile would be published
        # unreviewed.
        raise ValidationError(
            _("“%(title)s”正在审核中，审核期间不能上传附件。请在审核结束后再上传。")
            % {"title": listing.title},
            code="under_review",
        )
    limit = settings.LISTING_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("文件“%(name)s”大小为 %(size).1f MB，超过上限 %(limit).0f MB。")
            % {"name": upload.name, "size": upload.size / 2**20, "limit": limit / 2**20},
            code="too_large",
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ATTACHMENT_TYPES:
        raise ValidationError(
            _("文件“%(name)s”的内容不是 PDF 或图片（JPEG、PNG、GIF、WebP），已拒收。")
            % {"name": upload.name},
            code="bad_type",
        )
    claimed = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if claimed not in _extensions_for(kind.mime):
        raise ValidationError(
            _("文件“%(name)s”的扩展名与实际内容（%(actual)s）不符，已拒收。")
            % {"name": upload.name, "actual": ATTACHMENT_TYPES[kind.mime]},
            code="type_mismatch",
        )
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(type(listing)),
        object_id=listing.pk,
        original_name=upload.name[:200],
        mime_type=kind.mime,
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    # The listing's page lists its attachments; nothing else shows them.
    tag = pagecache.listing_tag(type(listing)._meta.model_name, listing.pk)
    transaction.on_commit(lambda: pagecache.invalidate(tag))
    return attachment


def _extensions_for(mime: str) -> set[str]:
    return {
        "application/pdf": {"pdf"},
        "image/jpeg": {"jpg", "jpeg"},
        "image/png": {"png"},
        "image/gif": {"gif"},
        "image/webp": {"webp"},
    }[mime]


@transaction.atomic
def listing_express_interest(*, listing: Listing, actor: User, message: str = "") -> Interest:
    """Record that a signed-in person wants to talk about a published listing and tell the
    owner. Asking twice keeps one record (the newest message wins) and notifies once."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("请先登录再表达对接意向。"))
    if listing.status != ListingStatus.PUBLISHED:
        raise ValidationError(_("该信息未在发布状态，暂不能对接。"))
    if permissions.is_org_editor(actor, listing.owner_id):
        raise ValidationError(_("这是您所在机构发布的信息。"))
    message = (message or "").strip()[:1000]
    interest, created = Interest.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(type(listing)),
        object_id=listing.pk,
        user=actor,
        defaults={"message": message},
    )
    if not created:
        if message and message != interest.message:
            interest.message = message
            interest.save(update_fields=["message"])
        return interest
    contact = " ".join(filter(None, [str(actor), actor.phone, actor.email]))
    _notify_owner(
        listing,
        verb="listing.interest",
        title=_("有人对“%s”表达了对接意向") % listing,
        body=_("联系人：%(contact)s\n留言：%(message)s") % {"contact": contact, "message": message},
        email=True,
    )
    return interest
