"""Tests of the project's docs/: it builds with -W, and every example it shows is a checked charter."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import repartition
from repartition.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "exemples"
VALID = sorted(EXAMPLES.glob("*.regles"))
TO_FIX = sorted((EXAMPLES / "a-corriger").glob("*.regles"))


def sphinx_env() -> dict:
    """The environment of a docs build: the checkout's sources first, as in an editable install."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


@pytest.mark.slow
def test_docs_build_with_warnings_as_errors(tmp_path):
    """`sphinx-build -W` succeeds on docs/ (every charter page, autodoc, cross-reference resolves)."""
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True, env=sphinx_env(), timeout=300)
    assert result.returncode == 0, result.stderr
    built = {p.relative_to(tmp_path / "html").as_posix() for p in (tmp_path / "html").rglob("*.html")}
    assert {"index.html", "langage.html", "guide-agents.html", "guide-developpeurs.html", "ambiguites.html",
            "demarrage.html", "chartes/dispositif-repartition.html", "chartes/exemple-departemental.html",
            "api/reference.html", "api/batch.html", "api/testing.html"} <= built
    # French around the charters too: the sidebar's search field and neighbours, and the footer.
    html = (tmp_path / "html" / "chartes" / "dispositif-repartition.html").read_text(encoding="utf-8")
    for english in ("Related Topics", "Powered by", "Page source", 'value="Go"', 'placeholder="Search"',
                    "Documentation overview"):
        assert english not in html, english
    assert "Pages voisines" in html and 'placeholder="Rechercher"' in html and "Documentation produite avec" in html
    assert (tmp_path / "html" / "_images" / "exemple-departemental-exceptions.svg").is_file()


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_documented_example_is_a_valid_charter(path):
    """Each charter the language reference shows loads, is verified, and its examples give their service."""
    charter = repartition.load_charter(path)
    assert charter.examples
    assert charter.check_examples() == []


def test_every_example_file_is_shown():
    """Each file under docs/exemples/ is included in a page, so no test covers a hidden example."""
    pages = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.rglob("*.rst"))
    shown = set(re.findall(r"\.\. literalinclude:: (\S+)", pages))
    files = {p.relative_to(DOCS).as_posix() for p in EXAMPLES.rglob("*") if p.is_file()}
    assert files - shown == set()


def _keywords() -> dict[str, re.Pattern]:
    grammar = repartition.resources.grammar_path().read_text(encoding="utf-8")
    return {name: re.compile(pattern, re.IGNORECASE)
            for name, pattern in re.findall(r"^([A-Z_]+)\.5: /(.+)/i\s*$", grammar, re.MULTILINE)}


def test_every_keyword_has_an_example():
    """Every keyword of the grammar appears in at least one charter of the language reference."""
    text = "\n".join(re.sub(r"#[^\n]*", "", p.read_text(encoding="utf-8")) for p in VALID)
    keywords = _keywords()
    assert len(keywords) > 40
    missing = sorted(name for name, pattern in keywords.items() if not pattern.search(text))
    assert missing == []


@pytest.mark.parametrize("path", TO_FIX, ids=lambda p: p.name)
def test_reports_shown_in_guide_are_current(path, capsys, monkeypatch):
    """The verifier reports quoted in the policy officers' guide are what the command prints today."""
    monkeypatch.chdir(path.parent)
    code = main(["verifier", path.name])
    assert code in (1, 2)
    printed = capsys.readouterr()
    expected = path.with_suffix(".txt").read_text(encoding="utf-8")
    assert printed.out + printed.err == expected


@pytest.mark.parametrize("spelling", ["ne sont pas", "peuvent être inconnues", "sont inconnues", "est 2A004",
                                      "entre 0 et 200 000 €"])
def test_alternative_spellings_have_an_example(spelling):
    """Spellings the language reference documents beside a keyword's main form appear in a checked charter."""
    text = "\n".join(re.sub(r"#[^\n]*", "", p.read_text(encoding="utf-8")) for p in VALID)
    assert spelling in text
