"""Tests of the formatter: canonical layout, idempotent, same syntax tree and model, comments kept."""

from __future__ import annotations

import hashlib
import os

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repartition import CharterError
from repartition.cli import main
from repartition.dsl import ast
from repartition.dsl.builder import build_ast
from repartition.dsl.checker import check
from repartition.dsl.formatter import format_text, format_tree
from repartition.dsl.parser import parse_tree, prepare_text

from conftest import FICHE, POLICIES, ROOT

_SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _tree(text: str) -> ast.CharterFile:
    return build_ast(parse_tree(prepare_text(text), "f.regles"), "f.regles")


def _comments(tree: ast.CharterFile) -> list[str]:
    found = []
    for item in tree.items:
        if isinstance(item, ast.Comment):
            found.append(item.text)
        elif isinstance(item, ast.RuleDecl):
            found.extend(c.text for c in item.comments)
    return found


def _parses(path) -> bool:
    try:
        tree = _tree(path.read_text(encoding="utf-8"))
    except CharterError:
        return False
    return not any(getattr(item, "repeated", ()) for item in tree.items)


# Every rule file of the project that parses (without a clause given twice, which the formatter
# refuses): bundled charters and the test corpora.
_FILES = sorted(p for p in [*POLICIES.glob("*.regles"), *(ROOT / "tests").rglob("*.regles")] if _parses(p))


@pytest.mark.parametrize("path", _FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_project_files_round_trip(path):
    """Each project rule file formats to text with the same tree and comments, and is a fixed point."""
    text = path.read_text(encoding="utf-8")
    formatted = format_text(text)
    assert _tree(formatted) == _tree(text)
    assert _comments(_tree(formatted)) == _comments(_tree(text))
    assert format_text(formatted) == formatted


@pytest.mark.parametrize("path", sorted(POLICIES.glob("*.regles")), ids=lambda p: p.name)
def test_bundled_charters_are_in_canonical_form(path):
    """The bundled charters are already formatted (so CI can run `formater --verifier`)."""
    text = path.read_text(encoding="utf-8")
    assert format_text(text) == text


# ---- random charters written with a messy layout -------------------------------------------

_FIELDS = [
    "p [p] : oui ou non, peut être inconnu",
    "n [n] : nombre entier entre 0 et 6",
    "s [s] : étape parmi (e0, e1, e2, e3)",
    "k [k] : valeur parmi (rouge, vert, bleu), par défaut vert",
    "dette [dette] : montant en euros d'au moins 0",
    "loyer [loyer] : montant en euros d'au moins 1 et au plus 1000",
    "charges [charges] : montant en euros, par défaut 0",
    "début [debut] : date",
    "fin [fin] : date",
]
_ATOMS = st.one_of(
    st.sampled_from(["p", "non p", "p est inconnu", "p est connu", "k est vert",
                     "k n'est pas rouge", "en difficulté", "les charges sont au moins 2 fois le loyer"]),
    st.builds("n est au moins {}".format, st.integers(0, 6)),
    st.builds("n est moins de {}".format, st.integers(0, 6)),
    st.builds("s est entre e{} et e3".format, st.integers(0, 3)),
    st.builds("s est parmi e{}, e3".format, st.integers(0, 2)),
    st.builds("la dette est au moins {} fois le loyer".format, st.sampled_from(["1", "1,5", "6"])),
    st.builds("la dette est plus de {}".format, st.sampled_from(["0 €", "99,99 €", "1 000 euros", "2 000"])),
    st.sampled_from(["la dette est supérieure ou égale à trois fois le loyer", "n ≥ 2", "n >= 2", "n ≠ 3",
                     "n est inférieur ou égal à deux", "la dette est au-delà de 2 000", "k = vert",
                     "la dette est supérieure au loyer", "(la dette ≥ 1 000 € ou au plus 5 €)",
                     "n est au moins 1 et n'est pas 3", "(s est e1 ou est e2)", "(n < 2 ou > 4)",
                     "n est au moins 1 et ≤ 3 et supérieur à deux",
                     "la dette est au moins 2 fois la somme du loyer et des charges",
                     "la somme du loyer et des charges est au plus 500 €",
                     "la somme du loyer, des charges et de la dette est plus de 1 €",
                     "(la dette est inférieure à la somme du loyer et des charges ou au moins 1 000 €)",
                     "début est au moins trois mois avant fin", "fin est plus de 30 jours après début",
                     "début est avant fin", "fin est au plus 1 an après le début",
                     "début est 2 mois avant la fin", "la dette est d'au moins 2 fois le loyer",
                     "la dette est strictement supérieure à 5 €", "la dette est comprise entre 1 € et 5 €",
                     "début est antérieur à fin", "fin est au moins 1 mois postérieure au début"]),
)
_CONDITIONS = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(
        st.builds("({} et {})".format, inner, inner),
        st.builds("{} ou\n     {}".format, inner, inner),
        st.builds("non ({})".format, inner),
        st.builds("{} et {}".format, inner, inner),
        st.builds("({} et la dette est au moins 1 €) ou au plus 5 €".format, inner),
        st.builds("la dette est au moins 1 € ou (au plus 5 € et {})".format, inner),
    ),
    max_leaves=6,
)
_COMMENTS = st.builds(
    "#{}".format, st.text(alphabet="abcdéèàç ,.;:«»()-'", max_size=30))
