"""`repartition indicateurs`: count a charter's indicators over a file already routed by `orienter`."""

from __future__ import annotations

import argparse

from ..batch.readers import FORMATS
from ._charter_options import add_charter_options, charter_from

__all__ = ["register", "run"]


def register(commands) -> None:
    parser = commands.add_parser(
        "indicateurs", help="compte les indicateurs de la charte sur un fichier orienté",
        description="Relit un fichier produit par « repartition orienter » et compte les indicateurs "
        "d'évaluation que déclare la charte (par exemple les ménages en procédure judiciaire non connus "
        "des services sociaux). Code de sortie : 0, 1 si des lignes sont illisibles ou si leur service "
        "diffère de celui que donne la charte, 2 si la commande n'a pas pu s'exécuter.")
    add_charter_options(parser)
    parser.add_argument("fichier", metavar="FICHIER_ORIENTE", help="fichier orienté (.csv ou .jsonl)")
    parser.add_argument("--format-entree", choices=FORMATS, help="format du fichier (sinon : son extension)")
    parser.add_argument("--encodage", metavar="ENC", help="encodage du fichier s'il n'est pas en UTF-8")
    parser.add_argument("--json", action="store_true", help="affiche le résultat en JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..batch import count_indicators

    charter = charter_from(args)
    report = count_indicators(charter, args.fichier, input_format=args.format_entree, encoding=args.encodage)
    print(report.to_json() if args.json else report.render(), end="" if args.json else "\n")
    return 1 if report.unreadable or report.divergent else 0
