"""Syntax errors in plain French: an officer's typical mistakes get a located message that says what
was being read, what may follow and how to fix it; any broken charter gets such a message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import repartition
from repartition.dsl.mistakes import MISTAKES, TERMINAL_WORDS, explain
from repartition.dsl.parser import build_parser, parse_tree, prepare_text
from repartition.errors import CharterError

CORPUS = Path(__file__).parent / "corpus" / "mistakes"
BASE = (CORPUS / "charte.regles").read_text(encoding="utf-8")


def _cases() -> list[tuple[str, str, str, list[str]]]:
    """(name, replaced text, written text, expected errors) for each case of erreurs.txt."""
    cases, current = [], None
    for line in (CORPUS / "erreurs.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            current = [line[4:].split(" : ")[0], [], [], []]
            cases.append(current)
        elif current is not None and line[:1] in "-+=" and line[:2] in ("- ", "+ ", "= ", "-", "+"):
            current["-+=".index(line[0]) + 1].append(line[2:])
    return [(name, "\n".join(old), "\n".join(new), expected) for name, old, new, expected in cases]


CASES = _cases()


def test_the_corpus_charter_is_valid_and_has_forty_mistakes():
    """The charter every case starts from loads and is proven; there are at least 40 distinct cases."""
    repartition.Charter.from_text(BASE, name="charte.regles")
    assert len(CASES) >= 40 and len({name for name, *_ in CASES}) == len(CASES)


@pytest.mark.parametrize("name, old, new, expected", CASES, ids=[c[0] for c in CASES])
def test_an_officers_mistake_gets_its_message_where_it_is(name, old, new, expected):
    """Each mistake, written into the charter, gives exactly its expected located French message."""
    assert old in BASE, f"{name} : le texte remplacé n'est pas dans la charte"
    with pytest.raises(CharterError) as caught:
        repartition.Charter.from_text(BASE.replace(old, new, 1), name="charte.regles")
    got = [f"charte.regles:{d.span.line}:{d.span.column}: {d.message}" for d in caught.value.diagnostics]
    assert got == expected


# ---- the table of typical mistakes and the words of the grammar ---------------------------------------

@pytest.mark.parametrize("message, snippet", [(m, s) for m, snippets in MISTAKES.items() for s in snippets],
                         ids=lambda value: value[:40] if isinstance(value, str) else None)
def test_typical_mistakes_table_is_recognised(message, snippet):
    """Each snippet of the table stops the parser in the state its message is for, and says it."""
    with pytest.raises(CharterError) as caught:
        parse_tree(snippet, "erreur.regles")
    assert message in caught.value.diagnostics[0].message


def test_every_terminal_has_french_words():
    """Every terminal of the grammar reads as French words in messages, never as its name."""
    terminals = {t.name for t in build_parser().terminals if not t.name.startswith("__")}
    assert terminals - set(TERMINAL_WORDS) == set()


# ---- any broken charter ----------------------------------------------------------------------------

_TERMINAL_NAMES = re.compile(r"\b(?:" + "|".join(sorted(
    (t for t in TERMINAL_WORDS if t.isupper() and "_" in t and t != "EQUIPE_MOBILE"), key=len, reverse=True))
    + r")\b")
_BREAKS = st.one_of(
    st.just(""), st.sampled_from(["«", "»", "(", ")", ",", ":", "et", "alors", "si", "est", ">=", "CAF", "caf",
                                  "règle", "\n", " 2 000", "trois", "\"", "#", "sinon X", "[x]", "parmi"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_broken_charter_gets_a_located_french_message(data):
    """Cut or insert anything anywhere in a valid charter: either it still parses, or the error is
    ours, located on one of its lines, and its message names no grammar terminal."""
    start = data.draw(st.integers(0, len(BASE)))
    end = data.draw(st.integers(start, min(len(BASE), start + 40)))
    text = prepare_text(BASE[:start] + data.draw(_BREAKS) + BASE[end:])
    try:
        parse_tree(text, "c.regles")
    except CharterError as error:
        (diagnostic,) = error.diagnostics
        lines = text.splitlines()
        assert 1 <= diagnostic.span.line <= max(1, len(lines)) and diagnostic.span.column >= 1
        assert not _TERMINAL_NAMES.search(diagnostic.message), diagnostic.message
        assert "inattendu ; attendu :" not in diagnostic.message


def test_explain_never_needs_the_parser():
    """The French wording works on plain data: the parser's description of where it stopped."""
    from repartition.dsl.mistakes import Piece, Stuck

    stuck = Stuck(Piece("NAME", "caf", 3, 9, 3, 12), frozenset({"SERVICE_CODE"}),
                  (Piece("REGLE", "règle", 1, 1, 1, 6), Piece("STRING", "« R »", 1, 7, 1, 12),
                   Piece("SI", "si", 2, 3, 2, 5), Piece("reference_to", "aide", 2, 6, 2, 10),
                   Piece("ALORS", "alors", 3, 3, 3, 8)), Piece("ALORS", "alors", 3, 3, 3, 8))
    message, where = explain(stuck, "services\n  CAF : « c »\n")
    assert message == ("après « alors », dans la règle « R » : « caf » n'est pas un code de service : "
                       "un code de service s'écrit en majuscules : écrivez « CAF »")
    assert where == (3, 9, 12)