_SPACE = st.sampled_from(["", " ", "    ", "\t"])
_WORDS = st.lists(st.sampled_from(["les", "ménages", "relèvent", "du", "service", "social",
                                   "départemental,", "sauf", "exception."]), min_size=1, max_size=40)


@st.composite
def _messy_charters(draw) -> str:
    """A valid charter whose layout (indentation, blank lines, breaks, comments) is random."""
    parts: list[str] = []

    def comment_lines():
        return [draw(_SPACE) + c for c in draw(st.lists(_COMMENTS, max_size=2))]

    def add(*lines):
        parts.extend(comment_lines())
        parts.extend(lines)
        parts.extend([""] * draw(st.integers(0, 2)))

    def words():
        text = " ".join(draw(_WORDS))
        return text.replace(" ", draw(st.sampled_from([" ", "\n   ", "  "])), draw(st.integers(0, 3)))

    add("charte « Essai »")
    if draw(st.booleans()):
        add(f"reference « {words()} »")
    add(draw(st.sampled_from(["version 2.1", "version 3", "version « première »"])))
    add(draw(st.sampled_from(["en vigueur a partir du 1er janvier 2025",
                              "en vigueur du 01/01/2025 au 2026-12-31"])))
    add("services")
    for code in ("A", "B", "C", "D"):
        add(f"{draw(_SPACE)}{code} : « Service {code} »")
    add("données du ménage")
    for decl in _FIELDS:
        decl = decl.replace(", e", draw(st.sampled_from([", e", ",\n        e"])))
        if draw(st.booleans()):
            decl += f", motif « {words()} »"
        add(draw(_SPACE) + decl)
    motif = draw(st.sampled_from(["", f"\n  motif « {words()} »"]))
    add(f"définition « en difficulté » :\n  {draw(_CONDITIONS).replace('en difficulté', 'p')}{motif}")
    add("ensemble « rouges » : rouge, « bleu »" + draw(st.sampled_from(["", f"\n motif « {words()} »"])))
    names = []
    for index in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            number = draw(st.sampled_from(["{}", "« {} »", "{}.1", "{}bis", "« Annexe {} »"])).format(index)
            add(f"article {number} : « {words()} »" + draw(st.sampled_from(["", f"\n  motif « {words()} »"])))
        name = f"Règle {index}"
        head = f"règle « {name} »"
        if names and draw(st.booleans()):
            head += ", par exception à " + " et ".join(f"« {n} »" for n in draw(
                st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)))
        clauses = [f"{draw(_SPACE)}texte « {words()} »", f"  référence « {words()} »", f"  motif « {words()} »"]
        clauses = draw(st.permutations(clauses))[: draw(st.integers(0, 3))]
        clauses += comment_lines()
        clauses = draw(st.permutations(clauses))
        service = draw(st.sampled_from('AB'))
        partners = draw(st.sampled_from(["", ", en lien avec C", " en lien avec C, D", ", en lien avec D et C"]))
        body = f"  si {draw(_CONDITIONS)}\n  alors {service}{partners}"
        add(head, *clauses, body)
        names.append(name)
    add(draw(st.sampled_from(["règle « Autres »\n  dans tous les autres cas, A",
                              "regle « Autres »\n  sinon B, en lien avec C"])))
    add(f"indicateur « suivis » :\n  {draw(_CONDITIONS)}")
    add("exemple « Un » :\n  p : inconnu, n : 3, s : e1, k : rouge,\n  dette : 10 €, loyer : 5 €\n"
        + draw(st.sampled_from(["  attendu A", "  attendu A, en lien avec C et D",
                                "  attendu A en lien avec D par « Autres »"])))
    parts.extend(comment_lines())
    return "\n".join(parts) + "\n"


def _model(text: str):
    prepared = prepare_text(text)
    return attrs.evolve(check(_tree(prepared), prepared, None, hashlib.sha256()), sha256="")


@_SETTINGS
@given(_messy_charters())
def test_formatting_keeps_tree_model_and_comments(text):
    """Formatting any valid layout gives the same tree, comments and checked model, idempotently."""
    formatted = format_text(text)
    assert _tree(formatted) == _tree(text)
    assert _comments(_tree(formatted)) == _comments(_tree(text))
    assert _model(formatted) == _model(text)
    assert format_text(formatted) == formatted


@_SETTINGS
@given(_messy_charters())
def test_tree_without_positions_prints_to_the_same_tree(text):
    """A tree built in code (no positions) prints to text that parses back to an equal tree."""
    tree = _tree(text)
    bare = ast.CharterFile("f.regles", tuple(_strip(item) for item in tree.items))
    assert _tree(format_tree(bare)) == tree


