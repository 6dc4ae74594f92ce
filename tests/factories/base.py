import factory
from django_scopes import scopes_disabled


class ScopedFactory(factory.django.DjangoModelFactory):
    """Factories build fixtures for any tenant, so they run with tenant scopes disabled."""

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy, params):
        with scopes_disabled():
            return super()._generate(strategy, params)
