"""The registry its contract is filed with reads the deal (brokers:deal): the contract, the
documents and the history, without a step to take, a form to post or a file to upload; a
clerk of another region, and any registry before the seller files, gets the usual 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from brokers import selectors, services
from brokers.choices import DocumentKind
from tests.brokers.contract_helpers import make_contract, make_world

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def world(main_market):
    return make_world(main_market)


def test_the_registry_reads_the_deal_of_a_filed_contract_and_takes_no_step(client, world):
    contract = make_contract(world)
    contract = services.contract_apply(contract=contract, by=world["seller_user"])
    deal = contract.deal
    client.force_login(world["clerk"])
    response = client.get(reverse("brokers:deal", args=[deal.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert contract.title in html
    assert "合同文本.pdf" in html and "专利证书.pdf" in html
    assert "不能修改" in html and reverse("brokers:contract_registry") in html
    assert "服务费与佣金" not in html  # nothing of the fees or the ledger is theirs
    assert response.context["steps"] == []
    assert not response.context["may_work"] and not response.context["may_edit_contract"]
    assert not response.context["document_form"].fields["stage"].choices
    assert reverse("brokers:deal_advance", args=[deal.pk, "perform"]) not in html
    # The step the registry could wrongly be offered here: it registers on the contract page.
    assert reverse("brokers:deal_advance", args=[deal.pk, "register"]) not in html
    assert reverse("brokers:document_upload", args=[deal.pk]) not in html
    assert reverse("brokers:deal_lose", args=[deal.pk]) not in html
    # The filing's documents are what the registry reads.
    document = deal.documents.get(kind=DocumentKind.CONTRACT)
    assert client.get(document.get_absolute_url()).status_code == 200


def test_the_registry_cannot_upload_to_the_deal(client, world):
    contract = services.contract_apply(contract=make_contract(world), by=world["seller_user"])
    url = reverse("brokers:document_upload", args=[contract.deal.pk])

    def post():
        upload = SimpleUploadedFile("补充材料.pdf", PDF, content_type="application/pdf")
        return client.post(url, {"stage": "signed", "kind": DocumentKind.OTHER, "file": upload})

    client.force_login(world["clerk"])
    assert post().status_code == 404
    assert contract.deal.documents.count() == 2
    # The same upload from the seller, a party, is filed: the refusal is the registry's.
    client.force_login(world["seller_user"])
    assert post().status_code == 302
    assert contract.deal.documents.count() == 3


def test_no_registry_reads_a_deal_before_the_filing_or_of_another_region(client, world):
    contract = make_contract(world)
    url = reverse("brokers:deal", args=[contract.deal.pk])
    client.force_login(world["clerk"])
    assert client.get(url).status_code == 404  # not filed yet
    services.contract_apply(contract=contract, by=world["seller_user"])
    assert client.get(url).status_code == 200
    assert selectors.is_contract_registry(contract.deal, world["clerk"])
    client.force_login(world["far_clerk"])
    assert client.get(url).status_code == 404
    document = contract.deal.documents.first()
    assert client.get(document.get_absolute_url()).status_code == 404


def test_the_contracts_history_names_people_not_their_usernames(client, world):
    contract = services.contract_apply(contract=make_contract(world), by=world["seller_user"])
    client.force_login(world["clerk"])
    html = client.get(contract.get_absolute_url()).content.decode()
    assert "卖方小王" in html
    assert ">seller<" not in html
