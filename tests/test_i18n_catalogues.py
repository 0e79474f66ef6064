"""Every zh_Hans catalogue in the repository must agree with the others and be complete.

Django merges all apps' catalogues (and LOCALE_PATHS) into one table per language, so a msgid that two
catalogues translate differently gets only one of the translations everywhere. Strings whose meaning differs
between apps need a message context (pgettext / ``{% translate ... context ... %}``).
"""

from collections import defaultdict
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "node_modules", ".git"}


def catalogues() -> list[Path]:
    found = []
    for path in sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
        if SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            continue
        found.append(path)
    return found


def live(catalogue: polib.POFile) -> list[polib.POEntry]:
    return [e for e in catalogue if not e.obsolete]


def translation(entry: polib.POEntry | polib.MOEntry) -> tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
    return (entry.msgstr,)


def name(path: Path) -> str:
    return str(path.relative_to(ROOT))


PATHS = catalogues()


def test_catalogues_are_found():
    assert len(PATHS) >= 2, PATHS


def test_no_msgid_is_translated_differently_in_two_catalogues():
    seen: dict[tuple[str | None, str], dict[tuple[str, ...], list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in PATHS:
        for entry in live(polib.pofile(str(path))):
            if entry.translated():
                seen[(entry.msgctxt, entry.msgid)][translation(entry)].append(name(path))
    conflicts = [
        f"msgctxt={key[0]!r} msgid={key[1]!r}: "
        + "; ".join(f"{' / '.join(t)} in {', '.join(paths)}" for t, paths in sorted(variants.items()))
        for key, variants in sorted(seen.items(), key=lambda kv: (kv[0][0] or "", kv[0][1]))
        if len(variants) > 1
    ]
    assert not conflicts, "Conflicting translations (give one of them a msgctxt, or harmonise):\n" + "\n".join(conflicts)


@pytest.mark.parametrize("path", PATHS, ids=name)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(path):
    catalogue = polib.pofile(str(path))
    untranslated = [e.msgid for e in live(catalogue) if not e.translated() and "fuzzy" not in e.flags]
    fuzzy = [e.msgid for e in live(catalogue) if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated in {name(path)}: {untranslated}"
    assert not fuzzy, f"fuzzy in {name(path)}: {fuzzy}"


@pytest.mark.parametrize("path", PATHS, ids=name)
def test_compiled_catalogue_matches_its_po(path):
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"{name(mo_path)} is missing: run compilemessages"
    expected = {(e.msgctxt, e.msgid): translation(e) for e in live(polib.pofile(str(path))) if e.translated()}
    compiled = {(e.msgctxt, e.msgid): translation(e) for e in polib.mofile(str(mo_path)) if e.msgid}
    missing = sorted((k for k in expected if k not in compiled), key=str)
    stale = sorted((k for k in expected if k in compiled and compiled[k] != expected[k]), key=str)
    extra = sorted((k for k in compiled if k not in expected), key=str)
    assert not (missing or stale or extra), (
        f"{name(mo_path)} is out of sync with its .po (run compilemessages): missing {missing}, different {stale}, extra {extra}"
    )
