"""`repartition exporter`: a charter's decision tables as data (JSON), as one SQL statement, or as DMN."""

from __future__ import annotations

import argparse
import sys

from ._charter_options import charter_file
from ..errors import RepartitionError, os_reason

__all__ = ["register", "run"]

#: The SQL dialects, by the names the option takes.
DIALECTS = ("duckdb", "postgresql", "spark")


def register(commands) -> None:
    parser = commands.add_parser(
        "exporter", help="exporte la charte : tables de décision (JSON), SQL ou DMN",
        description="Exporte la charte pour l'orientation là où sont les données. json : les tables de "
        "décision (lignes disjointes calculées par la preuve, une par cas de ménages) ; sql : une seule "
        "requête SELECT qui lit la table des ménages (--table) et ajoute à chaque ligne « service », "
        "« regle », « unite », « partenaires » et « non_oriente » ; dmn : une table de décision DMN 1.3. "
        "Code de sortie 0, ou 2 si la charte ne se lit pas ou ne s'exporte pas.")
    parser.add_argument("fichier", metavar="FICHIER", help="fichier de charte (.regles)")
    parser.add_argument("--format", required=True, choices=("json", "sql", "dmn"), help="format de l'export")
    parser.add_argument("--dialecte", choices=DIALECTS, default="duckdb",
                        help="avec --format sql : le dialecte SQL (duckdb par défaut)")
    parser.add_argument("--table", default="menages", metavar="NOM",
                        help="avec --format sql : la table des ménages lue (« menages » par défaut)")
    parser.add_argument("--vue", metavar="NOM", help="avec --format sql : crée la vue NOM (CREATE VIEW)")
    parser.add_argument("-o", "--sortie", metavar="FICHIER", default="-",
                        help="fichier écrit (par défaut : la sortie standard)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.format != "sql":
        used = [o for o, v in (("--vue", args.vue), ("--table", args.table != "menages"),
                               ("--dialecte", args.dialecte != "duckdb")) if v]
        if used:
            print(f"exporter : {', '.join(used)} ne s'emploie qu'avec --format sql.", file=sys.stderr)
            return 2
    charter = charter_file(args.fichier)
    text = export(charter, args.format, dialect=args.dialecte, table=args.table, view=args.vue)
    if args.sortie == "-":
        sys.stdout.write(text)
        return 0
    try:
        with open(args.sortie, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:
        print(f"impossible d'écrire « {args.sortie} » : {os_reason(error)}", file=sys.stderr)
        return 2
    print(f"écrit : {args.sortie}", file=sys.stderr)
    return 0


def export(charter, form: str, *, dialect: str = "duckdb", table: str = "menages", view: str | None = None) -> str:
    """The text of an export; RepartitionError (in French) when an extra is missing."""
    from ..export import decision_rows

    rows = decision_rows(charter.model)
    if form == "json":
        from ..export.json_tables import to_json

        return to_json(rows)
    if form == "dmn":
        from ..export.dmn import to_dmn

        return to_dmn(rows)
    try:
        from ..export.sql import to_sql
    except ImportError:
        raise RepartitionError("l'export SQL demande sqlglot : installez repartition[sql] "
                               "(pip install 'repartition[sql]')") from None
    return to_sql(rows, dialect=dialect, table=table, view=view)
