"""Undeclared input keys: a misspelt field is refused everywhere a household comes in, others pass."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import repartition
from repartition import InvalidHousehold
from repartition.batch import BatchError, route_file
from repartition.cli import main
from repartition.keys import OUTPUT_COLUMNS, KeyCheck, damerau_levenshtein, key_form

from conftest import POLICIES

DEPARTEMENTAL = POLICIES / "exemple-departemental.regles"

TEXT = """charte « Clés »
services
  A : « a »
  B : « b »
données du ménage
  enfants à charge [enfants_a_charge] : nombre entier d'au moins 0
  service référent [service_referent] : valeur parmi (aucun, caf), par défaut aucun
  âge [age] : nombre entier, par défaut 30
  lignes [lignes] : nombre entier, par défaut 1
règle « Suivi par la CAF »
  si le service référent est caf alors A
règle « Autres »
  dans tous les autres cas, B
"""

BASE = {"enfants_a_charge": 2}


@pytest.fixture
def charter(make_charter):
    return make_charter(TEXT, verify=False)


@pytest.mark.parametrize("key, meant", [
    ("service_referant", "service_referent"), ("Service-Referent", "service_referent"),
    ("service référent", "service_referent"), ("SERVICE_REFERENT ", "service_referent"),
    ("servcie_referent", "service_referent"), ("srvice_refrent", "service_referent"),
    ("agf", "age"), ("âge", None), ("Age", "age"), ("ages", "age"),
])
def test_a_misspelt_absent_field_is_refused_on_every_backend(charter, key, meant):
    """A key close to a declared field the household lacks (which has a default) is refused by route
    and validate, with « vouliez-vous dire … ? », instead of the default being assumed."""
    meant = meant or "age"
    household = {**BASE, key: "caf" if "ref" in key.lower() else 40}
    for call in (charter.route, charter.validate):
        with pytest.raises(InvalidHousehold, match=f"« {key} » inconnu de la charte : vouliez-vous dire "
                                                   f"« {meant} » \\?") as caught:
            call(household)
        assert caught.value.field == key and caught.value.undeclared


@pytest.mark.parametrize("key", [
    "identifiant", "nom", "service_ref", "agxy", "a", "_", "referent", *sorted(OUTPUT_COLUMNS), "ligne",
])
def test_other_keys_and_output_columns_are_allowed(charter, key):
    """Keys far from every absent field (distance 2 for names of 5 characters or fewer, 3 otherwise),
    and the columns routing writes (`ligne` is one letter from the field `lignes`), are allowed."""
    decision = charter.route({**BASE, key: "x"})
    assert decision.service == "B" and "service_referent" in decision.assumed


def test_a_key_close_to_a_field_that_is_given_is_allowed(charter):
    """Only fields the household lacks can be misspelt: with `service_referent` given, a close key is
    another datum."""
    household = {**BASE, "service_referent": "caf", "service_referant": "x", "age": 3, "agf": 1}
    assert charter.route(household).service == "A"


def test_strict_refuses_every_undeclared_key(engine):
    """strict=True (Charter.from_text, load_charter) refuses any key the charter does not declare,
    suggesting a close field when there is one; output columns remain allowed."""
    charter = repartition.Charter.from_text(TEXT, name="cles.regles", verify=False, engine=engine, strict=True)
    full = {**BASE, "service_referent": "aucun", "age": 3, "lignes": 1}
    assert charter.route({**full, "service": "A"}).service == "B"
    with pytest.raises(InvalidHousehold, match="« identifiant » inconnu de la charte : en mode strict, "
                                               "seules les données que la charte déclare sont acceptées"):
        charter.route({**full, "identifiant": "x"})
    with pytest.raises(InvalidHousehold, match="« agf » inconnu de la charte : vouliez-vous dire « age » \\? "
                                               "\\(en mode strict"):
        charter.validate({**full, "agf": 3})
    assert repartition.load_charter(DEPARTEMENTAL, strict=True, verify=False).strict


def test_validated_household_is_not_checked_again(charter):
    """A ValidatedHousehold was checked when read: routing it costs no key check."""
    validated = charter.validate(BASE)
    assert charter.route(validated).service == "B"


def test_departmental_charter_refuses_service_referant():
    """The case of the issue: `service_referant` no longer sends a followed household elsewhere."""
    charter = repartition.load_charter(DEPARTEMENTAL)
    household = dict(charter.examples[0].household)
    household.pop("service_referent", None)
    household["service_referant"] = "caf"
    with pytest.raises(InvalidHousehold, match="vouliez-vous dire « service_referent » \\?"):
        charter.route(household)


# ---- the batch and the command line -----------------------------------------------------------

def test_csv_header_with_a_misspelt_column_stops_before_any_row(tmp_path, capsys):
    """A misspelt column is refused once, from the header: exit 2, a French message, no output."""
    source = tmp_path / "in.csv"
    source.write_text("identifiant;enfants_a_charge;service_referant\n1;2;caf\n", encoding="utf-8")
    charter = repartition.Charter.from_text(TEXT, name="cles.regles", verify=False)
    with pytest.raises(BatchError, match="ligne 1 : colonne « service_referant » inconnue de la charte : "
                                         "vouliez-vous dire « service_referent » \\?"):
        route_file(charter, source, tmp_path / "out.csv", progress=False)
    assert not (tmp_path / "out.csv").exists()
    (tmp_path / "cles.regles").write_text(TEXT, encoding="utf-8")
    code = main(["orienter", "--charte", str(tmp_path / "cles.regles"), str(source), "-o", str(tmp_path / "o.csv")])
    assert code == 2 and "vouliez-vous dire « service_referent » ?" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_orienter_strict_refuses_an_undeclared_column(tmp_path, capsys):
    """`orienter --strict` refuses a file with a column the charter does not declare."""
    (tmp_path / "cles.regles").write_text(TEXT, encoding="utf-8")
    source = tmp_path / "in.csv"
    source.write_text("identifiant;enfants_a_charge\n1;2\n", encoding="utf-8")
    args = ["orienter", "--charte", str(tmp_path / "cles.regles"), str(source), "-o", str(tmp_path / "o.csv")]
    assert main(args) == 0
    assert main([*args, "--strict"]) == 2
    assert "colonne « identifiant » inconnue de la charte : en mode strict" in capsys.readouterr().err


def test_jsonl_row_with_a_misspelt_key_is_one_reject(tmp_path):
    """In JSON Lines, the row with the misspelt key is rejected with the French message; the others
    are routed."""
    rows = [{**BASE, "nom": "x"}, {**BASE, "service_referant": "caf"}, {**BASE, "service_referent": "caf"}]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    charter = repartition.Charter.from_text(TEXT, name="cles.regles", verify=False)
    summary = route_file(charter, source, tmp_path / "out.jsonl", tmp_path / "rej.jsonl", progress=False)
    assert (summary.routed, summary.rejected) == (2, 1)
    reject = json.loads((tmp_path / "rej.jsonl").read_text(encoding="utf-8"))
    assert reject["ligne"] == 2 and "vouliez-vous dire « service_referent » ?" in reject["erreur"]
    assert summary.by_reason == {"donnée inconnue de la charte": 1}


def test_orienter_menage_refuses_a_misspelt_key(tmp_path, capsys):
    """`orienter --menage` says which key is misspelt, exit 1."""
    (tmp_path / "cles.regles").write_text(TEXT, encoding="utf-8")
    code = main(["orienter", "--charte", str(tmp_path / "cles.regles"), "--menage",
                 '{"enfants_a_charge": 2, "service_referant": "caf"}'])
    assert code == 1 and "vouliez-vous dire « service_referent » ?" in capsys.readouterr().err


# ---- the comparison itself --------------------------------------------------------------------

@pytest.mark.parametrize("a, b, distance", [
    ("", "", 0), ("abc", "abc", 0), ("ca", "ac", 1), ("ca", "abc", 2), ("referant", "referent", 1),
    ("servcie", "service", 1), ("kitten", "sitting", 3), ("abcdef", "badcfe", 3),
])
def test_damerau_levenshtein(a, b, distance):
    """Insertions, deletions, substitutions and adjacent transpositions, transpositions not restricted."""
    assert damerau_levenshtein(a, b) == distance == damerau_levenshtein(b, a)


def _edits(word: str, alphabet: str) -> set[str]:
    """Every string one operation away from `word`."""
    out = set()
    for i in range(len(word) + 1):
        out.update(word[:i] + c + word[i:] for c in alphabet)
    for i in range(len(word)):
        out.add(word[:i] + word[i + 1:])
        out.update(word[:i] + c + word[i + 1:] for c in alphabet)
    out.update(word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1))
    return out


@given(st.text("abc", max_size=5), st.text("abc", max_size=5))
def test_distance_is_at_most_the_operations_found(a, b):
    """The distance is 0 only for equal strings, 1 exactly for one operation, and never more than 2 when
    two operations suffice."""
    one = _edits(a, "abc")
    two = set(itertools.chain.from_iterable(_edits(w, "abc") for w in one))
    distance = damerau_levenshtein(a, b)
    assert (distance == 0) == (a == b)
    assert (distance == 1) == (b in one and a != b)
    if b in two:
        assert distance <= 2


@given(st.text("abcd", max_size=8), st.text("abcd", max_size=8), st.integers(0, 3))
def test_distance_within_a_limit_is_exact_up_to_it(a, b, limit):
    """With a limit, the banded computation gives the distance when it is within the limit, and
    limit + 1 otherwise."""
    full = damerau_levenshtein(a, b)
    assert damerau_levenshtein(a, b, limit) == min(full, limit + 1)


def test_key_form_ignores_case_accents_and_separators():
    """NFC, lower case, no accents, no `_`, `-` or spaces: labels and machine names compare."""
    assert key_form("Service référent") == key_form("service_referent") == key_form("SERVICE-RE\u0301FE\u0301RENT")


def test_separators_do_not_count_however_many():
    """`_`, `-` and spaces are dropped before comparing, however many there are."""
    check = KeyCheck(repartition.Charter.from_text(TEXT, name="c", verify=False).fields)
    with pytest.raises(InvalidHousehold, match="vouliez-vous dire « service_referent »"):
        check({"service" + "_" * 100_000 + "referant": 1}, ["service_referent"])
