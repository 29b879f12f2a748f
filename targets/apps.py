from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    """The market's yearly targets ("十百千"), computed from the rows of every app below."""

    name = "targets"
    verbose_name = _("目标与成效")

    def ready(self):
        from targets import receivers  # noqa: F401
