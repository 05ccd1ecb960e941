"""`repartition comparer`: which households change service between two versions of a charter."""

from __future__ import annotations

import argparse
import json
import sys

from ._charter_options import charter_file


def register(commands) -> None:
    parser = commands.add_parser(
        "comparer", help="compare deux versions d'une charte",
        description="Donne exactement les ménages dont le service (ou, avec --regles, la règle "
        "décisive) change entre deux versions d'une charte, en régions regroupées, chacune avec "
        "un ménage exemple vérifié par les deux versions, puis ce que chaque service gagne ou "
        "perd. Code de sortie 0 si les versions sont équivalentes, 1 si elles diffèrent, 2 en cas "
        "d'erreur ou si elles ne peuvent pas être comparées.")
    parser.add_argument("ancienne", metavar="ANCIENNE", help="charte de l'ancienne version (.regles)")
    parser.add_argument("nouvelle", metavar="NOUVELLE", help="charte de la nouvelle version (.regles)")
    parser.add_argument("--regles", action="store_true",
                        help="compare aussi la règle décisive, pas seulement le service")
    parser.add_argument("--format", choices=("texte", "json"), default="texte",
                        help="format du résultat (texte par défaut)")
    data = parser.add_argument_group("effet sur des ménages réels")
    data.add_argument("--donnees", metavar="FICHIER",
                      help="compte les ménages du fichier (.csv, .jsonl ou .parquet) par passage d'un service "
                      "à l'autre et par unité, et nomme les ménages qui changent de service avec les règles "
                      "en cause (code de sortie 1 si au moins un ménage change)")
    data.add_argument("--identifiant", metavar="COLONNE", default="identifiant",
                      help="colonne qui nomme un ménage (« identifiant » par défaut ; sinon son numéro)")
    data.add_argument("--premiers", metavar="N", type=int, default=100,
                      help="nombre de ménages qui changent de service à nommer (100 par défaut)")
    data.add_argument("--moteur", choices=("auto", "duckdb", "python"), default="auto",
                      help="lecture du fichier : DuckDB si installé pour CSV et Parquet (auto), ou Python")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..diff import compare

    old = charter_file(args.ancienne)
    new = charter_file(args.nouvelle)
    if args.donnees is not None:
        return _impact(old, new, args)
    result = compare(old, new, by_rule=args.regles)
    if args.format == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print(result, args)
    return 0 if result.equivalent else 1


def _version(charter) -> str:
    return f"version {charter.version}" if charter.version else "sans version"


def _print(result, args) -> None:
    old, new = result.old, result.new
    print(f"Ancienne : {args.ancienne} ({_version(old)})")
    print(f"Nouvelle : {args.nouvelle} ({_version(new)})")
    for note in result.notes:
        print(f"  {note}")
    what = "la règle décisive" if result.by_rule else "le service"
    if result.equivalent:
        print(f"Les deux versions sont équivalentes : {what} est le même pour chaque ménage.")
        return
    count = len(result.differences)
    print(f"{count} groupe(s) de ménages dont {what} change :")
    transition = None
    for number, difference in enumerate(result.differences, 1):
        change = f"{result.outcome_text(difference.old)} → {result.outcome_text(difference.new)}"
        if change != transition:  # differences come sorted by transition
            transition = change
            print(f"  {change} :")
        print(f"    {number}. {difference.text}")
        if difference.household is None:
            print("       (aucun ménage exemple trouvé)")
        else:
            shown = json.dumps(difference.household, ensure_ascii=False)
            state = "vérifié avec les deux versions" if difference.checked else \
                "ATTENTION : les versions ne l'orientent pas comme annoncé"
            print(f"       exemple : {shown} ({state})")
    print("Par service :")
    for code, verdict in result.services().items():
        regions = verdict["gagne"] + verdict["perd"]
        detail = f" (groupes {', '.join(map(str, sorted(regions)))})" if regions else ""
        print(f"  {code} : {verdict['verdict']}{detail}")


def _impact(old, new, args: argparse.Namespace) -> int:
    from ..impact import measure  # imported on use: DuckDB only when a file is compared

    if args.premiers < 0:
        print("comparer : --premiers attend un nombre positif ou nul.", file=sys.stderr)
        return 2
    impact = measure(old, new, args.donnees, identifier=args.identifiant, limit=args.premiers, engine=args.moteur)
    if args.format == "json":
        print(json.dumps(impact.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"Ancienne : {args.ancienne} ({_version(old)})")
        print(f"Nouvelle : {args.nouvelle} ({_version(new)})")
        print(impact.render())
    return 1 if impact.moving else 0
