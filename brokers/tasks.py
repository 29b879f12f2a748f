"""Background work of the brokers app, run by the default django-tasks worker (``manage.py
db_worker``), never in the request that published a demand: assigning a broker ranks every
candidate and e-mails the one chosen."""

from django_tasks import task

from brokers import services
from listings.choices import ListingStatus
from listings.models import Demand


@task(backend="default", queue_name="default")
def assign_broker(demand_id: int) -> int | None:
    """The demand's assignment id, or None: not published (any more), or no broker exists."""
    demand = Demand.objects.filter(pk=demand_id, status=ListingStatus.PUBLISHED).first()
    if demand is None:
        return None
    assignment = services.demand_assign_broker(demand=demand)
    return assignment.pk if assignment is not None else None


@task(backend="default", queue_name="default")
def close_lot(lot_id: int) -> str | None:
    """Close a lot at its closing time (queued with run_after when it is listed). A lot
    already closed, or one whose closing time has moved later, is left alone: its own
    later task, or `manage.py close_lots`, closes it."""
    from django.utils import timezone

    from brokers.choices import LotStatus
    from brokers.models import Lot

    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None or lot.status != LotStatus.LISTED or lot.closes_at > timezone.now():
        return None
    return services.lot_close(lot=lot).status
