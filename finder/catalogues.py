"""The translation catalogues: locale/<language>/LC_MESSAGES/django.po, written by hand
and committed, compiled to the .mo files Django reads (not committed) by Babel's
pure-Python compiler, so no system gettext is needed. Run by `make install`
(`python -m finder.catalogues`) and before the tests; without Django settings."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def compile_catalogues(locale_dir: Path = LOCALE_DIR, force: bool = False) -> list[Path]:
    """Compile each catalogue whose .mo is missing or older than it; the .mo files
    written. Fuzzy entries are left out: English shows until a translator confirms."""
    written = []
    for po_path in catalogues(locale_dir):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, abort_invalid=True)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogues(force="--force" in sys.argv[1:]):
        print(f"compiled {path.relative_to(LOCALE_DIR.parent)}")
