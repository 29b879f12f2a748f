from django.db import models
from django.utils.translation import gettext_lazy as _


class BrokerGrade(models.TextChoices):
    JUNIOR = "junior", _("初级")
    INTERMEDIATE = "intermediate", _("中级")
    SENIOR = "senior", _("高级")


class MessageSide(models.TextChoices):
    """Who wrote a message in a demand's thread: the demand's owner or its broker."""

    OWNER = "owner", _("需求方")
    BROKER = "broker", _("技术经纪人")
