"""Tests of validity dates: the version of a charter in force at a date, chosen among a folder's files."""

from __future__ import annotations

import datetime
import json

import pytest

import repartition
from repartition import RepartitionError
from repartition.cli import main
from repartition.versions import load_charter, periods

from conftest import FICHE

_HOUSEHOLD = {"enfants_a_charge": 2, "aide_au_logement": True,
              "stade_procedure": "commandement_de_payer", "connu_services_sociaux": False}


def _version(folder, name, version, validity, judicial_from="assignation"):
    text = FICHE.read_text(encoding="utf-8")
    text = text.replace("version 2018.1\nen vigueur à partir du 1er janvier 2018",
                        f"version {version}\n{validity}")
    text = text.replace("le stade de la procédure est au moins assignation",
                        f"le stade de la procédure est au moins {judicial_from}")
    # The examples of the fiche would fail once the judicial procedure starts earlier.
    text = text[: text.index("exemple « Famille allocataire sans procédure »")]
    (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def folder(tmp_path):
    _version(tmp_path, "charte-2018.regles", "2018.1",
             "en vigueur du 1er janvier 2018 au 31 décembre 2025")
    _version(tmp_path, "charte-2026.regles", "2026.1", "en vigueur à partir du 1er janvier 2026",
             judicial_from="commandement de payer")
    return tmp_path


def test_the_version_in_force_is_chosen(folder):
    """Each date gets the version whose period covers it, last day included."""
    assert load_charter(folder, date="2025-12-31").version == "2018.1"
    assert load_charter(folder, date=datetime.date(2026, 1, 1)).version == "2026.1"
    assert load_charter(folder, date="27/11/2026").version == "2026.1"


def test_the_decision_names_the_version_used(folder):
    """Routing with the chosen version says which version decided."""
    old = repartition.load_charter(folder, date="2020-06-01")
    new = repartition.load_charter(folder, date="2026-11-27")
    assert old.route(_HOUSEHOLD).service == "CAF"
    decision = new.route(_HOUSEHOLD)
    assert decision.service == "DEPARTEMENT"
    assert decision.to_dict()["charte"]["version"] == "2026.1"


def test_no_version_in_force(folder):
    """A date before every version is an error listing the versions and their periods."""
    with pytest.raises(RepartitionError) as error:
        load_charter(folder, date="2017-06-01")
    message = str(error.value)
    assert "aucune version de la charte" in message and "le 1er juin 2017" in message
    assert "charte-2018.regles (en vigueur du 1er janvier 2018 au 31 décembre 2025)" in message


def test_overlapping_versions(folder):
    """Two versions both in force at the date are an error naming both."""
    _version(folder, "charte-2026-bis.regles", "2026.2", "en vigueur du 1er juin 2026 au 31/12/2026")
    assert load_charter(folder, date="2026-05-31").version == "2026.1"
    with pytest.raises(RepartitionError, match="plusieurs versions de la charte .* le 27 novembre 2026 : "
                       "charte-2026-bis.regles .*et charte-2026.regles"):
        load_charter(folder, date="2026-11-27")


def test_a_single_file_must_be_in_force(folder):
    """Given one file and a date outside its period, loading fails and says the period."""
    assert load_charter(folder / "charte-2018.regles", date="2019-01-01").version == "2018.1"
    with pytest.raises(RepartitionError, match=r"n'est pas en vigueur le 1er janvier 2026"):
        repartition.load_charter(folder / "charte-2018.regles", date="2026-01-01")


def test_bad_date_and_empty_folder(tmp_path):
    """A date that does not read, or a folder without charters, is a clear French error."""
    with pytest.raises(RepartitionError, match="date « 31/02/2026 » invalide"):
        load_charter(FICHE, date="31/02/2026")
    with pytest.raises(RepartitionError, match="date « 31/02/2026 » invalide"):  # said before any loading
        load_charter(tmp_path / "absente.regles", date="31/02/2026")
    with pytest.raises(RepartitionError, match="ne contient aucune charte"):
        load_charter(tmp_path, date="2026-01-01")


def test_bad_date_in_a_header_reads_as_in_a_single_file(tmp_path):
    """A header date that does not exist: the same located message in a folder as for the file alone."""
    text = FICHE.read_text(encoding="utf-8").replace("à partir du 1er janvier 2018", "du 31 février 2018 au 31 décembre 2030")
    (tmp_path / "charte.regles").write_text(text, encoding="utf-8")
    with pytest.raises(RepartitionError) as alone:
        load_charter(tmp_path / "charte.regles")
    with pytest.raises(RepartitionError) as in_folder:
        load_charter(tmp_path, date="2026-01-01")
    assert "date invalide « 31 février 2018 » : attendu une date" in str(in_folder.value)
    assert str(in_folder.value).splitlines()[1:] == str(alone.value).splitlines()[1:]


def test_periods_are_read_from_headers(folder):
    """The periods come from the files' headers, in file-name order."""
    found = [(p.path.name, p.version, p.describe()) for p in periods(folder)]
    assert found == [
        ("charte-2018.regles", "2018.1", "en vigueur du 1er janvier 2018 au 31 décembre 2025"),
        ("charte-2026.regles", "2026.1", "en vigueur à partir du 1er janvier 2026"),
    ]


def test_orienter_with_a_folder_and_a_date(folder, capsys):
    """`orienter --charte DOSSIER --date` routes with the version in force and names it."""
    household = json.dumps(_HOUSEHOLD)
    assert main(["orienter", "--charte", str(folder), "--date", "2026-11-27", "--menage", household,
                 "--json"]) == 0
    decision = json.loads(capsys.readouterr().out)
    assert decision["charte"]["version"] == "2026.1" and decision["service"] == "DEPARTEMENT"
    assert main(["orienter", "--charte", str(folder), "--date", "2017-01-01", "--menage", household]) == 2
    assert "aucune version de la charte" in capsys.readouterr().err


def test_a_file_not_in_utf8_is_located(folder):
    """A folder file that is not UTF-8 is an error naming the file and the line of the bad byte."""
    (folder / "charte-latin1.regles").write_bytes(b"charte A\nversion 1\n# \xe9t\xe9\n")
    with pytest.raises(RepartitionError,
                       match=r"charte-latin1\.regles:3:3: erreur : le fichier n.est pas en UTF-8 \(octet 0xE9"):
        periods(folder)
