"""`repartition orienter`: route one household given as JSON and print the decision."""

from __future__ import annotations

import argparse
import json
import sys

from ..charter import load_charter
from ..errors import InvalidHousehold, NoDecision


def register(commands) -> None:
    parser = commands.add_parser(
        "orienter", help="oriente un ménage vers un service",
        description="Oriente un ménage (donné en JSON) selon la charte et explique la décision.")
    parser.add_argument("--charte", required=True, metavar="FICHIER", help="fichier de charte (.regles)")
    parser.add_argument("--menage", required=True, metavar="JSON",
                        help='le ménage en JSON, par exemple \'{"enfants_a_charge": 2, ...}\'')
    parser.add_argument("--json", action="store_true", help="affiche la décision en JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    charter = load_charter(args.charte)
    try:
        household = json.loads(args.menage)
    except json.JSONDecodeError as error:
        print(f"--menage : JSON invalide, ligne {error.lineno} colonne {error.colno} : {_reason(error)}",
              file=sys.stderr)
        return 2
    try:
        decision = charter.route(household)
    except (InvalidHousehold, NoDecision) as error:
        print(f"ménage non orienté : {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(decision.to_dict(), ensure_ascii=False, indent=2))
    else:
        unit = f" — unité : {decision.unit}" if decision.unit else ""
        print(f"Service : {decision.service} ({decision.service_label}){unit}")
        print(f"Règle : {decision.rule}")
        print(decision.explanation)
    return 0


def _reason(error: json.JSONDecodeError) -> str:
    reasons = {
        "Expecting value": "valeur attendue",
        "Expecting property name enclosed in double quotes": "nom de donnée entre guillemets droits attendu",
        "Expecting ',' delimiter": "« , » attendue",
        "Expecting ':' delimiter": "« : » attendu",
        "Extra data": "texte en trop après le JSON",
        "Unterminated string starting at": "texte non refermé",
    }
    return reasons.get(error.msg, error.msg)
