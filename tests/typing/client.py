"""A small client of repartition's public API, written as a department's developer would, type-checked
with `mypy --strict` by tests/test_typing.py: every name it uses must be fully typed."""

from __future__ import annotations

import json
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import repartition
from repartition import (Charter, CharterError, CharterNotProven, Decision, InvalidHousehold, NoDecision,
                         RepartitionError, ValidatedHousehold)
from repartition.errors import DIAGNOSTIC_CODES, HOUSEHOLD_CODES, Diagnostic
from repartition.schema import charter_description, expected, household_schema
from repartition.service import create_app


def describe(decision: Decision) -> dict[str, Any]:
    """What a department's system keeps of a decision."""
    facts: Mapping[str, object] = decision.facts
    indicators: Mapping[str, bool | None] = decision.indicators
    kept: dict[str, Any] = decision.to_dict()
    kept["rules"] = list(decision.rules) + list(decision.set_aside)
    kept["assumed"] = list(decision.assumed)
    kept["facts"] = dict(facts)
    kept["indicators"] = dict(indicators)
    unit: str | None = decision.unit
    reference: str | None = decision.reference
    kept["unit"], kept["reference"] = unit, reference
    label: str = decision.service_label
    text: str = decision.explanation
    kept["text"] = f"{decision.service} {label} {decision.rule}: {text}"
    sha256: str = decision.charter_sha256
    assert decision.charter.sha256 == sha256
    return kept


def route(charter: Charter, household: Mapping[str, object]) -> dict[str, Any]:
    """A decision, or the error as data."""
    try:
        return describe(charter.route(household))
    except InvalidHousehold as error:
        field: str | None = error.field
        wanted: Mapping[str, Any] = error.expected
        return {"code": error.code, "field": field, "value": error.value, "expected": dict(wanted),
                "text": error.expected_text, "missing": error.missing, "known": error.code in HOUSEHOLD_CODES}
    except NoDecision as error:
        rules: tuple[str, ...] = error.rules
        services: tuple[str, ...] = error.services
        return {"code": error.code, "kind": error.kind, "rules": list(rules), "services": list(services)}


def load(path: Path, sha256: str | None) -> Charter | list[str]:
    try:
        return repartition.load_charter(path, expected_sha256=sha256, date="2026-06-01", engine="compile")
    except CharterNotProven as error:
        return [f"{d.code}: {d.message}" for d in error.diagnostics] + [str(len(error.problems))]
    except CharterError as error:
        diagnostics: tuple[Diagnostic, ...] = error.diagnostics
        return [f"{d.code} ({DIAGNOSTIC_CODES.get(d.code, '')}): {d.render()}" for d in diagnostics]
    except RepartitionError as error:
        return [error.code, str(error)]


def main() -> None:
    path = repartition.bundled_charter("dispositif-repartition.regles")
    loaded = load(path, None)
    assert isinstance(loaded, Charter)
    charter: Charter = pickle.loads(pickle.dumps(loaded))
    files: tuple[Path, ...] = charter.files
    title: str = charter.title
    version: str | None = charter.version
    services: dict[str, str] = charter.services
    validated: ValidatedHousehold = charter.validate({"enfants_a_charge": 2, "aide_au_logement": True,
                                                      "stade_procedure": "assignation", "connu_services_sociaux": False})
    print(json.dumps(route(charter, {"enfants_a_charge": -1})), files, title, version, services)
    print(describe(charter.route(validated))["text"], [d.render() for d in charter.check_examples()])
    print([(f.machine, f.label, expected(f)) for f in charter.fields], [r.name for r in charter.rules])
    schema: dict[str, Any] = household_schema(charter)
    summary: dict[str, Any] = charter_description(charter)
    print(schema["required"], summary["titre"])
    app = create_app(path, journal=None, reload_interval=0, max_batch=100, cors_origins=("https://ccapex.example",))
    print(app.routes)


if __name__ == "__main__":
    main()
