"""Keep the cached public pages true (market.pagecache): whatever a page shows, its change
makes the pages showing it stale, after the change commits.

- A listing's change, publication, expiry or review decision (`listing_changed`, sent after
  commit): its own page, and every page listing listings of its kind (the kind's index
  pages, the home page's latest listings and figures, the sub-market pages, search).
- A CMS page published, unpublished or moved: every page, as the navigation in each page's
  header shows the CMS pages.
- Organisations, markets and their service windows (names shown on listing and sub-market
  pages): every page; brokers and contracts (the home page's figures): the figures.

It also keeps what is read from the page tree once per change (cms.selectors' fragments)
true: any page saved, published, unpublished, moved or deleted, or a site changed, makes it
stale.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from brokers.models import Broker, Contract
from cms.selectors import PAGES_FRAGMENTS
from listings.kinds import kind_of
from listings.signals import listing_changed
from market import pagecache
from market.fragments import fragments_bump_now_and_on_commit
from market.models import Market, Organization
from windows.models import ServiceWindow


@receiver(listing_changed, dispatch_uid="cms.pagecache_on_listing_change")
def invalidate_listing_pages(sender, pk, **kwargs):
    try:
        kind = kind_of(sender).key
    except LookupError:
        return
    pagecache.invalidate(pagecache.listing_tag(kind, pk), pagecache.kind_tag(kind))


@receiver(page_published, dispatch_uid="cms.pagecache_on_publish")
@receiver(page_unpublished, dispatch_uid="cms.pagecache_on_unpublish")
@receiver(post_page_move, dispatch_uid="cms.pagecache_on_move")
def invalidate_cms_pages(sender, **kwargs):
    transaction.on_commit(lambda: pagecache.invalidate(pagecache.SITE))


def _after_commit(*tags):
    def handler(sender, **kwargs):
        transaction.on_commit(lambda: pagecache.invalidate(*tags))

    return handler


for model, tags in (
    (Organization, (pagecache.SITE, "figures")),
    (Market, (pagecache.SITE,)),
    (ServiceWindow, (pagecache.SITE,)),
    (Broker, ("figures",)),
    (Contract, ("figures",)),
):
    handler = _after_commit(*tags)
    for signal in (post_save, post_delete):
        signal.connect(handler, sender=model, weak=False, dispatch_uid=f"cms.pagecache.{model}")


@receiver(post_save, dispatch_uid="cms.pages_fragments_saved")
@receiver(post_delete, dispatch_uid="cms.pages_fragments_gone")
def pages_fragments_on_save(sender, instance, **kwargs):
    if isinstance(instance, Page | Site):
        fragments_bump_now_and_on_commit(PAGES_FRAGMENTS)


@receiver(page_published, dispatch_uid="cms.pages_fragments_published")
@receiver(page_unpublished, dispatch_uid="cms.pages_fragments_unpublished")
@receiver(post_page_move, dispatch_uid="cms.pages_fragments_moved")
@receiver(page_slug_changed, dispatch_uid="cms.pages_fragments_slug")
def pages_fragments_on_change(sender, **kwargs):
    fragments_bump_now_and_on_commit(PAGES_FRAGMENTS)
