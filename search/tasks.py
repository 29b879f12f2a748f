"""Background work of the search app, run by the default django-tasks worker (``manage.py
db_worker``), never in the request that changed a listing: an Elasticsearch write may wait
out its timeout and the saved-search check may run searches and send e-mail."""

from django_tasks import task

from market import pagecache
from search import services


@task(backend="default", queue_name="default")
def sync_listing(kind: str, pk: int) -> dict:
    notified = services.listing_sync(kind=kind, listing_id=pk)
    # The search pages cached between the change and this sync showed the old index.
    pagecache.invalidate("search")
    return {"notified": notified}
