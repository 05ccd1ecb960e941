"""Services informed « en lien avec » the deciding rule's service: one service still decides."""

from __future__ import annotations

import csv
import json

import pytest

import repartition
from repartition.batch import route_file
from repartition.errors import CharterError
from repartition.render.sentences import rule_sentence

TEXT = """charte « Partenaires »
services
  CAF : « Service social de la CAF »
  DEP : « Service social départemental »
  ADIL : « ADIL »
  CCAPEX : « CCAPEX »
données du ménage
  aide [aide] : oui ou non
  enfants [enfants] : nombre entier d'au moins 0
  stade [stade] : étape parmi (aucune, commandement, assignation), peut être inconnu
règle « Familles »
  si aide et les enfants sont au moins 1
  alors CAF, en lien avec ADIL
règle « Commandement », par exception à « Familles »
  si le stade est commandement
  alors DEP, en lien avec CCAPEX
règle « Assignation »
  si le stade est assignation
  alors DEP, en lien avec CCAPEX et ADIL
règle « Assignation des familles »
  si le stade est assignation et aide
  alors DEP, en lien avec CAF
règle « Autres »
  dans tous les autres cas, DEP en lien avec CAF
"""


def _route(charter, **values):
    household = {"aide": False, "enfants": 0, "stade": "aucune", **values}
    return charter.route(household)


@pytest.fixture
def charter(make_charter):
    return make_charter(TEXT, verify=False)


def test_the_deciding_rule_names_its_partners(charter):
    """The household goes to one service; the deciding rule's partners are informed."""
    decision = _route(charter, aide=True, enfants=2)
    assert (decision.service, decision.rule, decision.partners) == ("CAF", "Familles", ("ADIL",))
    assert decision.to_dict()["partenaires"] == ["ADIL"]
    assert decision.explanation.startswith(
        "Le ménage relève du service CAF (Service social de la CAF), en lien avec ADIL (ADIL), en application")


def test_partners_are_never_inherited_through_an_exception(charter):
    """A rule set aside by an exception brings none of its partners."""
    decision = _route(charter, aide=True, enfants=2, stade="commandement")
    assert (decision.rule, decision.set_aside, decision.partners) == ("Commandement", ("Familles",), ("CCAPEX",))


def test_rules_deciding_together_inform_all_their_partners(charter):
    """Several rules deciding for the same service: their partners, each once, in file order."""
    decision = _route(charter, aide=True, stade="assignation")
    assert decision.rules == ("Assignation", "Assignation des familles")
    assert decision.partners == ("CCAPEX", "ADIL", "CAF")
    assert decision.explanation.startswith("Le ménage relève du service DEP (Service social départemental), en "
                                           "lien avec CCAPEX (CCAPEX), ADIL (ADIL) et CAF (Service social de la "
                                           "CAF), en application")


def test_the_default_rule_names_partners_and_rules_that_only_might_apply_do_not(charter):
    """The default rule's partners when it decides, even where other rules might apply (unknown stage)."""
    assert _route(charter).partners == ("CAF",)
    decision = _route(charter, stade=None)
    assert decision.rule == "Autres" and len(decision.rules) > 1
    assert decision.partners == ("CAF",)


def test_partners_in_the_rule_sentence(charter):
    """The reviewers' sentence names the partners with their labels."""
    assert rule_sentence(charter.rules[2]) == (
        "Si le stade est assignation, alors le ménage relève du service DEP (Service social départemental), en lien "
        "avec CCAPEX (CCAPEX) et ADIL (ADIL).")


@pytest.mark.parametrize("conclusion, message", [
    ("alors CAF, en lien avec MSA", "13:27: service partenaire inconnu MSA ; services déclarés : CAF, DEP, ADIL, "
                                    "CCAPEX"),
    ("alors CAF, en lien avec ADLI", "13:27: service partenaire inconnu ADLI ; vouliez-vous dire « ADIL » ? ; "
                                     "services déclarés : CAF, DEP, ADIL, CCAPEX"),
    ("alors CAF, en lien avec CAF", "13:27: CAF est déjà le service de la règle « Familles » : un partenaire est "
                                    "un autre service, informé en lien avec lui"),
    ("alors CAF, en lien avec ADIL et ADIL", "13:35: ADIL est nommé deux fois après « en lien avec »"),
])
def test_bad_partners_are_refused_where_they_are_written(conclusion, message):
    """An undeclared partner (the codes listed), the rule's own service or a repeated one is an error."""
    text = TEXT.replace("alors CAF, en lien avec ADIL", conclusion)
    with pytest.raises(CharterError) as caught:
        repartition.Charter.from_text(text, name="p.regles", verify=False)
    (diagnostic,) = caught.value.diagnostics
    assert f"{diagnostic.span.line}:{diagnostic.span.column}: {diagnostic.message}" == message


def test_examples_may_expect_partners(make_charter):
    """« attendu DEP, en lien avec CCAPEX » checks the partners too (in any order); without them, only
    the service and rule are checked."""
    household = "aide : oui, enfants : 2, stade : commandement"
    charter = make_charter(TEXT + f"""
exemple « Juste » : {household}
  attendu DEP, en lien avec CCAPEX par « Commandement »
exemple « Sans partenaires dits » : {household}
  attendu DEP
exemple « Faux » : {household}
  attendu DEP, en lien avec ADIL
exemple « Deux » : aide : oui, enfants : 0, stade : assignation
  attendu DEP en lien avec CAF, ADIL et CCAPEX
""", verify=False)
    (failed,) = charter.check_examples()
    assert failed.message == ("l'exemple « Faux » attend DEP en lien avec ADIL, la charte donne DEP en lien "
                              "avec CCAPEX par « Commandement »")


def test_batch_adds_a_partners_column(tmp_path, charter):
    """Routed rows get `partenaires`, codes joined by « | » (empty when none); JSON rows get a list."""
    source = tmp_path / "in.csv"
    source.write_text("aide,enfants,stade\noui,2,aucune\noui,0,assignation\nnon,0,aucune\n", encoding="utf-8")
    route_file(charter, source, tmp_path / "out.csv", rejects=tmp_path / "rejets.csv")
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["service"], r["partenaires"]) for r in rows] == [("CAF", "ADIL"), ("DEP", "CCAPEX|ADIL|CAF"),
                                                                ("DEP", "CAF")]
    lines = tmp_path / "in.jsonl"
    lines.write_text('{"aide": true, "enfants": 2, "stade": "aucune"}\n', encoding="utf-8")
    route_file(charter, lines, tmp_path / "out.jsonl", rejects=tmp_path / "rejets.jsonl")
    routed = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert routed["partenaires"] == ["ADIL"]


def test_no_partners_column_without_partners(tmp_path, fiche):
    """A charter naming no partner keeps today's columns."""
    source = tmp_path / "in.csv"
    source.write_text("enfants_a_charge,aide_au_logement,stade_procedure,connu_services_sociaux\n2,oui,aucune,non\n",
                      encoding="utf-8")
    route_file(fiche, source, tmp_path / "out.csv", rejects=tmp_path / "rejets.csv")
    header = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",service,regle")
    assert fiche.route({"enfants_a_charge": 2, "aide_au_logement": "oui", "stade_procedure": "aucune",
                        "connu_services_sociaux": "non"}).partners == ()


def test_the_secretariat_form_names_the_partners(charter):
    """The form's answer shows the partners to inform with their labels."""
    from repartition.service.form import answer

    html = answer(charter, {"aide": "oui", "enfants": "2", "stade": "commandement"}).html
    assert 'En lien avec : <strong class="partenaires">CCAPEX — CCAPEX</strong>' in html
