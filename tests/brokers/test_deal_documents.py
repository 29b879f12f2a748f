"""A deal's documents: filed under a stage the deal has reached, PDF, images, .docx and .xlsx
by their content, and downloaded only by the deal's parties, brokers and operators."""

import io
import uuid
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from brokers import services
from brokers.choices import DealStage, DocumentKind, LostReason
from brokers.models import DealDocument
from market.choices import OrganizationKind
from tests.brokers.deal_world import lead_deal, member_of
from tests.factories import BrokerFactory, OrganizationFactory, SubMarketFactory, make_operator

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "技术性收入核定表"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("notes.txt", "not an office file")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def deal(world):
    return lead_deal(world, stage=DealStage.SIGNED)


def add(deal, user, name, content, *, stage=DealStage.SIGNED, kind=DocumentKind.CONTRACT, **kw):
    return services.deal_document_add(
        deal=deal, actor=user, upload=upload(name, content), stage=stage, kind=kind, **kw
    )


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("技术转让合同.pdf", PDF, "application/pdf"),
        ("签约现场.png", PNG, "image/png"),
        (
            "会议纪要.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "技术性收入核定表.xlsx",
            xlsx_bytes(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_a_document_is_filed_by_its_content(world, deal, name, content, mime):
    document = add(deal, world.broker.user, name, content)
    assert (document.original_name, document.mime_type, document.size) == (
        name,
        mime,
        len(content),
    )
    assert (document.stage, document.kind, document.uploaded_by) == (
        DealStage.SIGNED,
        DocumentKind.CONTRACT,
        world.broker.user,
    )
    with document.file.open("rb") as stored:
        assert stored.read() == content
    # Stored under a name nobody can guess, not the person's.
    assert name not in document.file.name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "合同.pdf",
            b"MZ\x90\x00" + b"\x00" * 64,
            "的内容不是 PDF、图片、Word（.docx）或 Excel（.xlsx），已拒收。",
        ),
        (
            "合同.docx",
            plain_zip(),
            "的内容不是 PDF、图片、Word（.docx）或 Excel（.xlsx），已拒收。",
        ),
        ("合同.docx", PDF, "的扩展名与实际内容（PDF）不符，已拒收。"),
        ("核定表.xlsx", docx_bytes(), "的扩展名与实际内容（Word (.docx)）不符，已拒收。"),
        ("合同", PDF, "的扩展名与实际内容（PDF）不符，已拒收。"),
    ],
)
def test_a_file_whose_content_is_not_allowed_or_lies_is_refused(
    world, deal, name, content, message
):
    with pytest.raises(ValidationError) as exc:
        add(deal, world.broker.user, name, content)
    assert exc.value.messages == [f"文件“{name}”{message}"]
    assert not DealDocument.objects.exists()


def test_a_file_over_the_limit_is_refused(world, deal, settings):
    settings.DEAL_DOCUMENT_MAX_BYTES = 2 * 2**20
    with pytest.raises(ValidationError) as exc:
        add(deal, world.broker.user, "扫描件.pdf", PDF + b"0" * (2 * 2**20))
    assert exc.value.messages == ["文件“扫描件.pdf”大小为 2.0 MB，超过上限 2 MB。"]
    assert not DealDocument.objects.exists()


def test_a_document_goes_under_a_stage_the_deal_has_reached(world):
    deal = lead_deal(world, stage=DealStage.NEGOTIATION)
    assert services.document_stages(deal) == ["lead", "contacted", "negotiation"]
    with pytest.raises(ValidationError) as exc:
        add(deal, world.broker.user, "合同.pdf", PDF, stage=DealStage.SIGNED)
    assert exc.value.message_dict == {"stage": ["请选择这笔交易已经到达的阶段。"]}
    assert add(deal, world.broker.user, "纪要.pdf", PDF, stage=DealStage.CONTACTED).pk
    services.deal_lose(deal=deal, by=world.broker.user, reason=LostReason.PRICE)
    deal.refresh_from_db()
    assert services.document_stages(deal) == ["lead", "contacted", "negotiation"]


