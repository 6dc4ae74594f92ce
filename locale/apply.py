"""Fill known translations into the .po files and compile them.

    python manage.py makemessages -l de -i ".venv/*"   (collect strings; needs GNU gettext)
    python locale/apply.py                             (fill from every locale/de_*.py, compile)

Each locale/de_<area>.py holds ``DE`` (msgid -> German text) and, where the area has
plural strings, ``DE_PLURAL`` (singular msgid -> (singular, plural) German forms).
Only empty or fuzzy entries are filled; reviewed translations in the .po are kept.
"""

import importlib
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

STR = r'((?:".*"\n?)+)'


def _unquote(block: str) -> str:
    return "".join(eval(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', block))  # noqa: S307 (PO string literals)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unfuzz(entry: str) -> str:
    """Drop the fuzzy flag and the previous-msgid (#|) lines of an entry that is being filled."""
    lines = []
    for line in entry.split("\n"):
        if line.startswith("#|"):
            continue
        if line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
            if not flags:
                continue
            line = "#, " + ", ".join(flags)
        lines.append(line)
    return "\n".join(lines)


def _is_fuzzy(entry: str) -> bool:
    return any(line.startswith("#,") and "fuzzy" in line for line in entry.split("\n"))


def fill(po: Path, table: dict[str, str], plurals: dict[str, tuple[str, str]] | None = None) -> int:
    plurals = plurals or {}
    entries = po.read_text().split("\n\n")
    filled = 0
    for i, entry in enumerate(entries):
        fuzzy = _is_fuzzy(entry)
        if "msgid_plural" in entry:
            match = re.search(rf'^msgid {STR}msgid_plural {STR}msgstr\[0\] {STR}msgstr\[1\] {STR}', entry, re.M)
            if not match:
                continue
            msgid = _unquote(match.group(1))
            empty = not _unquote(match.group(3)) or not _unquote(match.group(4))
            if msgid in plurals and (empty or fuzzy):
                one, many = plurals[msgid]
                entry = (entry[: match.start(3)] + _quote(one) + "\nmsgstr[1] " + _quote(many) + "\n"
                         + entry[match.end(4):])
                entries[i] = _unfuzz(entry).rstrip("\n")
                filled += 1
            continue
        match = re.search(rf'^msgid {STR}msgstr {STR}', entry, re.M)
        if not match:
            continue
        msgid = _unquote(match.group(1))
        if msgid == "" and fuzzy:  # the catalogue header
            entry = entry.replace('"Language: \\n"', '"Language: de\\n"')
            entries[i] = _unfuzz(entry).rstrip("\n")
            continue
        if msgid in table and (not _unquote(match.group(2)) or fuzzy):
            entry = entry[: match.start(2)] + _quote(table[msgid]) + "\n" + entry[match.end(2):]
            entries[i] = _unfuzz(entry).rstrip("\n")
            filled += 1
    po.write_text("\n\n".join(entries).rstrip("\n") + "\n")
    return filled


def tables() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    sys.path.insert(0, str(HERE))
    table: dict[str, str] = {}
    plurals: dict[str, tuple[str, str]] = {}
    for path in sorted(HERE.glob("de_*.py")):
        module = importlib.import_module(path.stem)
        table.update(module.DE)
        plurals.update(getattr(module, "DE_PLURAL", {}))
    return table, plurals


if __name__ == "__main__":
    po = HERE / "de" / "LC_MESSAGES" / "django.po"
    print(f"{fill(po, *tables())} German strings filled")
    subprocess.run(["msgfmt", "--check", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
