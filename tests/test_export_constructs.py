"""Every construct of the language has a translation: each, exported to SQL, routes its whole domain as Python does."""

from __future__ import annotations

import datetime as dt
import itertools
import typing

import pytest

import repartition
from repartition import model as m
from repartition.dsl import ast
from repartition.dsl.builder import _PREDICATES
from repartition.dsl.lowering import Atom, atoms_of, lower
from repartition.export import CONDITIONS, decision_rows
from repartition.export.json_tables import CONDITION
from repartition.export.rows import unit_value

from export_households import assert_routes_like_python, insert
from optional import need

duckdb = need("duckdb")
need("sqlglot")

from repartition.export.dmn import Entries  # noqa: E402
from repartition.export.sql import Conditions, create_table, to_sql  # noqa: E402

HEAD = """charte « Constructions »
services
  A : « a »
  B : « b »
données du ménage
  n [n] : nombre entier entre 0 et 4
  a [a] : oui ou non, peut être inconnu
  s [s] : étape parmi (aucune, payer, assignation, jugement)
  c [c] : code
  d [d] : montant en euros entre 0 et 0,04
  l [l] : montant en euros entre 0 et 0,02
  t [t] : date
  u [u] : date
  h [h] : montant en euros entre 0 et 0,02
ensemble « S » : 111, 333
table « T » : fichier « t.csv », clé « code »
définition « D » : n est au moins 2
"""
_DAY = dt.date(2026, 3, 1).toordinal()
_MONTH_ENDS = [dt.date(*d).toordinal() for d in ((2024, 1, 31), (2024, 2, 29), (2024, 3, 1), (2023, 1, 31),
                                                 (2023, 2, 28), (2023, 3, 31), (2023, 4, 30))]
DOMAINS = [range(1, 4), [False, True, None], range(4), ["111", "333", "444", "999"], range(4), [0, 2],
           [_DAY, _DAY + 1, *_MONTH_ENDS[:3], _MONTH_ENDS[3]], _MONTH_ENDS, [0, 1, 2]]
#: Fields at one value where a sample does not read them: `u` and `h` for every sample, every field
#: for the samples of sums and durations (whose own fields make the product large enough).
_SPARE = {"u", "h"}
_FOCUSED = {"somme", "fois la somme", "somme comparée", "deux dates", "mois", "jours", "ans"}

#: One rule condition per construct (grammar node, comparison, model node, lowered atom).
SAMPLES = {
    "est": "n est 2", "n'est pas": "s n'est pas payer", "au moins": "s est au moins assignation",
    "au plus": "d est au plus 0,02 €", "plus de": "t est après le 2026-03-01", "moins de": "n est moins de 3",
    "entre": "d est entre 0,01 € et 0,03 €", "parmi": "c est parmi 111, 222", "dans ensemble": "c est dans « S »",
    "dans table": "c est dans « T »", "fois": "d est au moins 1,5 fois l", "inconnu": "a est inconnu",
    "connu": "a est connu", "oui ou non": "a", "non": "non (a)", "et": "(n est 1 et a)",
    "ou": "(n est 1 ou a est inconnu)", "définition": "D", "code est": "c est 999",
    "supérieur à": "n est supérieur à deux", "symbole": "n ≥ 2", "sujet omis": "n est au moins 1 et ≤ 2",
    "somme": "d est au moins la somme de l et de h", "fois la somme": "d est au plus 1,5 fois la somme de l et de h",
    "somme comparée": "la somme de d et de h est plus de 0,03 €", "deux dates": "t est après u",
    "mois": "t est au moins 1 mois avant u", "jours": "u est plus de 29 jours après t",
    "ans": "t est au plus un an avant u",
}


def _charter(condition: str, tmp_path) -> repartition.Charter:
    (tmp_path / "t.csv").write_text("code\n333\n444\n", encoding="utf-8")
    text = HEAD + f"règle « R »\n  si {condition}\n  alors A\nrègle « Autres »\n  sinon B\n"
    return repartition.Charter.from_text(text, name="c.regles", base_dir=tmp_path, verify=False, engine="interprete")


def _walk_ast(node, found: set) -> None:
    found.add(type(node).__name__)
    if isinstance(node, ast.Comparison):
        found.add(node.op)
        found.update(type(o).__name__ for o in node.operands)
    for child in getattr(node, "operands", ()) if not isinstance(node, ast.Comparison) else ():
        _walk_ast(child, found)
    if isinstance(node, ast.Not):
        _walk_ast(node.operand, found)


def _walk_model(node, found: set) -> None:
    found.add(type(node).__name__)
    for child in getattr(node, "operands", ()):
        _walk_model(child, found)
    if isinstance(node, m.Not):
        _walk_model(node.operand, found)
    if isinstance(node, m.DefinitionRef):
        _walk_model(node.definition.condition, found)


def test_the_samples_cover_every_construct(tmp_path):
    """Grammar nodes, comparisons, model nodes and lowered atoms: each is used by a sample (a construct
    added to the language fails here until it has its sample, which must then export)."""
    from repartition.dsl.builder import build_ast
    from repartition.dsl.parser import parse_tree, prepare_text

    grammar, model, atoms = set(), set(), set()
    for condition in SAMPLES.values():
        text = prepare_text(HEAD + f"règle « R »\n  si {condition}\n  alors A\n")
        tree = build_ast(parse_tree(text, "c.regles"), "c.regles")
        rule = next(i for i in tree.items if isinstance(i, ast.RuleDecl))
        _walk_ast(rule.condition, grammar)
        checked = _charter(condition, tmp_path)
        _walk_model(checked.rules[0].condition, model)
        atoms.update(type(a).__name__ for a in atoms_of(lower(checked.rules[0].condition)))
    expected_grammar = {t.__name__ for t in typing.get_args(ast.Expr)} | set(_PREDICATES.values()) | {"Multiple"}
    assert expected_grammar <= grammar
    assert {t.__name__ for t in typing.get_args(m.Condition)} <= model
    assert {t.__name__ for t in typing.get_args(Atom)} <= atoms


def test_every_row_condition_has_each_translation():
    """Each kind of row condition has its JSON, SQL and DMN method."""
    for writer in (CONDITION, Conditions, Entries):
        assert all(hasattr(writer, "visit_" + kind.__name__) for kind in CONDITIONS), writer


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_construct_routes_its_whole_domain_in_sql(name, tmp_path):
    """With one sample rule, every household of the small domain gets in DuckDB what Python gives it."""
    charter = _charter(SAMPLES[name], tmp_path)
    read = set(SAMPLES[name].replace("(", " ").replace(")", " ").split())
    domains = [d[:1] if (letter in _SPARE or name in _FOCUSED) and letter not in read else d
               for letter, d in zip("nascdltuh", DOMAINS)]
    rows = [tuple(unit_value(f, v) for f, v in zip(charter.fields, values)) for values in itertools.product(*domains)]
    connection = duckdb.connect()
    connection.execute(create_table(charter.model))
    connection.execute(insert(charter, rows))
    assert_routes_like_python(charter, rows, connection.execute(to_sql(decision_rows(charter.model))).fetchall())
