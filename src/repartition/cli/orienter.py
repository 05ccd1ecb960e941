"""`repartition orienter`: route one household given as JSON, or a whole file of signalements."""

from __future__ import annotations

import argparse
import json
import os
import sys

from ..batch.readers import FORMATS, INPUT_FORMATS
from ._charter_options import add_charter_options, charter_from

__all__ = ["register", "run"]


def register(commands) -> None:
    parser = commands.add_parser(
        "orienter", help="oriente un ménage, ou un fichier de signalements, vers les services",
        description="Oriente selon la charte un ménage (--menage, en JSON) ou chaque ligne d'un fichier "
        "de signalements (ENTREE, .csv, .jsonl ou, avec DuckDB, .parquet ; « - » pour l'entrée standard). Chaque ligne orientée "
        "est écrite telle quelle, plus les colonnes « service », « regle » (et « unite » si la charte a "
        "des unités, « partenaires » si une règle nomme des services en lien avec, codes séparés par "
        "« | ») ; chaque ligne rejetée va dans le fichier des rejets avec son numéro de ligne et "
        "la raison. Un bilan est affiché sur la sortie d'erreur. Code de sortie : 0 si tout est orienté, "
        "1 si des lignes sont rejetées, 2 si la commande n'a pas pu s'exécuter.")
    add_charter_options(parser)
    parser.add_argument("entree", nargs="?", metavar="ENTREE",
                        help="fichier de signalements à orienter (.csv, .jsonl ou .parquet, « - » : entrée standard)")
    parser.add_argument("--menage", metavar="JSON",
                        help='un seul ménage en JSON, par exemple \'{"enfants_a_charge": 2, ...}\'')
    parser.add_argument("--json", action="store_true", help="avec --menage : affiche la décision en JSON")
    parser.add_argument("-o", "--sortie", metavar="SORTIE", default="-",
                        help="fichier des lignes orientées (par défaut : la sortie standard)")
    parser.add_argument("--rejets", metavar="FICHIER",
                        help="fichier des lignes rejetées (par défaut : SORTIE.rejets.csv ou .jsonl à côté "
                        "de la sortie, ou rejets.csv ou .jsonl dans le dossier courant si la sortie est la "
                        "sortie standard)")
    parser.add_argument("--bilan", metavar="FICHIER", help="écrit aussi le bilan en JSON dans ce fichier")
    parser.add_argument("--format-entree", choices=INPUT_FORMATS,
                        help="format de l'entrée (sinon : son extension ; parquet demande DuckDB)")
    parser.add_argument("--format-sortie", choices=FORMATS, help="format de la sortie (sinon : son extension)")
    parser.add_argument("--remplacer", action="store_true",
                        help="remplace les colonnes service, regle, unite, partenaires si l'entrée les a déjà")
    parser.add_argument("--encodage", metavar="ENC",
                        help="encodage de l'entrée si elle n'est pas en UTF-8 (par exemple cp1252)")
    parser.add_argument("--strict", action="store_true",
                        help="refuse toute donnée (clé JSON, colonne) que la charte ne déclare pas ; sans "
                        "--strict, seule une donnée qui ressemble à une donnée déclarée absente est refusée "
                        "(« vouliez-vous dire … ? »), les autres (identifiant, nom…) sont permises")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if (args.entree is None) == (args.menage is None):
        print("orienter : indiquez soit un fichier ENTREE, soit --menage 'JSON', et pas les deux.",
              file=sys.stderr)
        return 2
    if args.menage is not None:
        batch_only = [option for option, value in (
            ("-o", args.sortie != "-"), ("--rejets", args.rejets), ("--bilan", args.bilan),
            ("--format-entree", args.format_entree), ("--format-sortie", args.format_sortie),
            ("--remplacer", args.remplacer), ("--encodage", args.encodage)) if value]
        if batch_only:
            print(f"orienter : {', '.join(batch_only)} ne s'emploie qu'avec un fichier ENTREE.", file=sys.stderr)
            return 2
        return _one(args)
    if args.json:
        print("orienter : --json ne s'emploie qu'avec --menage.", file=sys.stderr)
        return 2
    return _batch(args)


def _batch(args: argparse.Namespace) -> int:
    from ..batch import route_file

    summary = route_file(charter_from(args), args.entree, args.sortie, args.rejets, summary=args.bilan,
                         input_format=args.format_entree, output_format=args.format_sortie,
                         replace=args.remplacer, encoding=args.encodage)
    print(summary.render(), file=sys.stderr)
    return 1 if summary.rejected else 0


def _one(args: argparse.Namespace) -> int:
    from ..batch.readers import BadJson, read_object
    from ..errors import InvalidHousehold, NoDecision

    charter = charter_from(args)
    try:
        household = read_object(args.menage)
    except BadJson as error:
        hint = ""
        if not args.menage.lstrip().startswith(("{", "[")) and os.path.isfile(args.menage):
            hint = (f" ; « {args.menage} » est un fichier : donnez son contenu (--menage \"$(cat {args.menage})\") "
                    f"ou orientez-le comme fichier de signalements (ENTREE, en .jsonl)")
        print(f"--menage : {error}{hint}", file=sys.stderr)
        return 2
    try:
        decision = charter.route(household)
    except (InvalidHousehold, NoDecision) as error:
        print(f"ménage non orienté : {error}", file=sys.stderr)
        return 1
    if args.json:
        text = json.dumps(decision.to_dict(), ensure_ascii=False, indent=2)
    else:
        unit = f" — unité : {decision.unit}" if decision.unit else ""
        partners = f" — en lien avec : {', '.join(decision.partners)}" if decision.partners else ""
        text = (f"Service : {decision.service} ({decision.service_label}){unit}{partners}\n"
                f"Règle : {decision.rule}\n{decision.explanation}")
    return _show(text)


def _show(text: str) -> int:
    """Print the decision; exit status 2 with a French message if standard output is closed or full."""
    stream = sys.stdout
    if stream is None or getattr(stream, "closed", False):  # `orienter … >&-`
        print("orienter : la sortie standard est fermée : la décision n'a pas pu être affichée.", file=sys.stderr)
        return 2
    try:
        stream.write(text + "\n")
        stream.flush()
    except OSError as error:
        from ..errors import os_reason

        print(f"orienter : la décision n'a pas pu être affichée sur la sortie standard : {os_reason(error)}.",
              file=sys.stderr)
        try:  # what stays buffered would fail again, in English, when Python flushes it at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        except (OSError, ValueError):
            pass
        return 2
    return 0
