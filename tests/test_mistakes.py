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
#: Each corpus of mistakes and the charter its cases start from: charte.regles for the language as a
#: whole, calculs.regles for sums, durations, partners and comparisons written in words.
CORPORA = {"erreurs.txt": "charte.regles", "calculs.txt": "calculs.regles"}


def _cases(corpus: str) -> list[tuple[str, str, str, list[str]]]:
    """(name, replaced text, written text, expected errors) for each case of a corpus file."""
    cases, current = [], None
    for line in (CORPUS / corpus).read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            current = [line[4:].split(" : ")[0], [], [], []]
            cases.append(current)
        elif current is not None and line[:1] in "-+=" and line[:2] in ("- ", "+ ", "= ", "-", "+"):
            current["-+=".index(line[0]) + 1].append(line[2:])
    return [(name, "\n".join(old), "\n".join(new), expected) for name, old, new, expected in cases]


CASES = [(CORPORA[corpus], *case) for corpus in CORPORA for case in _cases(corpus)]


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_each_corpus_charter_is_valid_and_has_forty_mistakes(corpus):
    """The charter a corpus starts from loads and is proven; each corpus has at least 40 distinct cases."""
    base = CORPORA[corpus]
    repartition.Charter.from_text((CORPUS / base).read_text(encoding="utf-8"), name=base)
    names = [name for charter, name, *_ in CASES if charter == base]
    assert len(names) >= 40 and len(set(names)) == len(names)


@pytest.mark.parametrize("base, name, old, new, expected", CASES, ids=[c[1] for c in CASES])
def test_an_officers_mistake_gets_its_message_where_it_is(base, name, old, new, expected):
    """Each mistake, written into the charter, gives exactly its expected located French message."""
    text = (CORPUS / base).read_text(encoding="utf-8")
    assert old in text, f"{name} : le texte remplacé n'est pas dans la charte"
    with pytest.raises(CharterError) as caught:
        repartition.Charter.from_text(text.replace(old, new, 1), name=base)
    got = [f"{base}:{d.span.line}:{d.span.column}: {d.message}" for d in caught.value.diagnostics]
    assert got == expected


#: Wordings that earlier versions refused, now part of the language (the cases that expected an
#: error for them left the corpus): each loads, and routes as its plain wording does.
ONCE_MISTAKES = [
    ("la dette locative est au moins 6 fois le loyer mensuel", "la dette locative est plus de 5 000",
     "la dette locative est plus de 5 000 €"),
    ("la dette locative est au moins 6 fois le loyer mensuel", "la dette locative est au moins six fois le loyer mensuel",
     "la dette locative est au moins 6 fois le loyer mensuel"),
    ("la dette locative est au moins 6 fois le loyer mensuel", "la dette locative est supérieure à 5 000",
     "la dette locative est plus de 5 000 €"),
    ("le régime de protection sociale est régime agricole", "le régime de protection sociale <> régime général",
     "le régime de protection sociale n'est pas régime général"),
    ("les enfants à charge sont au moins 1", "les enfants à charge ≥ un", "les enfants à charge sont au moins 1"),
    ("les enfants à charge sont au moins 1", "les enfants à charge >= 1", "les enfants à charge sont au moins 1"),
    ("les enfants à charge sont au moins 1", "les enfants à charge sont supérieurs ou égaux à 1",
     "les enfants à charge sont au moins 1"),
]


@pytest.mark.parametrize("old, new, plain", ONCE_MISTAKES, ids=[c[1] for c in ONCE_MISTAKES])
def test_wordings_once_refused_now_read_as_their_plain_wording(old, new, plain):
    """A wording the corpus once expected an error for loads, and means what its plain wording means."""
    written = repartition.Charter.from_text(BASE.replace(old, new, 1), name="charte.regles")
    said = repartition.Charter.from_text(BASE.replace(old, plain, 1), name="charte.regles")
    assert written.model.rules == said.model.rules


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
                                  "règle", "\n", " 2 000", "trois", "\"", "#", "sinon X", "[x]", "parmi", "+", "-",
                                  "depuis", "la somme du", "et des", "3 mois avant", "en lien avec", "=>", "≥",
                                  "fois", "supérieure"]))


_BASES = [(CORPUS / base).read_text(encoding="utf-8") for base in sorted(set(CORPORA.values()))]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_broken_charter_gets_a_located_french_message(data):
    """Cut or insert anything anywhere in a valid charter: either it still parses, or the error is
    ours, located on one of its lines, and its message names no grammar terminal."""
    base = data.draw(st.sampled_from(_BASES))
    start = data.draw(st.integers(0, len(base)))
    end = data.draw(st.integers(start, min(len(base), start + 40)))
    text = prepare_text(base[:start] + data.draw(_BREAKS) + base[end:])
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
