"""Cross-tenant crawler: every URL of the project, every role of tenant A, objects of tenant B.

For each URL pattern the crawler fills path parameters with objects that belong to globex
(tenant B, from the demo data) and requests them on acme's host (tenant A) as anonymous, as a
signed-in user without membership and as each of acme's roles. The answer must be 403/404
(or 405 for the wrong method), never a page: and no acme page may contain the primary key of any
globex row. Globex's own members must reach each object URL (so the parameter mapping is right).
It discovers URLs itself and fails for a pattern whose parameters it cannot fill, so every new
app is covered without editing this file (see url_params.py).
"""

from __future__ import annotations

import pytest

from tests.security.crawler import Pattern, discover
from tests.security.world import DENIED, World

PATTERNS = discover()


def _leaks(world: World, response, url: str) -> list[str]:
    """Primary keys of globex rows in an acme response (ids in the requested URL itself excepted:
    pages echo their own path, e.g. in the language switcher's `next`)."""
    if response.get("Content-Type", "").split(";")[0] not in ("text/html", "application/json", "text/csv", "text/plain"):
        return []
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    return [marker for marker in world.b_markers if marker in text and marker not in url][:3]


def _assert_private(response, pattern: Pattern, who: str, url: str) -> None:
    """A response to a signed-in person is never stored by a shared cache (or the back button);
    only public pages (branding) may declare themselves public."""
    cache = response.get("Cache-Control", "")
    if "public" in cache:
        assert pattern.is_public, f"{who} GET {url}: Cache-Control {cache!r} on a page that is not public"
    else:
        assert "private" in cache and "no-store" in cache, f"{who} GET {url}: Cache-Control {cache!r}"


def _is_login_redirect(response) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and ("/accounts/login/" in location or "/admin/login/" in location)


def test_every_url_parameter_is_mapped():
    unmapped = {p.route: p.unmapped_params() for p in PATTERNS if p.unmapped_params()}
    assert not unmapped, f"add these URL parameters to tests/security/url_params.py: {unmapped}"


def test_crawler_sees_the_whole_urlconf():
    names = {p.name for p in PATTERNS}
    for expected in ("portal_home", "accounts:people", "admin:index", "account_login", "notifications:inbox"):
        assert expected in names
    assert len(PATTERNS) >= 100


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.route or "/" for p in PATTERNS])
def test_cross_tenant_and_role_isolation(world, db, pattern: Pattern):
    if pattern.unmapped_params():
        pytest.fail(f"unmapped parameters {pattern.unmapped_params()} (see url_params.py)")
    candidates = [pattern.build(values) for values in world.candidate_values(pattern)]
    url = candidates[0]
    exercised = 0
    if pattern.model_params:
        # Positive control first: some globex member reaches the object (else the mapping is
        # wrong). Objects that only some members may see (e.g. one partner org's) are tried in
        # turn. POSTs carry no data: they must fail validation cleanly, never with a 500; the
        # test's transaction is rolled back afterwards.
        seen = {}
        for url in dict.fromkeys(candidates):
            seen = {}
            for identity, client in world.clients_b.items():
                for method in ("get", "post"):
                    status = getattr(client, method)(url, follow=pattern.name is None and pattern.is_admin).status_code
                    assert status < 500, f"globex {identity} {method.upper()} {url} -> {status}"
                    seen[f"{identity} {method}"] = status
            if any(s not in DENIED | {405} for s in seen.values()):
                break
            # An admin action no role may use (e.g. deleting an append-only record) is refused to
            # everyone; the model comes from the admin's own URL name, so the mapping is sound.
            if pattern.is_admin and set(seen.values()) == {403}:
                break
        else:
            pytest.fail(f"no globex role can reach {pattern.route} with any demo object: {seen}")

    # Anonymous visitors: sign-in first, unless the page is public by design.
    response = world.anonymous_a.get(url)
    assert response.status_code < 500, f"anonymous GET {url} -> {response.status_code}"
    if not pattern.is_public:
        assert _is_login_redirect(response) or response.status_code in DENIED | {405}, (
            f"anonymous GET {url} -> {response.status_code}, expected a redirect to sign-in"
        )
    exercised += 1

    if pattern.model_params:
        # Tenant A's identities asking for tenant B's objects: never anything but 403/404/405.
        for identity, client in world.clients_a.items():
            statuses = {}
            for method in ("get", "post"):
                # follow=True only for the admin's bare "<id>/" route, a redirect to ".../change/".
                response = getattr(client, method)(url, follow=pattern.name is None and pattern.is_admin)
                statuses[method] = response.status_code
                assert response.status_code in DENIED | {405}, (
                    f"{identity} {method.upper()} {url} (globex object) -> {response.status_code}"
                )
                assert not _leaks(world, response, url), f"{identity} {method.upper()} {url} shows globex ids"
                _assert_private(response, pattern, identity, url)
                exercised += 1
            assert DENIED & set(statuses.values()), f"{identity} {url}: only 405s, access never checked"
    else:
        # Pages without object parameters: no crash and nothing of tenant B for any acme identity.
        for identity, client in world.clients_a.items():
            response = client.get(url)
            assert response.status_code < 500, f"{identity} GET {url} -> {response.status_code}"
            assert not _leaks(world, response, url), f"{identity} GET {url} shows globex ids"
            _assert_private(response, pattern, identity, url)
            name = pattern.name or ""
            if identity == "outsider" and not pattern.is_public and not name.startswith(("account_", "mfa_")):
                assert response.status_code in DENIED | {302, 405}, f"outsider GET {url} -> {response.status_code}"
            exercised += 1

    # The bare base domain never serves tenant data.
    response = world.base_as_manager.get(url)
    assert response.status_code < 500, f"base domain GET {url} -> {response.status_code}"
    assert not _leaks(world, response, url), f"base domain GET {url} shows globex ids"
    exercised += 1
    assert exercised >= 3
