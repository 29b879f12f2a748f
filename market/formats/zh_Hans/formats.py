# Django's zh_Hans formats leave numbers ungrouped; money in the market reads better as 12,500.
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

NUMBER_GROUPING = 3
THOUSAND_SEPARATOR = ","
DECIMAL_SEPARATOR = "."
