"""Hot reload of the real service: a good new version replaces the old one atomically, a broken one is refused
(the old one keeps serving and /sante shows why, in French), for a rule file, a table and a folder of versions."""

from __future__ import annotations

import shutil

import pytest

import repartition

from conftest import FICHE, POLICIES
from servers import Server, wait_until

pytestmark = pytest.mark.slow

HOUSEHOLD = {"enfants_a_charge": 2, "aide_au_logement": True, "stade_procedure": "commandement_de_payer",
             "connu_services_sociaux": False}
BROKEN_LINE = "règle « Cassée »\n  si les enfants à charge sont au moins\n  alors CAF\n"


def _version(text: str, version: str) -> str:
    return text.replace("version 2018.1", f"version {version}")


def _sha256(http) -> str:
    return http.get("/sante").json()["charte"]["sha256"]


def test_a_good_version_then_a_broken_one_then_a_good_one(tmp_path):
    """Good: swapped in, every answer names it. Broken: refused with its located French errors, the last
    good one keeps answering. Good again: swapped in, the refusal forgotten."""
    path = tmp_path / "charte.regles"
    original = FICHE.read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    first = repartition.load_charter(path)
    with Server("--charte", path, "--intervalle", "0.1") as server, server.client() as http:
        assert http.post("/orienter", json=HOUSEHOLD).json()["service"] == "CAF"
        # A new version: families with children now go to the Département.
        path.write_text(_version(original, "2018.2").replace("alors CAF", "alors DEPARTEMENT")
                        .replace("attendu CAF", "attendu DEPARTEMENT"), encoding="utf-8")
        second = repartition.load_charter(path)
        wait_until(lambda: _sha256(http) == second.sha256)
        response = http.post("/orienter", json=HOUSEHOLD)
        assert response.json()["service"] == "DEPARTEMENT"
        assert response.headers["x-charte-sha256"] == second.sha256
        assert response.json()["charte"]["version"] == "2018.2"
        health = http.get("/sante").json()
        assert health["rechargements"] == 1 and health["refusee"] is None

        path.write_text(_version(original, "2018.3") + BROKEN_LINE, encoding="utf-8")
        refused = wait_until(lambda: http.get("/sante").json()["refusee"])
        health = http.get("/sante").json()
        assert health["statut"] == "nouvelle_version_refusee" and health["charte"]["sha256"] == second.sha256
        assert refused["fichiers"] == [str(path)]
        assert any(f"{path}:" in error and "erreur" in error for error in refused["erreurs"])
        response = http.post("/orienter", json=HOUSEHOLD)
        assert response.status_code == 200 and response.headers["x-charte-sha256"] == second.sha256
        assert response.json()["service"] == "DEPARTEMENT"

        path.write_text(_version(original, "2018.4"), encoding="utf-8")
        fourth = repartition.load_charter(path)
        wait_until(lambda: _sha256(http) == fourth.sha256)
        assert http.get("/sante").json()["refusee"] is None
        assert http.post("/orienter", json=HOUSEHOLD).json()["charte"]["version"] == "2018.4"
        assert first.sha256 not in {second.sha256, fourth.sha256}


def test_an_unproven_version_is_refused_with_its_proof_problems(tmp_path):
    """A version that loads but leaves a gap is not served: /sante names the gap."""
    path = tmp_path / "charte.regles"
    original = FICHE.read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    with Server("--charte", path, "--intervalle", "0.1") as server, server.client() as http:
        start = _sha256(http)
        gap = original[:original.index("règle « Autres ménages »")]  # no default rule, nor what follows
        path.write_text(gap, encoding="utf-8")
        refused = wait_until(lambda: http.get("/sante").json()["refusee"])
        assert any("lacune" in error for error in refused["erreurs"])
        assert _sha256(http) == start


def test_a_changed_table_is_reloaded(tmp_path):
    """The unit table changes: the new unit is served, under the new sha256."""
    folder = tmp_path / "charte"
    shutil.copytree(POLICIES, folder)
    path = folder / "exemple-departemental.regles"
    household = {"commune": "96003", "date_signalement": "2026-03-02", "stade_procedure": "assignation",
                 "type_bailleur": "prive", "enfants_a_charge": 2, "aide_au_logement": True,
                 "prestations_familiales": True, "connu_services_sociaux": True, "dette_locative": 3000,
                 "loyer_mensuel": 500}
    with Server("--charte", path, "--intervalle", "0.1") as server, server.client() as http:
        assert http.post("/orienter", json=household).json()["unite"] == "MDS du Nord-Forêt"
        table = folder / "unites-territoriales.csv"
        table.write_text(table.read_text(encoding="utf-8").replace("96003,Aigrefeuille-la-Montagne,MDS du Nord-Forêt",
                                                                   "96003,Aigrefeuille-la-Montagne,MDS du Bocage"),
                         encoding="utf-8")
        renewed = repartition.load_charter(path)
        wait_until(lambda: _sha256(http) == renewed.sha256)
        assert http.post("/orienter", json=household).json()["unite"] == "MDS du Bocage"


def test_a_folder_of_versions(tmp_path):
    """Each request gets the version in force at its date; a broken new file in the folder is refused as a
    whole (the versions served stay), a good one is added."""
    folder = tmp_path / "versions"
    folder.mkdir()
    original = FICHE.read_text(encoding="utf-8")
    old = original.replace("en vigueur à partir du 1er janvier 2018",
                           "en vigueur du 1er janvier 2018 au 31 décembre 2025")
    (folder / "2018.regles").write_text(old, encoding="utf-8")
    with Server("--charte", folder, "--intervalle", "0.1") as server, server.client() as http:
        assert [v["version"] for v in http.get("/sante").json()["versions"]] == ["2018.1"]
        assert http.post("/orienter?date=2026-01-02", json=HOUSEHOLD).json()["erreur"] == "hors_vigueur"
        new = _version(original, "2026.1").replace("en vigueur à partir du 1er janvier 2018",
                                                   "en vigueur à partir du 1er janvier 2026")
        (folder / "2026.regles").write_text(new + BROKEN_LINE, encoding="utf-8")
        wait_until(lambda: http.get("/sante").json()["refusee"])
        assert [v["version"] for v in http.get("/sante").json()["versions"]] == ["2018.1"]
        (folder / "2026.regles").write_text(new, encoding="utf-8")
        wait_until(lambda: len(http.get("/sante").json()["versions"]) == 2)
        assert http.get("/sante").json()["refusee"] is None
        assert http.post("/orienter?date=2020-05-01", json=HOUSEHOLD).json()["charte"]["version"] == "2018.1"
        assert http.post("/orienter?date=2026-05-01", json=HOUSEHOLD).json()["charte"]["version"] == "2026.1"
        assert http.post("/orienter", json=HOUSEHOLD).json()["charte"]["version"] == "2026.1"  # today
        assert http.get("/charte?date=2019-01-01").json()["version"] == "2018.1"
