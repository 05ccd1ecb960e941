"""Hostile rule files (benchmarks/hostile.py, small sizes): each loads, or is refused with located
French errors; never another exception. The benchmark runs the full sizes against the time budget."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import repartition
from repartition.errors import CharterError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import hostile  # noqa: E402

CASES = [(kind, size) for kind, sizes in hostile.SMALL.items() for size in sizes]


@pytest.mark.parametrize(("kind", "size"), CASES, ids=[f"{k}-{s}" for k, s in CASES])
def test_hostile_file_loads_or_is_refused_with_located_errors(kind, size):
    """The charter loads (proven) or raises CharterError whose every message is located in the file."""
    text = hostile.generate(kind, size)
    try:
        charter = repartition.Charter.from_text(text, name="hostile.regles")
    except CharterError as error:
        assert error.diagnostics
        assert all(d.span is not None and d.span.file == "hostile.regles" for d in error.diagnostics), str(error)
    else:
        assert charter.rules


@pytest.mark.parametrize(("kind", "size", "loads"), [
    ("definitions", 20, True), ("non_imbriques", 300, False), ("groupes_et_ou", 200, False),
    ("parentheses", 1000, False), ("chaine_definitions", 200, False), ("chaine_exceptions", 300, True),
    ("regles_simples", 300, True), ("parmi", 500, True), ("recouvrements_50", 10, False),
])
def test_hostile_classes_of_the_issue_end_as_expected(kind, size, loads):
    """Those the issue names: doubled definitions and long flat or chained charters are proven; deep
    nesting is refused; overlapping rules are refused for their conflicts."""
    text = hostile.generate(kind, size)
    if loads:
        assert repartition.Charter.from_text(text, name="hostile.regles").rules
        return
    with pytest.raises(CharterError) as caught:
        repartition.Charter.from_text(text, name="hostile.regles")
    expected = "conflit" if kind == "recouvrements_50" else "imbriqu"
    assert expected in caught.value.diagnostics[0].message


def test_definitions_used_before_they_are_declared_nest_no_deeper():
    """A thousand definitions each using the next one, declared after it: refused at the limit,
    without recursing through all of them."""
    lines = [f"définition « d{i} » : d{i + 1} et n est au moins {i}" for i in range(1000)]
    text = ("charte « Définitions à rebours »\nservices\n  CAF : « CAF »\ndonnées du ménage\n"
            "  n : nombre entier d'au moins 0\n" + "\n".join(lines) + "\ndéfinition « d1000 » : n est 0\n"
            "règle « R »\n  si d0\n  alors CAF\n")
    with pytest.raises(CharterError) as caught:
        repartition.Charter.from_text(text, name="hostile.regles")
    first = caught.value.diagnostics[0]
    assert first.span.line == 6 + 49 and "trop imbriquée" in first.message
    assert all("trop imbriquée" in d.message for d in caught.value.diagnostics)
