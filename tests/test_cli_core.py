"""The command line, in French: orienter with --menage, verifier, help texts and exit codes."""

from __future__ import annotations

import json

import pytest

from repartition.cli import main

from conftest import FICHE, ROOT

MENAGE = json.dumps({"enfants_a_charge": 2, "aide_au_logement": "oui",
                     "stade_procedure": "commandement_de_payer", "connu_services_sociaux": "non"})


def test_orienter_prints_decision(capsys):
    """`orienter --menage` prints the service, the rule and the French explanation."""
    assert main(["orienter", "--charte", str(FICHE), "--menage", MENAGE]) == 0
    out = capsys.readouterr().out
    assert "Service : CAF (Service social de la CAF)" in out
    assert "Règle : Familles allocataires" in out
    assert "Le ménage relève du service CAF" in out


def test_orienter_json(capsys):
    """`--json` prints the decision as JSON with French keys."""
    assert main(["orienter", "--charte", str(FICHE), "--menage", MENAGE, "--json"]) == 0
    decision = json.loads(capsys.readouterr().out)
    assert decision["service"] == "CAF" and decision["regle"] == "Familles allocataires"


def test_orienter_bad_json(capsys):
    """Malformed JSON in --menage is a French error with line and column, exit 2."""
    assert main(["orienter", "--charte", str(FICHE), "--menage", "{enfants: 2}"]) == 2
    assert "--menage : JSON illisible, colonne 2 : nom de donnée entre guillemets" in capsys.readouterr().err
    assert main(["orienter", "--charte", str(FICHE), "--menage", '{"a": 1,\n"b" 2}']) == 2
    assert "--menage : JSON illisible, ligne 2, colonne 5 : « : » attendu" in capsys.readouterr().err


@pytest.mark.parametrize("text, reason", [
    ("[1]", "un objet JSON { … } est attendu"),
    ('{"enfants_a_charge": NaN}', "« NaN » n'est pas une valeur JSON"),
    ('{"dette": 1e400}', "le nombre « 1e400 » est trop grand"),
])
def test_orienter_menage_must_be_one_json_object(capsys, text, reason):
    """--menage reads JSON as a JSON Lines file does: one object, finite numbers; else exit 2."""
    assert main(["orienter", "--charte", str(FICHE), "--menage", text]) == 2
    assert reason in capsys.readouterr().err


def test_orienter_invalid_household(capsys):
    """A household with a bad value is not routed: exit 1 and the field named."""
    bad = json.dumps({**json.loads(MENAGE), "stade_procedure": "expulsion"})
    assert main(["orienter", "--charte", str(FICHE), "--menage", bad]) == 1
    assert "stade_procedure" in capsys.readouterr().err


def test_verifier_valid_and_invalid(capsys):
    """`verifier` exits 0 on a valid charter and 2 with located errors on an invalid one."""
    assert main(["verifier", str(FICHE)]) == 0
    invalid = ROOT / "tests" / "corpus" / "invalid" / "donnee-inconnue.regles"
    assert main(["verifier", str(invalid)]) == 2
    err = capsys.readouterr().err
    assert "donnee-inconnue.regles:15:6" in err and "vouliez-vous dire" in err


def test_help_is_french(capsys):
    """`repartition --help` is in French."""
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage : repartition")
    assert "affiche cette aide et quitte" in out and "\ncommandes :\n" in out


def test_help_keeps_guillemets_with_their_words(capsys, monkeypatch):
    """However narrow the terminal, a line never ends on « nor starts with », and headings read « options : »."""
    monkeypatch.setenv("COLUMNS", "40")
    with pytest.raises(SystemExit):
        main(["orienter", "--help"])
    out = capsys.readouterr().out
    assert "«\u00a0service\u00a0»" in out and "\noptions :\n" in out
    assert not [line for line in out.splitlines() if line.rstrip().endswith("«") or line.lstrip().startswith("»")]


def test_missing_argument_is_french(capsys):
    """argparse's own errors are translated."""
    with pytest.raises(SystemExit) as caught:
        main(["orienter"])
    assert caught.value.code == 2
    assert "arguments obligatoires manquants" in capsys.readouterr().err


@pytest.mark.parametrize("command", [
    ["verifier"], ["tester"], ["code"], ["documenter", "-o", "doc"], ["comparer", str(FICHE)],
])
def test_commands_that_check_one_charter_refuse_a_folder(tmp_path, capsys, command):
    """A folder of versions given where one file is expected: exit 2, and the French message says why."""
    (tmp_path / "v1.regles").write_text(FICHE.read_text(encoding="utf-8"), encoding="utf-8")
    args = [*command[:1], str(tmp_path), *command[1:]]
    if command[0] == "documenter":
        args[-1] = str(tmp_path / "doc")
    assert main(args) == 2
    assert f"« {tmp_path} » est un dossier : indiquez le fichier (.regles) de la version voulue" in (
        capsys.readouterr().err)


def test_orienter_shows_the_unit(capsys):
    """With the departmental charter, `orienter --menage` names the territorial unit of the service."""
    charter = ROOT / "policies" / "exemple-departemental.regles"
    household = ('{"commune": "96001", "date_signalement": "2026-03-01", "stade_procedure": "jugement", '
                 '"type_bailleur": "prive", "enfants_a_charge": 0, "aide_au_logement": false, '
                 '"prestations_familiales": false, "connu_services_sociaux": true, "dette_locative": 100, '
                 '"loyer_mensuel": 500}')
    assert main(["orienter", "--charte", str(charter), "--menage", household]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("Service : DEPARTEMENT (Service social départemental) — unité : ")
