"""Pagination shared by the drill-down pages (a figure opening its rows)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CountedPaginator(Paginator):
    """Pages of rows whose count is already known (the figure's own count, computed once
    per change): no second COUNT query per page, and the list's length is the figure."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count
