"""Background work of the search app, run by the default django-tasks worker (``manage.py
db_worker``), never in the request that changed a listing: an Elasticsearch write may wait
out its timeout and the saved-search check may run searches and send e-mail."""

from django_tasks import task

from search import services


@task(backend="default", queue_name="default")
def sync_listing(kind: str, pk: int) -> dict:
    return {"notified": services.listing_sync(kind=kind, listing_id=pk)}
