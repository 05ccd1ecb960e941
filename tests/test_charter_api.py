"""The embedding API: loading, validating once and routing many times, decisions and their errors."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Mapping
from decimal import Decimal

import pytest

import repartition
from repartition import CharterError, InvalidHousehold, RepartitionError, ValidatedHousehold

from conftest import FICHE, ROOT

HOUSEHOLD = {"enfants_a_charge": 2, "aide_au_logement": "oui", "stade_procedure": "assignation",
             "connu_services_sociaux": "non"}


def test_public_names():
    """The package exports exactly its façade."""
    assert set(repartition.__all__) == {
        "Charter", "CharterError", "CharterNotProven", "Decision", "InvalidHousehold", "NoDecision", "RepartitionError",
        "ValidatedHousehold", "bundled_charter", "load_charter"}
    assert issubclass(CharterError, RepartitionError) and issubclass(InvalidHousehold, RepartitionError)


def test_charter_metadata(fiche):
    """A charter exposes title, version, services, fields, rules with lines, sha256."""
    assert fiche.title == "Dispositif de répartition des signalements reçus par la CCAPEX"
    assert fiche.version == "2018.1"
    assert fiche.services == {"CAF": "Service social de la CAF", "DEPARTEMENT": "Service social départemental"}
    assert [f.machine for f in fiche.fields] == [
        "enfants_a_charge", "aide_au_logement", "stade_procedure", "connu_services_sociaux"]
    assert [(r.name, r.service.code) for r in fiche.rules] == [
        ("Familles allocataires", "CAF"), ("Procédure judiciaire", "DEPARTEMENT"),
        ("Autres ménages", "DEPARTEMENT")]
    assert all(isinstance(r.line, int) for r in fiche.rules)
    assert len(fiche.sha256) == 64


def test_decision_fields(fiche):
    """A decision carries service, label, rule, rules, set-aside rules, facts, explanation, sha256."""
    decision = fiche.route(HOUSEHOLD)
    assert decision.service == "DEPARTEMENT"
    assert decision.service_label == "Service social départemental"
    assert decision.unit is None
    assert decision.rule == "Procédure judiciaire"
    assert decision.rules == ("Procédure judiciaire",)
    assert decision.set_aside == ("Familles allocataires",)
    assert decision.facts == {"enfants_a_charge": 2, "aide_au_logement": True, "stade_procedure": "assignation"}
    assert decision.explanation == (
        "Le ménage relève du service DEPARTEMENT (Service social départemental), en application de la "
        "règle « Procédure judiciaire » (ligne 42) : « L'ensemble des ménages en procédure judiciaire, de "
        "l'assignation à la demande de concours de la force publique, est suivi par le Département. Les "
        "ménages dont le concours a été accordé le restent. » Écartée(s) par exception : « Familles "
        "allocataires ». Données retenues : enfants à charge : 2, aide au logement : oui, stade de la "
        "procédure : assignation. Charte « Dispositif de répartition des signalements reçus par la "
        "CCAPEX », version 2018.1.")
    assert decision.charter_sha256 == fiche.sha256
    summary = json.loads(json.dumps(decision.to_dict()))
    assert summary["faits"] == {"enfants_a_charge": 2, "aide_au_logement": True, "stade_procedure": "assignation"}
    assert (summary["regle"], summary["regles_ecartees"], summary["charte"]["version"]) == (
        "Procédure judiciaire", ["Familles allocataires"], "2018.1")


def test_default_rule_is_named_as_such(fiche):
    """A household that only the default rule takes: the explanation says « la règle par défaut »."""
    decision = fiche.route({**HOUSEHOLD, "enfants_a_charge": 0, "stade_procedure": "aucune"})
    assert decision.explanation.startswith(
        "Le ménage relève du service DEPARTEMENT (Service social départemental), en application de la "
        "règle par défaut « Autres ménages » (ligne ")


def test_validate_once_route_many(fiche):
    """A validated household routes like its mapping and can be routed again."""
    validated = fiche.validate(HOUSEHOLD)
    assert isinstance(validated, ValidatedHousehold)
    assert fiche.route(validated).rules == fiche.route(HOUSEHOLD).rules == fiche.route(validated).rules


def test_validated_households_of_two_charters_differ(fiche):
    """The same household validated by two charters is two different validated households."""
    other = repartition.Charter.from_text(FICHE.read_text(encoding="utf-8") + "\n# copie\n", name="copie.regles")
    assert fiche.validate(HOUSEHOLD) == fiche.validate(HOUSEHOLD)
    assert fiche.validate(HOUSEHOLD) != other.validate(HOUSEHOLD)


def test_validated_household_belongs_to_its_charter(fiche):
    """A household validated with another charter is refused."""
    other = repartition.Charter.from_text(FICHE.read_text(encoding="utf-8") + "\n# autre\n", name="autre")
    with pytest.raises(RepartitionError, match="autre charte"):
        fiche.route(other.validate(HOUSEHOLD))


@pytest.mark.parametrize("field, value, expected", [
    ("enfants_a_charge", True, "nombre entier"),
    ("enfants_a_charge", -1, "d'au moins 0"),
    ("enfants_a_charge", "2,5", "nombre entier"),
    ("aide_au_logement", "peut-être", "oui ou non"),
    ("stade_procedure", "expulsion", "aucune, commandement_de_payer, assignation"),
    ("connu_services_sociaux", None, "ne peut pas être inconnue"),
    ("connu_services_sociaux", "", "ne peut pas être inconnue"),
])
def test_invalid_values_name_field_value_and_expectation(fiche, field, value, expected):
    """InvalidHousehold names the field, shows the value, says what was expected (in French)."""
    with pytest.raises(InvalidHousehold) as caught:
        fiche.route({**HOUSEHOLD, field: value})
    error = caught.value
    assert error.field == field and error.value == value
    assert expected in str(error)


def test_stage_accepts_label_and_any_case(fiche):
    """Stage values read from their machine name or French label, in any case."""
    for spelling in ("demande_de_concours", "Demande de concours de la force publique", "DEMANDE_DE_CONCOURS"):
        assert fiche.route({**HOUSEHOLD, "stade_procedure": spelling}).facts["stade_procedure"] == "demande_de_concours"


def test_not_a_mapping(fiche):
    """Routing something that is not a mapping is a French input error, not a TypeError."""
    with pytest.raises(InvalidHousehold) as caught:
        fiche.route(["pas", "un", "ménage"])
    assert caught.value.field is None
    assert str(caught.value) == ("ménage ['pas', 'un', 'ménage'] illisible, attendu un objet associant chaque "
                                 "donnée à sa valeur")


def test_a_type_error_of_a_mapping_is_not_hidden(fiche):
    """A mapping that fails with TypeError (a bug of its own, or ours) is not reported as bad input."""
    class Broken(Mapping):
        def __getitem__(self, key):
            raise TypeError("défaut interne")

        def __iter__(self):
            return iter(HOUSEHOLD)

        def __len__(self):
            return len(HOUSEHOLD)

    with pytest.raises(TypeError, match="défaut interne"):
        fiche.route(Broken())
    with pytest.raises(TypeError, match="défaut interne"):
        fiche.validate(Broken())


@pytest.mark.parametrize("value, shown", [
    (1.5, "1.5"), (Decimal("1.5"), "1.5"), (dt.date(2026, 1, 2), "2026-01-02"), (object(), "de type « object »"),
])
def test_invalid_values_are_shown_as_written_not_as_python(fiche, value, shown):
    """An invalid value appears as a reader would write it, never as a Python repr."""
    household = {"enfants_a_charge": value, "aide_au_logement": "oui", "stade_procedure": "aucune",
                 "connu_services_sociaux": "non"}
    with pytest.raises(InvalidHousehold) as caught:
        fiche.route(household)
    assert str(caught.value) == f"champ « enfants_a_charge » : valeur {shown} invalide, attendu un nombre entier d'au moins 0"


def test_unreadable_and_non_utf8_files(tmp_path):
    """A missing file or a file not in UTF-8 is a CharterError saying so."""
    with pytest.raises(CharterError, match="impossible de lire"):
        repartition.load_charter(tmp_path / "absente.regles")
    latin1 = tmp_path / "latin1.regles"
    latin1.write_bytes("charte « Été »".encode("latin-1"))
    with pytest.raises(CharterError, match="UTF-8"):
        repartition.load_charter(latin1)


def test_from_text_with_base_dir(tmp_path):
    """`Charter.from_text` finds table files relative to `base_dir`."""
    (tmp_path / "ccas.csv").write_text("commune;nom\n17300;Rochefort\n", encoding="utf-8")
    text = """charte « T »
