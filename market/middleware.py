from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the reader chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a visitor on an
    English-language system would land on the English site; the market's site is Chinese
    first, and English is one click away (the choice is kept in the language cookie).
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class AdminCSPMiddleware:
    """Lets the Wagtail admin's scripts use eval, and only the admin's.

    The accessibility checker bundled in Wagtail's admin scripts (axe-core) compiles its
    message templates with `new Function`, which a Content-Security-Policy without
    'unsafe-eval' blocks. Sits after csp.middleware.CSPMiddleware, which reads the update.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith("/admin/"):
            response._csp_update = {"script-src": ["'unsafe-eval'"]}
        return response