def _strip(node):
    """The same node with every position removed."""
    if isinstance(node, tuple):
        return tuple(_strip(n) for n in node)
    if not attrs.has(type(node)):
        return node
    changes = {}
    for a in attrs.fields(type(node)):
        value = getattr(node, a.name)
        if a.name == "span" or a.name.endswith("_span"):
            changes[a.name] = None
        elif isinstance(value, tuple) or attrs.has(type(value)):
            changes[a.name] = _strip(value)
    return attrs.evolve(node, **changes)


def test_comments_stay_in_place_inside_a_rule():
    """A comment written between a rule's texte and référence stays between them."""
    text = ("charte « C »\nservices\n  A : « a »\ndonnées du ménage\n  p [p] : oui ou non\n\n"
            "règle « R »\n    référence « art. 2 »\n # pourquoi\n texte « t »\n  si p\n  alors A\n")
    assert format_text(text).endswith(
        "règle « R »\n  référence « art. 2 »\n  # pourquoi\n  texte « t »\n  si p\n  alors A\n")


def test_a_clause_given_twice_is_refused_not_dropped():
    """Formatting a rule with two motifs is a located error: neither is silently dropped."""
    text = ("charte « C »\nservices\n  A : « a »\ndonnées du ménage\n  p [p] : oui ou non\n"
            "règle « R »\n  motif « un »\n  motif « deux »\n  si p\n  alors A\n")
    with pytest.raises(CharterError) as caught:
        format_text(text)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == "« motif » donné deux fois : gardez-en un seul"
    assert (diagnostic.span.line, diagnostic.span.column) == (8, 3)


def test_long_conditions_and_texts_are_wrapped():
    """Long conditions break before a top-level connective; long texts break between words."""
    condition = " et ".join(f"n est au moins {i}" for i in range(12))
    text = ("charte « C »\nservices\n  A : « a »\ndonnées du ménage\n  n [n] : nombre entier\n"
            f"règle « R »\n  texte « {'mot ' * 40}»\n  si {condition}\n  alors A\n")
    formatted = format_text(text)
    assert "  si n est au moins 0 et n est au moins 1 et" in formatted
    assert "\n     et n est au moins" in formatted
    assert all(len(line) <= 98 for line in formatted.splitlines())
    assert _tree(formatted) == _tree(text)


# ---- command line ---------------------------------------------------------------------------

def test_cli_rewrites_in_place_and_checks(tmp_path, capsys):
    """`formater` rewrites files; `--verifier` changes nothing and exits 1 naming unformatted files."""
    messy = tmp_path / "a.regles"
    clean = tmp_path / "b.regles"
    original = FICHE.read_text(encoding="utf-8").replace("\n  alors CAF", "\n      alors   CAF")
    messy.write_text(original, encoding="utf-8")
    clean.write_text(FICHE.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["formater", "--verifier", str(messy), str(clean)]) == 1
    out = capsys.readouterr().out
    assert f"{messy} : pas en forme" in out and str(clean) not in out
    assert messy.read_text(encoding="utf-8") == original
    assert main(["formater", str(messy), str(clean)]) == 0
    assert f"{messy} : mis en forme" in capsys.readouterr().out
    assert messy.read_text(encoding="utf-8") == FICHE.read_text(encoding="utf-8")
    assert main(["formater", "--verifier", str(messy), str(clean)]) == 0


def test_cli_reports_unreadable_files(tmp_path, capsys):
    """A file that does not parse or does not exist gives exit 2 and a located French message."""
    bad = tmp_path / "mauvais.regles"
    bad.write_text("charte « X »\nrègle « R »\n  si\n", encoding="utf-8")
    assert main(["formater", str(bad), str(tmp_path / "absent.regles")]) == 2
    err = capsys.readouterr().err
    assert f"{bad} : mise en forme impossible" in err and "mauvais.regles:" in err
    assert "absent.regles : mise en forme impossible" in err
    assert f"impossible de lire la charte « {tmp_path / 'absent.regles'} » : fichier introuvable" in err


def test_cli_reports_unwritable_files_without_traceback(tmp_path, capsys, monkeypatch):
    """A file that cannot be replaced: exit 2, a French reason, the file as it was, no leftover."""
    messy = tmp_path / "a.regles"
    original = FICHE.read_text(encoding="utf-8").replace("\n  alors CAF", "\n      alors   CAF")
    messy.write_text(original, encoding="utf-8")

    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    assert main(["formater", str(messy)]) == 2
    err = capsys.readouterr().err
    assert f"{messy} : mise en forme impossible" in err and "accès refusé" in err and "Traceback" not in err
    assert messy.read_text(encoding="utf-8") == original
    assert [p.name for p in tmp_path.iterdir()] == ["a.regles"]


def test_cli_names_the_line_of_a_bad_byte(tmp_path, capsys):
    """A charter that is not UTF-8 is refused with the line of the first bad byte."""
    bad = tmp_path / "latin.regles"
    bad.write_bytes("charte « X »\n# créé\n".encode("utf-8") + "# é\n".encode("latin-1"))
    assert main(["formater", str(bad)]) == 2
    assert f"{bad}:3:3: erreur : le fichier n'est pas en UTF-8 (octet 0xE9 illisible)" in capsys.readouterr().err