services
  CCAS : « Centre communal d'action sociale »
  DEP : « Département »
données du ménage
  commune [commune] : code
table « communes CCAS » : fichier « ccas.csv », clé « commune »
règle « CCAS »
  si la commune est dans « communes CCAS » alors CCAS
règle « Autres »
  sinon DEP
"""
    charter = repartition.Charter.from_text(text, name="t.regles", base_dir=tmp_path)
    assert charter.route({"commune": "17300"}).service == "CCAS"
    assert charter.route({"commune": "17000"}).service == "DEP"


def test_unit_from_table(tmp_path, engine):
    """A service's unit is looked up from a table; a code the table lacks follows the charter (refused with
    the code `code_hors_table`, naming the table, or given the table's fallback unit)."""
    (tmp_path / "ut.csv").write_text("commune,unite\n17300,UT Rochefort\n", encoding="utf-8")
    text = """charte « T »
services
  DEP : « Département », unité selon la table « unités » d'après la commune
données du ménage
  commune [commune] : code
table « unités » : fichier « ut.csv », clé « commune », valeur « unite »{missing}
règle « Tous »
  sinon DEP
"""
    charter = repartition.Charter.from_text(text.format(missing=""), name="t", base_dir=tmp_path, engine=engine)
    assert charter.route({"commune": "17300"}).unit == "UT Rochefort"
    with pytest.raises(InvalidHousehold, match="table « unités »") as raised:
        charter.route({"commune": "99999"})
    assert (raised.value.code, raised.value.field, raised.value.value) == ("code_hors_table", "commune", "99999")
    assert dict(raised.value.expected) == {"type": "code", "inconnu_possible": False, "table": "unités"}
    lenient = repartition.Charter.from_text(
        text.format(missing=", code absent : « UT centrale »"), name="t", base_dir=tmp_path, engine=engine)
    assert lenient.route({"commune": "99999"}).unit == "UT centrale"


