"""Keep what is read from the page tree once per change (cms.selectors' fragments) true:
any page saved, published, unpublished, moved or deleted, or a site changed, makes it
stale."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from cms.selectors import PAGES_FRAGMENTS
from market.fragments import fragments_bump_now_and_on_commit


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
