"""The one table of listing kinds (科技成果 and 技术需求): for each, its model, label, owner
form, modes field and the kinds of organisation that may post it. Every app that needs to
know "which kind is this" or "what does this kind use" reads it from here."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from listings.forms import AchievementForm, DemandForm, ListingForm
from listings.models import Achievement, Demand, Listing
from market.choices import OrganizationKind


@dataclass(frozen=True)
class ListingKind:
    """One side of the market: what a listing of this kind is and who may post it."""

    model: type[Listing]
    label: Promise
    short_label: Promise
    form: type[ListingForm]
    owner_kinds: tuple[OrganizationKind, ...]

    @property
    def key(self) -> str:
        """The model's name ("achievement", "demand"), used in URLs, ids and indexes."""
        return self.model._meta.model_name

    @property
    def modes_field(self) -> str:
        """The many-to-many field holding its cooperation modes (转化方式 / 合作方式)."""
        return self.model.MODES_FIELD

    @property
    def other(self) -> ListingKind:
        """The kind on the other side of a match."""
        return DEMAND if self is ACHIEVEMENT else ACHIEVEMENT

    def __str__(self) -> str:
        return self.key


_ORG = OrganizationKind
# model, label, short label, the owner's form, and who may post it (most likely first)
ACHIEVEMENT = ListingKind(
    Achievement, _("科技成果"), _("成果"), AchievementForm,
    owner_kinds=(_ORG.UNIVERSITY, _ORG.INSTITUTE, _ORG.ENTERPRISE),
)  # fmt: skip
DEMAND = ListingKind(
    Demand, _("技术需求"), _("需求"), DemandForm,
    owner_kinds=(_ORG.ENTERPRISE, _ORG.INSTITUTE, _ORG.UNIVERSITY),
)  # fmt: skip

KINDS: dict[str, ListingKind] = {kind.key: kind for kind in (ACHIEVEMENT, DEMAND)}
KEYS: tuple[str, ...] = tuple(KINDS)

# The kinds of organisation that hold listings, in the order the public filters show them.
HOLDER_KINDS: tuple[OrganizationKind, ...] = tuple(
    dict.fromkeys(k for kind in KINDS.values() for k in kind.owner_kinds)
)


def get_kind(key: str) -> ListingKind:
    """The kind named `key`; `LookupError` naming the kinds there are if there is none."""
    try:
        return KINDS[key]
    except KeyError:
        raise LookupError(f"unknown listing kind {key!r}; expected one of {list(KINDS)}") from None


def kind_of(listing_or_model: Listing | type[Listing]) -> ListingKind:
    """The kind of a listing or a listing model; `LookupError` for anything else."""
    model = listing_or_model if isinstance(listing_or_model, type) else type(listing_or_model)
    for kind in KINDS.values():
        if issubclass(model, kind.model):
            return kind
    raise LookupError(f"not a listing: {model!r}")
