"""Every form of every page, as every role: hostile input comes back escaped and never causes a 500.

The crawler opens each URL pattern with acme's own objects, finds its POST forms, fills every
field with a combined XSS / SQL / template-injection payload and submits it. The response (and
the page it redirects to) must not contain the payload unescaped.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.security.crawler import Pattern, discover
from tests.security.world import World

MARKER = "<script>alert('prm-xss')</script>"
PAYLOAD = MARKER + "' OR '1'='1' -- ; DROP TABLE partners_partner; {{ 7|add:7 }}{% debug %}${7*7}"
SKIP_ACTIONS = ("/accounts/logout/", "/i18n/setlang/", "/portals/")
PATTERNS = [p for p in discover() if not p.route.startswith(("admin/", "accounts/", "static"))]


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}, "multipart": "multipart" in (a.get("enctype") or "")}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("hidden", "submit"):
                self._form["fields"].setdefault(name, a.get("value", ""))
            elif kind in ("checkbox", "radio"):
                self._form["fields"].setdefault(name, a.get("value", "on"))
            elif kind != "file":
                self._form["fields"][name] = PAYLOAD
        elif tag == "textarea" and name:
            self._form["fields"][name] = PAYLOAD
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and a.get("value"):
            self._form["fields"].setdefault(self._select, a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", "replace")


def _assert_escaped(response, where: str) -> None:
    assert response.status_code < 500, f"{where} -> {response.status_code}"
    if response.get("Content-Type", "").startswith("text/html"):
        assert MARKER not in _text(response), f"{where}: payload rendered unescaped"


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.route or "/" for p in PATTERNS])
def test_hostile_form_input_is_escaped_and_never_a_500(world: World, db, pattern: Pattern):
    url = pattern.build(world.candidate_values(pattern, limit=1, own=True)[0])
    for identity, client in world.clients_a.items():
        if identity == "outsider":
            continue
        page = client.get(url)
        assert page.status_code < 500, f"{identity} GET {url} -> {page.status_code}"
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            continue
        parser = FormParser()
        parser.feed(_text(page))
        for form in parser.forms:
            action = urljoin(url, form["action"]) if form["action"] else url
            path = urlsplit(action).path
            if path.startswith(SKIP_ACTIONS):
                continue
            response = client.post(path, form["fields"])
            _assert_escaped(response, f"{identity} POST {path}")
            if response.status_code in (301, 302, 303) and response["Location"].startswith("/"):
                _assert_escaped(client.get(response["Location"]), f"{identity} after POST {path}")
            # The page itself (lists that now show what was saved) stays escaped too.
            _assert_escaped(client.get(url), f"{identity} GET {url} after POST")
