"""Fill known translations into the .po files and compile them.

    python manage.py makemessages -l de -i ".venv/*"   (collect strings; needs GNU gettext)
    python locale/apply.py                             (fill from locale/de_core.py, compile)
"""

import re
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _unquote(block: str) -> str:
    return "".join(eval(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', block))  # noqa: S307 (PO string literals)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def fill(po: Path, table: dict[str, str]) -> int:
    entries = po.read_text().split("\n\n")
    filled = 0
    for i, entry in enumerate(entries):
        match = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', entry, re.M)
        if not match or "msgid_plural" in entry:
            continue
        msgid = _unquote(match.group(1))
        if msgid in table and not _unquote(match.group(2)):
            entry = entry[: match.start(2)] + _quote(table[msgid]) + "\n" + entry[match.end(2):]
            entry = entry.replace("#, fuzzy\n", "")
            entries[i] = entry.rstrip("\n")
            filled += 1
    po.write_text("\n\n".join(entries).rstrip("\n") + "\n")
    return filled


if __name__ == "__main__":
    from de_core import DE  # type: ignore[import-not-found]

    po = HERE / "de" / "LC_MESSAGES" / "django.po"
    print(f"{fill(po, DE)} German strings filled")
    subprocess.run(["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
