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
