"""`repartition.service.create_app` in process: limits, CORS when asked, households the charter does not route,
the log's options, mounting in another ASGI application, and the form's answers."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

import repartition
from repartition.service import create_app

from conftest import FICHE, ROOT

HOUSEHOLD = {"enfants_a_charge": 2, "aide_au_logement": True, "stade_procedure": "assignation",
             "connu_services_sociaux": False}
GAP = """charte « Lacune »
version 1
services
  A : « a »
  B : « b »
données du ménage
  n [n] : nombre entier
  p [p] : oui ou non, peut être inconnu
règle « Petits »
  si n est au plus 5
  alors A
règle « Grands »
  si n est au moins 10 et p
  alors B
"""


def _call(app, method: str, path: str, **options) -> httpx.Response:
    async def call():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service") as client:
            return await client.request(method, path, **options)

    return asyncio.run(call())


def test_body_and_batch_limits():
    """Past the size or the batch limit: 413 with a JSON error naming the limit; at the limit: served."""
    app = create_app(FICHE, reload_interval=0, max_body=600, max_batch=2)
    response = _call(app, "POST", "/orienter", content=b" " * 601 + b"{}")
    assert response.status_code == 413
    assert response.json() == {"erreur": "trop_grand", "message": "requête trop grande : au plus 600 octets",
                               "champ": None, "valeur": None, "attendu": None, "limite": 600}
    assert _call(app, "POST", "/orienter/lot", json=[HOUSEHOLD] * 2).status_code == 200
    response = _call(app, "POST", "/orienter/lot", json=[HOUSEHOLD] * 3)
    assert response.status_code == 413 and response.json()["erreur"] == "lot_trop_grand"
    assert "au plus 2 ménages" in response.json()["message"]


def test_a_body_without_length_is_cut_at_the_limit():
    """A streamed body (no Content-Length) is refused as soon as it passes the limit."""
    app = create_app(FICHE, reload_interval=0, max_body=1000)

    async def chunks():
        for _ in range(100):
            yield b" " * 100

    response = _call(app, "POST", "/orienter", content=chunks())
    assert response.status_code == 413


def test_cors_only_for_the_origins_given():
    """With `cors_origins`, that origin may read answers (and the sha256 header); others may not."""
    app = create_app(FICHE, reload_interval=0, cors_origins=["https://ccapex.example"])
    allowed = _call(app, "POST", "/orienter", json=HOUSEHOLD, headers={"origin": "https://ccapex.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://ccapex.example"
    assert "x-charte-sha256" in allowed.headers["access-control-expose-headers"]
    other = _call(app, "POST", "/orienter", json=HOUSEHOLD, headers={"origin": "https://ailleurs.example"})
    assert "access-control-allow-origin" not in other.headers


def test_households_the_charter_does_not_route():
    """A charter served without proof: a gap or an undetermined case is 422 `non_oriente` with its kind and
    rules, alone or in a batch, and is logged; the proven bundled charters never give one."""
    charter = repartition.Charter.from_text(GAP, name="lacune.regles", verify=False)
    app = create_app(charter)
    response = _call(app, "POST", "/orienter", json={"n": 7, "p": True})
    assert response.status_code == 422
    assert response.json() == {
        "erreur": "non_oriente", "message": "lacune : aucune règle ne s'applique et la charte n'a pas de règle par "
        "défaut", "champ": None, "valeur": None, "attendu": None, "code": "non_oriente", "nature": "lacune",
        "regles": [], "services": []}
    items = _call(app, "POST", "/orienter/lot", json=[{"n": 11, "p": None}, {"n": 1}]).json()
    assert items[0]["erreur"]["nature"] == "indetermination" and items[0]["erreur"]["regles"] == ["Grands"]
    assert items[1]["erreur"]["code"] == "champ_absent"


def test_log_options(tmp_path):
    """Without facts, a line keeps the digest but no `faits`; synced lines are there when the answer is;
    a refusal is logged with its kind."""
    journal = tmp_path / "journal.jsonl"
    charter = repartition.Charter.from_text(GAP, name="lacune.regles", verify=False)
    app = create_app(charter, journal=journal, journal_facts=False, journal_sync=True)
    _call(app, "POST", "/orienter", json={"n": 2, "p": False}, headers={"x-request-id": "r1"})
    _call(app, "POST", "/orienter", json={"n": 7, "p": False}, headers={"x-request-id": "r2"})
    _call(app, "POST", "/orienter", json={"n": "x"}, headers={"x-request-id": "r3"})  # unreadable: not logged
    first, second = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    assert first["requete"] == "r1" and first["service"] == "A" and first["regle"] == "Petits"
    assert "faits" not in first and len(first["empreinte"]) == 64
    assert first["charte"] == {"version": "1", "sha256": charter.sha256}
    assert second == {**second, "requete": "r2", "service": None, "erreur": "non_oriente", "nature": "lacune",
                      "regles": []}


def test_an_unwritable_log_is_a_french_error(tmp_path):
    with pytest.raises(repartition.RepartitionError, match="journal .* impossible à ouvrir : fichier introuvable"):
        create_app(FICHE, journal=tmp_path / "absent" / "journal.jsonl")


def test_mounted_in_another_application():
    """Under a prefix, every endpoint answers and the form finds its stylesheet by a relative address."""
    parent = Starlette(routes=[Mount("/repartition", app=create_app(FICHE, reload_interval=0))])
    assert _call(parent, "POST", "/repartition/orienter", json=HOUSEHOLD).json()["service"] == "DEPARTEMENT"
    page = _call(parent, "GET", "/repartition/")
    assert 'href="static/formulaire.css"' in page.text
    assert _call(parent, "GET", "/repartition/static/formulaire.css").headers["content-type"].startswith("text/css")


def test_the_form_reports_every_bad_field_and_keeps_what_was_typed():
    """A submitted form with two bad fields: 422, both errors next to their field, values kept; a good one:
    the decision with service, rule and its text, facts and explanation."""
    app = create_app(FICHE, reload_interval=0)
    page = _call(app, "POST", "/", data={"enfants_a_charge": "deux", "stade_procedure": "assignation",
                                         "connu_services_sociaux": "non"})
    assert page.status_code == 422
    assert '<p class="erreur" id="erreur-enfants_a_charge">Valeur « deux » invalide : attendu un nombre entier' in page.text
    assert '<p class="erreur" id="erreur-aide_au_logement">À renseigner.</p>' in page.text
    assert 'value="deux"' in page.text and '<option value="assignation" selected>' in page.text
    page = _call(app, "POST", "/", data={"enfants_a_charge": "2", "aide_au_logement": "oui",
                                         "stade_procedure": "assignation", "connu_services_sociaux": "non"})
    assert page.status_code == 200
    assert 'data-service="DEPARTEMENT"' in page.text and "« Procédure judiciaire »" in page.text
    assert "L&#x27;ensemble des ménages en procédure judiciaire" in page.text
    assert "<dt>stade de la procédure</dt><dd>assignation</dd>" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")


def test_servir_says_in_french_what_stops_it(capsys, tmp_path):
    """A charter that cannot be read, a bad option, a missing `service` extra: French, exit code 2."""
    from unittest import mock

    from repartition.cli import main

    assert main(["servir", "--charte", str(tmp_path / "absente.regles")]) == 2
    assert "impossible de lire la charte" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        main(["servir", "--charte", str(FICHE), "--intervalle", "-1"])
    assert stopped.value.code == 2 and "attendu un nombre de secondes" in capsys.readouterr().err
    with mock.patch("importlib.util.find_spec", return_value=None):
        assert main(["servir", "--charte", str(FICHE)]) == 2
    assert "installez l'option « service » : pip install 'repartition[service]'" in capsys.readouterr().err


def test_an_untouched_list_is_to_be_filled_an_empty_box_is_unknown():
    """In the form, a yes/no or a list left alone is never taken as « inconnu »: it must be chosen; an
    empty box of a field that may be unknown is unknown, as its hint says."""
    from repartition.service.form import household_from

    charter = repartition.load_charter(repartition.bundled_charter("exemple-departemental.regles"))
    household = household_from(charter, {"aide_au_logement": "?", "type_bailleur": "", "loyer_mensuel": " "})
    assert household["aide_au_logement"] is None and household["loyer_mensuel"] is None
    assert "type_bailleur" not in household and "regime" not in household  # to choose; its default


def test_partners_in_the_answers_and_the_form_as_to_dict_gives_them():
    """A decision with partners: `/orienter`, `/orienter/lot` and the form name them as `to_dict()` does."""
    path = ROOT / "docs" / "exemples" / "partenaires.regles"
    app = create_app(path, reload_interval=0)
    household = {"aide_au_logement": True, "enfants": 2, "stade_procedure": "assignation"}
    expected = repartition.load_charter(path).route(household).to_dict()
    assert expected["partenaires"] == ["ADIL", "CCAPEX"]
    assert _call(app, "POST", "/orienter", json=household).json() == expected
    assert _call(app, "POST", "/orienter/lot", json=[household]).json() == [{"ligne": 1, "decision": expected}]
    page = _call(app, "POST", "/", data={"aide_au_logement": "oui", "enfants": "2", "stade_procedure": "assignation"})
    assert page.status_code == 200
    assert ('<p>En lien avec : <strong class="partenaires">ADIL — Information juridique par l&#x27;ADIL, '
            'CCAPEX — Secrétariat de la CCAPEX</strong></p>') in page.text
