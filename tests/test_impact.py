"""Impact of a charter change on a file: counts per (old → new) service and unit, movers, both reading paths alike."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pytest

import repartition
from repartition.cli import main
from repartition.impact import measure
from repartition.render.flow import flow_svg

from conftest import POLICIES, ROOT
from optional import need

FICHE = POLICIES / "dispositif-repartition.regles"
SAMPLE = ROOT / "samples" / "signalements.csv"


@pytest.fixture
def versions(tmp_path):
    """The fiche 3-4 charter, and a version whose judicial procedure starts at the judgement."""
    new = tmp_path / "nouvelle.regles"
    new.write_text(FICHE.read_text(encoding="utf-8").replace("est au moins assignation", "est au moins jugement"),
                   encoding="utf-8")
    return repartition.load_charter(FICHE), repartition.load_charter(new, verify=False), new


def _recount(old, new, path) -> dict:
    """Counts made here, household by household, with Charter.route."""
    found: dict = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle, delimiter=";"):
            pair = []
            for charter in (old, new):
                try:
                    pair.append(charter.route(record).service)
                except repartition.RepartitionError:
                    pair.append(None)
            found[tuple(pair)] = found.get(tuple(pair), 0) + 1
    return found


def test_python_path_counts_like_routing_each_household(versions):
    """Per (old, new) service, the counts equal routing each household of the sample through both versions."""
    old, new, _ = versions
    impact = measure(old, new, SAMPLE, engine="python")
    by_service = {}
    for (a, b), n in impact.counts.items():
        by_service[a.service, b.service] = by_service.get((a.service, b.service), 0) + n
    assert by_service == _recount(old, new, SAMPLE)
    assert impact.total == 300 and impact.moving == 10


def test_duckdb_path_counts_alike(versions, tmp_path):
    """Through DuckDB, the sample (CSV, then as Parquet) gives the same counts and the same first movers."""
    duckdb = need("duckdb")
    old, new, _ = versions
    reference = measure(old, new, SAMPLE, engine="python", limit=7)
    fast = measure(old, new, SAMPLE, engine="duckdb", limit=7)
    assert fast.counts == reference.counts
    assert [m.identifier for m in fast.movers] == [m.identifier for m in reference.movers]
    parquet = tmp_path / "signalements.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{SAMPLE}', delim=';', header=true, all_varchar=true)) "
               f"TO '{parquet}' (FORMAT parquet)")
    assert measure(old, new, parquet, engine="duckdb").counts == reference.counts
    assert measure(old, new, parquet, engine="python").counts == reference.counts


def test_units_and_rules_behind_each_move(tmp_path):
    """Counts per unit (territorial unit of the departmental charter) and the rules behind each move."""
    old = repartition.load_charter(POLICIES / "exemple-departemental.regles")
    text = (POLICIES / "exemple-departemental.regles").read_text(encoding="utf-8")
    changed = tmp_path / "exemple-departemental.regles"
    changed.write_text(text.replace("la dette locative est au moins 6 fois", "la dette locative est au moins 4 fois"),
                       encoding="utf-8")
    for table in ("communes-ccas.csv", "unites-territoriales.csv"):
        (tmp_path / table).write_bytes((POLICIES / table).read_bytes())
    new = repartition.load_charter(changed, verify=False)
    rows = tmp_path / "menages.jsonl"
    base = {"commune": "96178", "date_signalement": "2026-08-19", "stade_procedure": "commandement_de_payer",
            "type_bailleur": "prive", "enfants_a_charge": 0, "aide_au_logement": False,
            "prestations_familiales": False, "connu_services_sociaux": True, "loyer_mensuel": "500"}
    households = [{**base, "identifiant": f"M{i}", "dette_locative": str(debt)}
                  for i, debt in enumerate((1000, 2000, 2500, 3000, 3500))]
    rows.write_text("".join(json.dumps(h) + "\n" for h in households), encoding="utf-8")
    impact = measure(old, new, rows)
    assert impact.engine == "python"  # JSON Lines are read by the batch reader
    assert impact.moving == 2 and [m.identifier for m in impact.movers] == ["M1", "M2"]
    (change,) = [k for k in impact.rules_behind()]
    assert change == ("ADIL", "DEPARTEMENT")
    assert impact.rules_behind()[change] == {("Commandement de payer dans le parc privé",
                                              "Dette d'au moins six mois de loyer"): 2}
    unit = "MDS des Coteaux et des Vignes"  # commune 96178's territorial unit
    assert impact.by_unit() == {(("ADIL", None), ("DEPARTEMENT", unit)): 2,
                                (("DEPARTEMENT", unit), ("DEPARTEMENT", unit)): 2}
    document = impact.to_dict()
    assert document["changent"] == 2 and document["deplaces"][0]["regle_nouvelle"] == \
        "Dette d'au moins six mois de loyer"


def test_flow_picture_is_proportional_svg():
    """The flow picture is SVG, one band per flow, labels with their counts, wider bands for more households."""
    svg = flow_svg({("CAF", "CAF"): 30, ("DEPARTEMENT", "CAF"): 10, ("DEPARTEMENT", "DEPARTEMENT"): 60})
    root = ET.fromstring(svg)
    paths = root.findall("{http://www.w3.org/2000/svg}path")
    assert len(paths) == 3
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "DEPARTEMENT (70)" in texts and "CAF (40)" in texts
    bars = {float(r.get("height")) for r in root.iter("{http://www.w3.org/2000/svg}rect")}
    assert max(bars) / min(bars) == pytest.approx(70 / 30, rel=0.01)


def test_comparer_donnees_command(versions, capsys):
    """`comparer --donnees` prints the counts in French (exit 1: households move) or as JSON."""
    _, _, new = versions
    assert main(["comparer", str(FICHE), str(new), "--donnees", str(SAMPLE), "--premiers", "2",
                 "--moteur", "python"]) == 1
    out = capsys.readouterr().out
    assert "10 ménage(s) changent de service." in out and "DEPARTEMENT → CAF : 10" in out
    assert "« Procédure judiciaire » → « Familles allocataires »" in out
    assert main(["comparer", str(FICHE), str(new), "--donnees", str(SAMPLE), "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["menages"] == 300 and len(document["deplaces"]) == 10
    assert main(["comparer", str(FICHE), str(FICHE), "--donnees", str(SAMPLE), "--moteur", "python"]) == 0


def test_documenter_writes_the_effect_page(versions, tmp_path, capsys):
    """`documenter --ancienne … --donnees …` writes the effect page with its flow picture."""
    _, _, new = versions
    main(["documenter", str(new), "-o", str(tmp_path / "doc"), "--ancienne", str(FICHE), "--donnees", str(SAMPLE)])
    page = (tmp_path / "doc" / "nouvelle-effet.html").read_text(encoding="utf-8")
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="repartition-flux"' in page
    assert "10 changent de service" in page
    assert main(["documenter", str(new), "-o", str(tmp_path / "d2"), "--donnees", str(SAMPLE)]) == 2
