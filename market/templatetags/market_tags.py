"""Template tags for money and dates in the reader's locale, and the unread badge."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from market.choices import Role

register = template.Library()


@register.filter
def wan_yuan(value):
    """Money kept in 万元 (10,000 yuan), shown as Chinese readers and English readers expect:
    "¥300万元" or "¥3.0 million"."""
    if value in (None, ""):
        return ""
    amount = Decimal(value)
    if (get_language() or "").startswith("zh"):
        text = number_format(amount.normalize() if amount % 1 else int(amount), force_grouping=True)
        return _("¥%s万元") % text
    yuan = amount * 10_000
    if yuan >= 1_000_000:
        millions = number_format(round(yuan / 1_000_000, 2), force_grouping=True)
        return f"¥{millions} million"
    return f"¥{number_format(int(yuan), force_grouping=True)}"


@register.filter
def budget_range(demand):
    """A demand's budget as people say it: a range, an upper or lower bound, or 面议. Pages
    show it after their own "预算" label, so a negotiable budget is just "面议"."""
    if demand.budget_negotiable:
        return _("面议")
    low, high = demand.budget_min, demand.budget_max
    if low is not None and high is not None:
        return f"{wan_yuan(low)} – {wan_yuan(high)}"
    if high is not None:
        return _("不超过 %s") % wan_yuan(high)
    if low is not None:
        return _("不低于 %s") % wan_yuan(low)
    return ""


@register.simple_tag
def unread_notifications(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    # A notice whose work is done asks for nothing any more, read or not.
    return user.notifications.filter(read_at=None, done_at=None).count()


@register.simple_tag
def account_roles(user) -> set[str]:
    """The roles a signed-in person holds anywhere (one query), for the header's links to
    the desks they work at."""
    if not getattr(user, "is_authenticated", False):
        return set()
    roles = set(user.memberships.values_list("role", flat=True))
    if user.is_superuser:
        roles.add(Role.OPERATOR)
    return {str(role) for role in roles}
