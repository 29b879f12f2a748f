# One date format in English, day first as the market's readers write it ("18 Oct 2026"):
# Django's en formats mix "Oct. 18, 2026" with "10/18/2026", and Chinese pages show
# 2026年10月18日 for every one of DATE_FORMAT, SHORT_DATE_FORMAT and the datetimes.
from django.conf.locale.en.formats import *  # noqa: F403

DATE_FORMAT = "j M Y"  # 18 Oct 2026
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"  # 18 Oct 2026, 20:45
SHORT_DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "M Y"
MONTH_DAY_FORMAT = "j M"
