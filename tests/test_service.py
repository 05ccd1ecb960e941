"""`repartition servir` for real (uvicorn on 127.0.0.1, real HTTP): decisions as the Python API gives them,
batches, errors as JSON, the charter and its schema, OpenAPI, health, the decision log, no CORS."""

from __future__ import annotations

import json
import sys
import threading

import httpx
import jsonschema
import pytest

import repartition
from repartition.schema import charter_description, household_schema
from repartition.service.journal import input_digest

from conftest import POLICIES, ROOT
from servers import Server

if str(ROOT) not in sys.path:  # `benchmarks/` is a folder of the checkout, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_routing import as_json  # noqa: E402
from benchmarks.households import departemental_households  # noqa: E402

pytestmark = pytest.mark.slow

CHARTER_FILE = POLICIES / "exemple-departemental.regles"
CHARTER = repartition.load_charter(CHARTER_FILE)
GOOD = {"commune": "96011", "date_signalement": "2026-03-02", "stade_procedure": "assignation",
        "type_bailleur": "prive", "enfants_a_charge": 2, "aide_au_logement": True,
        "prestations_familiales": True, "connu_services_sociaux": False, "dette_locative": 3000.5,
        "loyer_mensuel": 500}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The departmental charter served with a decision log."""
    journal = tmp_path_factory.mktemp("journal") / "decisions.jsonl"
    with Server("--charte", CHARTER_FILE, "--journal", journal) as server:
        server.journal = journal
        yield server


@pytest.fixture
def http(served):
    with served.client() as client:
        yield client


def _expected(household) -> tuple[int, dict]:
    """What the Python API says of a household, as the service must say it."""
    try:
        return 200, CHARTER.route(household).to_dict()
    except repartition.InvalidHousehold as error:
        return 422, {"erreur": "invalide", "message": error.diagnostic.message, "champ": error.field,
                     "valeur": error.value, "attendu": dict(error.expected), "code": error.code}


def test_decisions_are_the_python_apis(http):
    """Generated households (some invalid): each answer is the Python API's, status included, and names the
    sha256 it used; the request id given comes back."""
    households = [as_json(CHARTER, row) for row in departemental_households(200, seed=14)]
    households += [{**GOOD, "enfants_a_charge": 21}, {**GOOD, "dette_locative": "12,345"}, {**GOOD, "regime": None}]
    statuses = set()
    for number, household in enumerate(households):
        response = http.post("/orienter", json=household, headers={"x-request-id": f"essai-{number}"})
        status, body = _expected(household)
        assert (response.status_code, response.json()) == (status, body)
        assert response.headers["x-charte-sha256"] == CHARTER.sha256
        assert response.headers["x-request-id"] == f"essai-{number}"
        assert response.headers["content-type"] == "application/json"
        statuses.add(status)
    assert statuses == {200, 422}


def test_dated_requests_and_their_errors(http):
    """?date= picks the version in force; outside its validity, or unreadable, a JSON error."""
    assert http.post("/orienter?date=2026-06-30", json=GOOD).json() == CHARTER.route(GOOD).to_dict()
    response = http.post("/orienter?date=2025-12-31", json=GOOD)
    assert response.status_code == 422 and response.json()["erreur"] == "hors_vigueur"
    assert "n'est pas en vigueur le 31 décembre 2025" in response.json()["message"]
    response = http.post("/orienter?date=31-12-2025", json=GOOD)
    assert response.status_code == 400 and response.json()["erreur"] == "date_invalide"


@pytest.mark.parametrize("body, status, code, message", [
    (b"{\"commune\": ", 400, "json_invalide", "JSON illisible"),
    (b"{\"dette_locative\": NaN}", 400, "json_invalide", "n'est pas une valeur JSON"),
    (b"\xff\xfe", 400, "json_invalide", "JSON illisible"),
    (b"[1, 2]", 422, "invalide", "illisible, attendu un objet"),
])
def test_unreadable_bodies(http, body, status, code, message):
    """A body that is no JSON object gets a JSON error with its French reason, never a stack trace."""
    response = http.post("/orienter", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    error = response.json()
    assert error["erreur"] == code and message in error["message"]
    assert {"erreur", "message", "champ", "valeur", "attendu"} <= set(error)
    assert "Traceback" not in response.text


def test_unknown_paths_and_methods_answer_json(http):
    """404 and 405 are JSON errors in French, naming the sha256 served."""
    missing, wrong = http.get("/nulle-part"), http.get("/orienter")
    assert (missing.status_code, missing.json()["erreur"]) == (404, "introuvable")
    assert (wrong.status_code, wrong.json()["erreur"]) == (405, "methode_non_permise")
    assert missing.headers["x-charte-sha256"] == CHARTER.sha256


def test_a_batch_gives_one_result_per_item_in_order(http):
    """A JSON array: decisions and structured errors, in order; one bad item fails only itself."""
    households = [GOOD, {**GOOD, "enfants_a_charge": -1}, "pas un ménage", {**GOOD, "commune": "96003"}]
    response = http.post("/orienter/lot", json=households)
    assert response.status_code == 200 and response.headers["x-charte-sha256"] == CHARTER.sha256
    items = response.json()
    assert [item["ligne"] for item in items] == [1, 2, 3, 4]
    assert items[0] == {"ligne": 1, "decision": CHARTER.route(GOOD).to_dict()}
    assert items[1]["erreur"] == _expected(households[1])[1]
    assert items[2]["erreur"]["code"] == "menage_illisible"
    assert items[3]["decision"] == CHARTER.route(households[3]).to_dict()


def test_json_lines_in_json_lines_out(http):
    """JSON Lines: results by line number (blank lines kept in the count), a malformed line is its own error."""
    body = "\n".join([json.dumps(GOOD), "", "{\"commune\": ", json.dumps({**GOOD, "stade_procedure": "jugement"})])
    response = http.post("/orienter/lot", content=body.encode(), headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/x-ndjson"
    items = [json.loads(line) for line in response.text.splitlines()]
    assert [item["ligne"] for item in items] == [1, 3, 4]
    assert items[0]["decision"]["service"] == CHARTER.route(GOOD).service
    assert items[1]["erreur"]["erreur"] == "json_invalide"
    assert "decision" in items[2]


def test_a_batch_that_is_no_array_is_refused(http):
    response = http.post("/orienter/lot", json={"commune": "96011"})
    assert response.status_code == 400 and response.json()["erreur"] == "json_invalide"


def test_charter_schema_and_openapi(http):
    """/charte describes the charter; /charte/schema is valid 2020-12 and is the one OpenAPI 3.1 embeds; the
    OpenAPI schemas of a decision, an error and a batch item validate real answers."""
    assert http.get("/charte").json() == json.loads(json.dumps(charter_description(CHARTER)))
    schema = http.get("/charte/schema")
    assert schema.headers["content-type"] == "application/schema+json"
    jsonschema.Draft202012Validator.check_schema(schema.json())
    assert schema.json() == household_schema(CHARTER)
    document = http.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1") and document["components"]["schemas"]["Menage"] == schema.json()
    jsonschema.Draft202012Validator.check_schema(document["components"]["schemas"]["Decision"])

    def check(name, instance):
        root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": f"#/components/schemas/{name}",
                "components": document["components"]}
        jsonschema.validate(instance, root, cls=jsonschema.Draft202012Validator)

    check("Menage", GOOD)
    check("Decision", http.post("/orienter", json=GOOD).json())
    check("Erreur", http.post("/orienter", json={**GOOD, "enfants_a_charge": 99}).json())
    for item in http.post("/orienter/lot", json=[GOOD, {}]).json():
        check("ElementLot", item)
    with pytest.raises(jsonschema.ValidationError):
        check("Menage", {**GOOD, "enfants_a_charge": 99})


def test_health(http, served):
    """/sante: status, the charter served and its files, its versions, reloads, no refusal, the log."""
    health = http.get("/sante").json()
    assert health["statut"] == "ok" and health["refusee"] is None and health["rechargements"] == 0
    assert health["charte"]["sha256"] == CHARTER.sha256
    assert health["charte"]["fichiers"] == [str(f) for f in CHARTER.files]
    assert [v["version"] for v in health["versions"]] == ["2026.1"]
    assert health["journal"] == str(served.journal)


def test_the_log_has_one_whole_line_per_decision_under_concurrency(served):
    """Concurrent single requests and batches: as many lines as decisions, each whole JSON with the request
    id, the charter, the rule, the facts and the digest of the input; errors of reading are not logged."""
    before = served.journal.read_bytes().count(b"\n")
    households = [as_json(CHARTER, row) for row in departemental_households(120, seed=3)]
    routed = [h for h in households if _expected(h)[0] == 200]
    answers: dict[str, dict] = {}

    def single(index: int) -> None:
        with served.client() as client:
            for number in range(index, len(routed), 8):
                identifier = f"c{index}-{number}"
                response = client.post("/orienter", json=routed[number], headers={"x-request-id": identifier})
                answers[identifier] = (routed[number], response.json())

    def batch() -> None:
        with served.client() as client:
            response = client.post("/orienter/lot", json=households, headers={"x-request-id": "lot"})
            assert sum("decision" in item for item in response.json()) == len(routed)

    threads = [threading.Thread(target=single, args=(i,)) for i in range(8)] + [threading.Thread(target=batch)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = served.journal.read_bytes().split(b"\n")[before:-1]
    entries = [json.loads(line) for line in lines]  # each line whole: no interleaving
    assert len(entries) == 2 * len(routed)
    singles = [e for e in entries if e["requete"] != "lot"]
    assert {e["requete"] for e in singles} == set(answers)
    for entry in singles:
        household, decision = answers[entry["requete"]]
        assert (entry["service"], entry["unite"], entry["regle"], entry["faits"]) == (
            decision["service"], decision["unite"], decision["regle"], decision["faits"])
        assert entry["charte"] == {"version": "2026.1", "sha256": CHARTER.sha256}
        assert entry["empreinte"] == input_digest(household) and "ligne" not in entry
    batch_lines = sorted(e["ligne"] for e in entries if e["requete"] == "lot")
    assert batch_lines == [n for n, h in enumerate(households, 1) if _expected(h)[0] == 200]


def test_loopback_only_and_no_cors_by_default(http, served):
    """It listens on 127.0.0.1 unless told otherwise, and lets no other origin's page read its answers."""
    assert served.url.startswith("http://127.0.0.1:")
    response = http.post("/orienter", json=GOOD, headers={"origin": "https://ailleurs.example"})
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers
    preflight = http.options("/orienter", headers={"origin": "https://ailleurs.example",
                                                   "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_the_port_in_use_is_a_french_error(served):
    """A second service on the same port says so in French and exits with 2."""
    import subprocess

    port = served.url.rsplit(":", 1)[1]
    done = subprocess.run([sys.executable, "-m", "repartition", "servir", "--charte", str(POLICIES / "dispositif-repartition.regles"),
                           "--port", port], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert f"servir : impossible d'écouter sur 127.0.0.1:{port} : le port est déjà utilisé" in done.stderr


def test_a_server_can_be_reached_by_httpx_async(served):
    """An asyncio client (as the load benchmark's) gets the same decision."""
    import asyncio

    async def ask():
        async with httpx.AsyncClient(base_url=served.url) as client:
            return (await client.post("/orienter", json=GOOD)).json()

    assert asyncio.run(ask()) == CHARTER.route(GOOD).to_dict()
