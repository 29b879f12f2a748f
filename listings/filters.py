"""Filters and sorting for the public listing indexes, with django-filter."""

import django_filters
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from listings.choices import CooperationMode, TechField
from listings.kinds import HOLDER_KINDS
from listings.models import Achievement, Demand
from market.models import Market

TRL_CHOICES = [(n, f"TRL ≥ {n}") for n in range(1, 10)]
HOLDER_CHOICES = [(k.value, k.label) for k in HOLDER_KINDS]


class _PriceLastOrderingFilter(django_filters.OrderingFilter):
    """An ordering where a listing without a price (面议, or none given) comes after every
    priced one, whether prices go up or down: sorting by price is asked by someone who wants
    to compare prices, and pages of 面议 first would hide them all.

    `price_param` is the parameter that sorts by price; `price` the expression of the price,
    `negotiable` the name of the 面议 flag."""

    def __init__(self, *args, price_param: str, price, negotiable: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.price_param, self.price, self.negotiable = price_param, price, negotiable

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = []
        for param in value:
            if param.lstrip("-") != self.price_param:
                ordering.append(self.get_ordering_value(param))
                continue
            qs = qs.annotate(_sort_price=self.price).annotate(
                _sort_price_unknown=Case(
                    When(Q(**{self.negotiable: True}) | Q(_sort_price__isnull=True), then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                ),
            )
            price = F("_sort_price")
            ordering += [
                "_sort_price_unknown",
                price.desc(nulls_last=True)
                if param.startswith("-")
                else price.asc(nulls_last=True),
            ]
        # The newest first among equal prices, and a stable order across pages.
        return qs.order_by(*ordering, "-published_at", "-pk")


class _ListingFilter(django_filters.FilterSet):
    field = django_filters.ChoiceFilter(
        label=_("技术领域"), choices=TechField.choices, empty_label=_("不限")
    )
    market = django_filters.ModelChoiceFilter(
        label=_("市场"), queryset=Market.objects.all(), empty_label=_("全部市场")
    )
    holder = django_filters.ChoiceFilter(
        label=_("机构类型"), field_name="owner__kind", choices=HOLDER_CHOICES, empty_label=_("不限")
    )

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).distinct()


class AchievementFilter(_ListingFilter):
    trl = django_filters.ChoiceFilter(
        label=_("成熟度"),
        field_name="trl",
        lookup_expr="gte",
        choices=TRL_CHOICES,
        empty_label=_("不限"),
    )
    mode = django_filters.ChoiceFilter(
        label=_("转化方式"),
        field_name="transfer_modes__code",
        choices=CooperationMode.choices,
        empty_label=_("不限"),
    )
    price_min = django_filters.NumberFilter(
        label=_("最低价格（万元）"), field_name="asking_price", lookup_expr="gte"
    )
    price_max = django_filters.NumberFilter(
        label=_("最高价格（万元）"), field_name="asking_price", lookup_expr="lte"
    )
    sort = _PriceLastOrderingFilter(
        label=_("排序"),
        empty_label=_("默认（最新发布）"),
        fields=(("published_at", "published"), ("asking_price", "price")),
        price_param="price",
        price=F("asking_price"),
        negotiable="price_negotiable",
        field_labels={
            "-published": _("最新发布"),
            "published_at": _("最早发布"),
            "asking_price": _("价格从低到高"),
            "-price": _("价格从高到低"),
        },
    )

    class Meta:
        model = Achievement
        fields = ["field", "market", "holder", "trl", "mode", "price_min", "price_max"]


class DemandFilter(_ListingFilter):
    mode = django_filters.ChoiceFilter(
        label=_("合作方式"),
        field_name="cooperation_modes__code",
        choices=CooperationMode.choices,
        empty_label=_("不限"),
    )
    budget_min = django_filters.NumberFilter(
        label=_("预算不低于（万元）"), method="filter_budget_min"
    )
    budget_max = django_filters.NumberFilter(
        label=_("预算不高于（万元）"), method="filter_budget_max"
    )
    sort = _PriceLastOrderingFilter(
        label=_("排序"),
        empty_label=_("默认（最新发布）"),
        fields=(("published_at", "published"), ("budget_max", "budget")),
        # The budget a demand is indexed by for search too: its top, or its floor alone.
        price_param="budget",
        price=Coalesce("budget_max", "budget_min"),
        negotiable="budget_negotiable",
        field_labels={
            "-published": _("最新发布"),
            "published_at": _("最早发布"),
            "budget_max": _("预算从低到高"),
            "-budget": _("预算从高到低"),
        },
    )

    class Meta:
        model = Demand
        fields = ["field", "market", "holder", "mode", "budget_min", "budget_max"]

    # A demand's budget is a range: it matches when the range reaches the bound asked for.
    def filter_budget_min(self, queryset, name, value):
        return queryset.filter(
            Q(budget_max__gte=value) | Q(budget_max__isnull=True, budget_min__gte=value)
        )

    def filter_budget_max(self, queryset, name, value):
        return queryset.filter(
            Q(budget_min__lte=value) | Q(budget_min__isnull=True, budget_max__lte=value)
        )
