"""The `world` fixture (two tenants with every kind of row) for the security tests: module-scoped,
so each test module builds its own."""

from tests.security.world import world  # noqa: F401