def test_the_same_upload_sent_twice_files_one_document(world, deal):
    token = uuid.uuid4()
    first = add(deal, world.broker.user, "合同.pdf", PDF, token=token)
    again = add(deal, world.broker.user, "合同.pdf", PDF, token=token)
    assert first == again
    assert DealDocument.objects.count() == 1


def test_parties_may_upload_and_others_may_not(world, deal, outsider):
    assert add(deal, world.seller_user, "合同.pdf", PDF).uploaded_by == world.seller_user
    with pytest.raises(PermissionDenied):
        add(deal, outsider, "合同.pdf", PDF)
    with pytest.raises(PermissionDenied):
        add(deal, world.colleague.user, "合同.pdf", PDF)
    assert DealDocument.objects.count() == 1


def test_uploading_from_the_deal_page(client, world, deal):
    client.force_login(world.buyer_user)
    page = client.get(deal.get_absolute_url())
    form = page.context["document_form"]
    assert [value for value, _label in form.fields["stage"].choices] == [
        "lead",
        "contacted",
        "negotiation",
        "signed",
    ]
    url = reverse("brokers:document_upload", args=[deal.pk])
    data = {
        "stage": "signed",
        "kind": "contract",
        "token": str(form.initial["token"]),
        "file": upload("技术转让合同.pdf", PDF),
    }
    response = client.post(url, data, follow=True)
    assert response.redirect_chain == [(deal.get_absolute_url() + "#documents", 302)]
    assert "文件已上传。" in response.text
    document = DealDocument.objects.get()
    assert f'href="{document.get_absolute_url()}"' in response.text
    refused = client.post(
        url,
        {"stage": "signed", "kind": "contract", "file": upload("合同.pdf", b"MZ" * 40)},
        follow=True,
    )
    assert refused.status_code == 200
    assert "已拒收" in refused.text
    missing = client.post(url, {"stage": "signed", "kind": "contract"}, follow=True)
    assert "请选择要上传的文件。" in missing.text
    assert DealDocument.objects.count() == 1


def test_an_outsider_cannot_upload_through_the_page(client, world, deal, outsider):
    client.force_login(outsider)
    url = reverse("brokers:document_upload", args=[deal.pk])
    data = {"stage": "signed", "kind": "contract", "file": upload("合同.pdf", PDF)}
    assert client.post(url, data).status_code == 404
    assert not DealDocument.objects.exists()


# ── Downloads ────────────────────────────────────────────────────────────────────────────────


def test_the_deal_parties_brokers_and_operators_may_download(client, world, deal, operator):
    document = add(deal, world.broker.user, "技术转让合同.pdf", PDF)
    url = reverse("brokers:document", args=[document.key])
    assert url == f"/brokers/deals/documents/{document.key}/"
    for user in (world.broker.user, world.buyer_user, world.seller_user, operator):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert "private" in response["Cache-Control"]


def test_everyone_else_gets_404(client, world, deal, main_market, other_enterprise_user):
    document = add(deal, world.broker.user, "技术转让合同.pdf", PDF)
    url = reverse("brokers:document", args=[document.key])
    sub = SubMarketFactory(parent=main_market)
    sub_operators = OrganizationFactory(kind=OrganizationKind.OPERATOR, market=sub)
    other_market_operator = make_operator(sub_operators, sub, name="分市场运营")
    # A plain member of another organization, a broker not on the deal, another market's
    # operator, and someone with no role at all.
    people = [
        other_enterprise_user,
        world.colleague.user,
        BrokerFactory().user,
        other_market_operator,
        member_of(world.broker.institution),
    ]
    for user in people:
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.logout()
    assert client.get(url).status_code == 404
    client.force_login(world.broker.user)
    assert client.get(reverse("brokers:document", args=[uuid.uuid4()])).status_code == 404
