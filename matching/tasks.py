"""Background work of the matching app, run by a django-tasks worker (``manage.py
db_worker``), never in the request that changed a listing."""

from django_tasks import task

from matching import services


@task(backend="matching", queue_name="matching")
def rematch_listing(kind: str, pk: int) -> dict:
    result = services.listing_rematch(kind=kind, pk=pk)
    return {"created": len(result.created), "updated": result.updated, "removed": result.removed}


@task(backend="matching", queue_name="matching")
def rematch_market(market_id: int) -> dict:
    result = services.market_rematch(market_id=market_id)
    return {"demands": result.demands, "updated": result.updated}
