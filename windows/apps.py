from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WindowsConfig(AppConfig):
    name = "windows"
    verbose_name = _("一站式服务窗口")

    def ready(self):
        from windows import receivers  # noqa: F401
