from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class TenantLocaleMiddleware(LocaleMiddleware):
    """A visitor's own choice (language cookie) wins; otherwise the tenant's default language,
    then the browser's Accept-Language."""

    def process_request(self, request):
        tenant = getattr(request, "tenant", None)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if tenant is not None and not chosen and tenant.default_language:
            translation.activate(tenant.default_language)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)
