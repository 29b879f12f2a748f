from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from search.api import api as api_v1

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("market.web_urls")),
    path("listings/", include("listings.urls")),
    path("search/", include("search.urls")),
    path("api/v1/", api_v1.urls),
    path("brokers/", include("brokers.urls")),
    # django-payments' provider callbacks (process_payment), CSRF-exempt by design.
    path("payments/", include("payments.urls")),
    path("matching/", include("matching.urls")),
    path("targets/", include("targets.urls")),
    path("windows/", include("windows.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