def test_import_does_not_build_the_parser():
    """`import repartition` builds no parser (it is built on first load)."""
    code = ("import repartition, repartition.dsl.parser as p; "
            "assert p._parser.cache_info().currsize == 0; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT / "src")})
    assert result.stdout.strip() == "ok", result.stderr


def test_missing_table_file_is_one_error(tmp_path):
    """A table file that cannot be read is one located error, with the reason: not also « table inconnue »
    wherever the charter uses the table."""
    text = """charte « Table absente »
services
  DEP : « Département », unité selon la table « unités » d'après la commune
  CCAS : « CCAS »
données du ménage
  commune [commune] : code
table « unités » : fichier « absente.csv », clé « commune », valeur « unite »
règle « Communes de la table »
  si la commune est dans « unités » alors CCAS
règle « Autres »
  dans tous les autres cas, DEP
"""
    with pytest.raises(CharterError) as caught:
        repartition.Charter.from_text(text, name="t.regles", base_dir=tmp_path)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.span.line == 7
    assert diagnostic.message == (f"fichier de table « absente.csv » illisible : fichier introuvable "
                                  f"(cherché dans {tmp_path})")


def test_unknown_engine_is_refused(tmp_path):
    """An engine name other than « compile » or « interprete » is a ValueError naming both."""
    with pytest.raises(ValueError, match="engine must be one of"):
        repartition.load_charter(FICHE, engine="rapide")


def test_many_errors_are_capped_in_the_message():
    """Past MAX_DIAGNOSTICS errors, the message says how many more there are instead of listing them."""
    from repartition.errors import MAX_DIAGNOSTICS

    rules = "".join(f"règle « R{i} »\n  si x{i} alors A\n" for i in range(MAX_DIAGNOSTICS + 3))
    with pytest.raises(CharterError) as caught:
        repartition.Charter.from_text("charte « T »\nservices\n  A : « a »\n" + rules, name="t.regles")
    text = str(caught.value)
    assert text.startswith(f"{MAX_DIAGNOSTICS + 3} erreurs dans la charte :")
    assert text.endswith("… et 3 autre(s) erreur(s) non affichée(s).")
