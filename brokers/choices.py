from django.db import models
from django.utils.translation import gettext_lazy as _


class BrokerGrade(models.TextChoices):
    JUNIOR = "junior", _("初级")
    INTERMEDIATE = "intermediate", _("中级")
    SENIOR = "senior", _("高级")
