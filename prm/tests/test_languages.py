"""Only complete languages are offered: every string of the interface is translated into each
language in settings.LANGUAGES (no empty or fuzzy entry in its catalogue), country names included."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
ENTRY = re.compile(r'(?:^#, (?P<flags>.*)\n)?(?:^#\|.*\n)*^msgid (?P<id>(?:".*"\n)+)(?:^msgid_plural .*\n(?:".*"\n)*)?'
                   r'(?P<strs>(?:^msgstr(?:\[\d\])? (?:".*"\n)+)+)', re.M)


def untranslated(po_text: str) -> list[str]:
    """msgids of a .po file that have an empty translation or are marked fuzzy (header excepted)."""
    missing = []
    for entry in ENTRY.finditer(po_text):
        msgid = "".join(re.findall(r'"(.*)"', entry["id"]))
        if not msgid:
            continue  # the header
        values = ["".join(re.findall(r'"(.*)"', s)) for s in re.split(r"^msgstr(?:\[\d\])? ", entry["strs"], flags=re.M)[1:]]
        if "fuzzy" in (entry["flags"] or "") or not all(values):
            missing.append(msgid)
    return missing


def test_the_check_finds_empty_and_fuzzy_entries():
    po = ('msgid ""\nmsgstr ""\n"Language: de\\n"\n\nmsgid "Yes"\nmsgstr "Ja"\n\nmsgid "No"\nmsgstr ""\n\n'
          '#, fuzzy\nmsgid "Maybe"\nmsgstr "Vielleicht"\n')
    assert untranslated(po) == ["No", "Maybe"]


@pytest.mark.parametrize("code", [code for code, _name in settings.LANGUAGES if code != "en"])
def test_every_offered_language_is_complete(code):
    po = ROOT / "locale" / code / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"{code} is offered but has no catalogue"
    missing = untranslated(po.read_text())
    assert not missing, f"{len(missing)} untranslated strings in {code}, e.g. {missing[:5]}"


def test_languages_without_a_catalogue_are_not_offered():
    offered = {code for code, _name in settings.LANGUAGES}
    catalogues = {p.parent.parent.name for p in (ROOT / "locale").glob("*/LC_MESSAGES/django.po")}
    assert offered - {"en"} <= catalogues


@pytest.mark.django_db
def test_country_names_follow_the_page_language(tenant, members, client_for):
    client = client_for(tenant, members["partner_admin"])
    client.cookies["django_language"] = "de"
    body = client.get("/deals/register/").content.decode()
    assert "Deutschland" in body and "Vereinigte Staaten" in body
