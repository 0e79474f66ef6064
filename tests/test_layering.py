"""Layering (STYLE.md): `core` and `communities` name no app above them, in an import or in a string.

The full order: core ← communities ← complaints, committees, inspections, mediation ← ratings ← summons
← bulletins ← config. `summons` sits above `ratings` because a summons cites the catalogue's figures of
the company it summons; `bulletins` reads every app, summonses included. Nothing below imports them.

Every module under core/ and communities/ (tests included: they run against the same floor) is read
with `ast`: no import of an app above, and no string constant (docstrings included) that names one
as a dotted path, a model label or a URL namespace ("complaints.Complaint", "ratings:dashboard").
What they must know of the apps above, the apps register (core.registry).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ABOVE = ["complaints", "committees", "inspections", "mediation", "ratings", "summons", "bulletins", "config"]
NAMED = re.compile(rf"\b({'|'.join(ABOVE)})[.:][A-Za-z_]")


def offences(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        found += [f"{path.relative_to(root)}:{node.lineno}: import {n}" for n in names if n.split(".")[0] in ABOVE]
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and NAMED.search(node.value):
            found.append(f"{path.relative_to(root)}:{node.lineno}: names {NAMED.search(node.value).group(0)}…")
    return found


@pytest.mark.parametrize("layer", ["core", "communities"])
def test_lower_layers_name_no_app_above_them(layer):
    modules = [p for p in (ROOT / layer).rglob("*.py") if "migrations" not in p.parts]
    assert modules
    assert [o for p in modules for o in offences(p)] == []


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


# Each app and the apps above it that it must never import.
HIGHER = {
    "complaints": {"summons", "bulletins", "ratings"},
    "committees": {"summons", "bulletins", "ratings"},
    "inspections": {"summons", "bulletins", "ratings"},
    "mediation": {"summons", "bulletins", "ratings"},
    "ratings": {"summons", "bulletins"},
    "summons": {"bulletins"},
}


@pytest.mark.parametrize("app", sorted(HIGHER))
def test_domain_apps_do_not_import_the_apps_above_them(app):
    modules = [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts and "tests" not in p.parts]
    offending = {f"{p.relative_to(ROOT)}: {name}" for p in modules for name in imports_of(p) & HIGHER[app]}
    assert offending == set()


def test_the_check_sees_imports_and_strings(tmp_path):
    """The check itself: an import, a model label and a URL name each count; the words alone do not."""
    sample = tmp_path / "sample.py"
    sample.write_text('import ratings.engine\nX = "complaints.Complaint"\nY = "ratings:dashboard"\nZ = "complaints and ratings"\n')
    assert len(offences(sample, tmp_path)) == 3
