"""Corpora: valid rule files load on both backends; invalid ones fail with their expected messages."""

from __future__ import annotations

from pathlib import Path

import pytest

import repartition
from repartition.errors import CharterError

CORPUS = Path(__file__).parent / "corpus"
VALID = sorted((CORPUS / "valid").glob("*.regles"))
INVALID = sorted((CORPUS / "invalid").glob("*.regles"))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_file_loads_and_its_examples_pass(path, engine):
    """A valid file loads (examples checked) and every example routes as it says."""
    charter = repartition.load_charter(path, engine=engine)
    assert charter.examples
    assert charter.check_examples() == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_file_reports_expected_errors(path):
    """An invalid file raises CharterError listing exactly the expected located French messages."""
    expected = path.with_suffix(".attendu").read_text(encoding="utf-8").splitlines()
    with pytest.raises(CharterError) as caught:
        repartition.load_charter(path)
    got = [f"{Path(d.span.file).name}:{d.span.line}:{d.span.column}: {d.message}" if d.span else d.message
           for d in caught.value.diagnostics]
    assert got == expected


def test_all_errors_are_reported_together():
    """The checker collects every error of a file instead of stopping at the first."""
    with pytest.raises(CharterError) as caught:
        repartition.load_charter(CORPUS / "invalid" / "erreurs-multiples.regles")
    assert len(caught.value.diagnostics) == 5
    assert str(caught.value).startswith("5 erreurs dans la charte :")


@pytest.mark.parametrize("path", [*sorted((CORPUS.parent.parent / "policies").glob("*.regles")), *VALID],
                         ids=lambda p: p.name)
def test_files_are_in_canonical_layout(path):
    """Bundled charters and valid corpus files are as `repartition formater` writes them."""
    from repartition.dsl.formatter import format_text

    text = path.read_text(encoding="utf-8")
    assert format_text(text, str(path)) == text
