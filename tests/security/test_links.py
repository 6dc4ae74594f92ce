"""No page offers a role a link it may not follow. From each role's home, following every link in
the pages (demo data, one address of each shape), each linked page answers: never 403, 404 or a
server error. A link to a forbidden page is a dead end for the user (and tells them what exists).

The cross-tenant crawler (test_crawler.py) checks the other direction: what a role may NOT see."""

from __future__ import annotations

import re

import pytest

from tests.security.world import ROLE_USERS

HREF = re.compile(r'href="(/[^"#]*)"')
NOT_FOLLOWED = ("/accounts/logout", "/static/", "/media/")
MAX_PAGES = 200


def _shape(path: str) -> str:
    """Ids become N and the query string goes, so one deal stands for all deals and one filter of a
    list for all its filters."""
    return re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+", "N", path.split("?")[0])


def _walk(client) -> tuple[set, list[str]]:
    """Follow every link from the home page (one address per shape): (shapes seen, dead links)."""
    todo, seen, dead = [("/", "")], set(), []
    while todo and len(seen) < MAX_PAGES:
        path, linked_from = todo.pop(0)
        if _shape(path) in seen:
            continue
        seen.add(_shape(path))
        response = client.get(path.replace("&amp;", "&"))
        if response.status_code in (403, 404) or response.status_code >= 500:
            dead.append(f"{path} (linked from {linked_from}) → {response.status_code}")
            continue
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue  # redirects (e.g. a sign-in step) and downloads end the walk here
        for href in HREF.findall(response.content.decode("utf-8", "replace")):
            if not href.startswith(NOT_FOLLOWED) and _shape(href) not in seen:
                todo.append((href, path))
    return seen, dead


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_every_link_a_role_is_shown_leads_somewhere_it_may_go(world, db, role):
    seen, dead = _walk(world.clients_a[role])
    assert len(seen) >= 10, seen  # the walk got past the home page
    assert not dead, f"{role} is shown links it cannot follow: {dead}"


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_a_new_portal_without_data_has_no_dead_links_or_errors(tenant, members, client_for, role):
    """Empty states: a portal with its members and one partner, nothing else yet."""
    seen, dead = _walk(client_for(tenant, members[role]))
    assert len(seen) >= 5, seen
    assert not dead, f"{role} is shown links it cannot follow in a new portal: {dead}"
