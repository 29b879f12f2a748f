"""Writes for a deal's documents (交易文件): contract text, minutes, invoices and proofs, each
attached to a stage. The type of a file is decided by its bytes, as for listings'
attachments (`listings.services.attachment_add`); the file lives in the private storage and
is read only through the checked download view."""

from __future__ import annotations

import uuid
import zipfile

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from brokers.choices import DealStage, DocumentKind, TradeMode
from brokers.models import Deal, DealDocument
from brokers.models.deals import is_deal_party
from listings.services import ATTACHMENT_TYPES
from market.models import User

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a deal's document may be, by content: PDF, images, Word and Excel (2007 and later).
DOCUMENT_TYPES = {**ATTACHMENT_TYPES, DOCX: "Word (.docx)", XLSX: "Excel (.xlsx)"}
EXTENSIONS = {
    "application/pdf": {"pdf"},
    "image/jpeg": {"jpg", "jpeg"},
    "image/png": {"png"},
    "image/gif": {"gif"},
    "image/webp": {"webp"},
    DOCX: {"docx"},
    XLSX: {"xlsx"},
}
# The part every Word or Excel package must hold; a zip without it is not one of them.
OOXML_MAIN_PART = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}

# The stages in the pipeline's order; lost is not one a document is filed under.
PIPELINE = [s for s in DealStage.values if s != DealStage.LOST]


def document_max_bytes() -> int:
    return getattr(settings, "DEAL_DOCUMENT_MAX_BYTES", settings.LISTING_ATTACHMENT_MAX_BYTES)


def _ooxml_type(upload: UploadedFile) -> str | None:
    """A .docx or .xlsx by what the package holds, not by the order of its first entries
    (which is all a signature check sees)."""
    try:
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    for mime, part in OOXML_MAIN_PART.items():
        if part in names:
            return mime
    return None


def _content_type(upload: UploadedFile) -> str | None:
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in ATTACHMENT_TYPES:
        return kind.mime
    if head[:4] == b"PK\x03\x04":
        return _ooxml_type(upload)
    return None


def document_stages(deal: Deal) -> list[str]:
    """The stages a document may be filed under: the ones the deal has reached (a lost deal,
    the ones it reached before it was lost), in the pipeline's order."""
    reached = deal.lost_at_stage if deal.stage == DealStage.LOST else deal.stage
    if reached not in PIPELINE:
        return []
    stages = PIPELINE[: PIPELINE.index(reached) + 1]
    if deal.trade_mode != TradeMode.NEGOTIATED_NOTICE:
        stages = [s for s in stages if s != DealStage.NOTICE]
    return stages


@transaction.atomic
def deal_document_add(
    *,
    deal: Deal,
    actor: User,
    upload: UploadedFile,
    stage: str,
    kind: str,
    token: uuid.UUID | None = None,
) -> DealDocument:
    """File a document under one of the deal's stages, while its file is open. Its
    parties, brokers and the market's operators may; the file must be a PDF, an image, a
    .docx or an .xlsx by its content, with a name that says the same, and no larger than
    the limit. The same form sent twice files it once."""
    if token is not None:
        existing = DealDocument.objects.filter(token=token).first()
        if existing is not None:
            return existing
    if not is_deal_party(deal, actor):
        raise PermissionDenied(_("只有交易双方、技术经纪人和市场运营人员可以上传交易文件。"))
    if not deal.file_is_open:
        if deal.stage == DealStage.LOST:
            raise ValidationError(_("这笔交易已流失，不能再上传文件。"), code="deal_lost")
        raise ValidationError(_("这笔交易已完成，文件已归档，不能再上传。"), code="deal_closed")
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("请选择文件类型。")}, code="kind_required")
    if stage not in document_stages(deal):
        raise ValidationError(
            {"stage": _("请选择这笔交易已经到达的阶段。")}, code="stage_not_reached"
        )
    limit = document_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("文件“%(name)s”大小为 %(size).1f MB，超过上限 %(limit).0f MB。")
            % {"name": upload.name, "size": upload.size / 2**20, "limit": limit / 2**20},
            code="too_large",
        )
    mime = _content_type(upload)
    if mime is None:
        raise ValidationError(
            _("文件“%(name)s”的内容不是 PDF、图片、Word（.docx）或 Excel（.xlsx），已拒收。")
            % {"name": upload.name},
            code="bad_type",
        )
    claimed = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if claimed not in EXTENSIONS[mime]:
        raise ValidationError(
            _("文件“%(name)s”的扩展名与实际内容（%(actual)s）不符，已拒收。")
            % {"name": upload.name, "actual": DOCUMENT_TYPES[mime]},
            code="type_mismatch",
        )
    document = DealDocument(
        deal=deal,
        stage=stage,
        kind=kind,
        original_name=upload.name[:200],
        mime_type=mime,
        size=upload.size,
        uploaded_by=actor,
        token=token,
    )
    document.full_clean(exclude=["token", "file"])
    document.file.save(upload.name, upload, save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # The same form sent twice at once: keep the first send's file, drop this copy.
        document.file.delete(save=False)
        existing = DealDocument.objects.filter(token=token).first() if token else None
        if existing is None:
            raise
        return existing
    return document
