"""A lost or closed deal's file is closed: its page shows its documents but no upload form,
and the upload service refuses a new one with a message."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from brokers import services
from brokers.choices import DocumentKind, LostReason
from tests.brokers.deal_world import lead_deal

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def test_a_lost_deal_shows_no_upload_form_and_refuses_uploads(client, world):
    deal = lead_deal(world)
    upload = reverse("brokers:document_upload", args=[deal.pk])
    client.force_login(world.broker.user)
    assert upload in client.get(deal.get_absolute_url()).content.decode()
    minutes = services.deal_document_add(
        deal=deal,
        actor=world.broker.user,
        upload=SimpleUploadedFile("首次洽谈纪要.pdf", PDF),
        stage="lead",
        kind=DocumentKind.MINUTES,
    )
    services.deal_lose(deal=deal, by=world.broker.user, reason=LostReason.PRICE)
    deal.refresh_from_db()
    page = client.get(deal.get_absolute_url()).content.decode()
    assert upload not in page
    # What was filed before it was lost stays readable in its archived file.
    assert reverse("brokers:document", args=[minutes.key]) in page
    assert "首次洽谈纪要.pdf" in page
    assert client.get(reverse("brokers:document", args=[minutes.key])).status_code == 200
    with pytest.raises(ValidationError) as exc:
        services.deal_document_add(
            deal=deal,
            actor=world.broker.user,
            upload=SimpleUploadedFile("纪要.pdf", PDF),
            stage="lead",
            kind=DocumentKind.MINUTES,
        )
    assert exc.value.messages == ["这笔交易已流失，不能再上传文件。"]
    assert list(deal.documents.all()) == [minutes]


def test_a_closed_deal_is_archived_too(client, world):
    from brokers.choices import DealStage

    deal = lead_deal(world, stage=DealStage.CLOSED)
    client.force_login(world.broker.user)
    page = client.get(deal.get_absolute_url()).content.decode()
    assert reverse("brokers:document_upload", args=[deal.pk]) not in page
    with pytest.raises(ValidationError) as exc:
        services.deal_document_add(
            deal=deal,
            actor=world.broker.user,
            upload=SimpleUploadedFile("发票.pdf", PDF),
            stage="lead",
            kind=DocumentKind.MINUTES,
        )
    assert exc.value.messages == ["这笔交易已完成，文件已归档，不能再上传。"]
    assert not deal.documents.exists()
