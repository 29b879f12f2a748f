from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from listings.choices import ListingStatus
from tests.factories import DemandFactory

pytestmark = pytest.mark.django_db


def test_expire_listings_command_reminds_and_expires(enterprise, enterprise_user):
    now = timezone.now()
    due = DemandFactory(
        owner=enterprise, status=ListingStatus.PUBLISHED, expires_at=now - timedelta(hours=1)
    )
    soon = DemandFactory(
        owner=enterprise, status=ListingStatus.PUBLISHED, expires_at=now + timedelta(days=5)
    )
    out = StringIO()
    call_command("expire_listings", stdout=out)
    assert out.getvalue().strip() == "reminded 1, expired 1"
    due.refresh_from_db()
    soon.refresh_from_db()
    assert due.status == ListingStatus.EXPIRED
    assert soon.status == ListingStatus.PUBLISHED and soon.expiry_reminded_at is not None
