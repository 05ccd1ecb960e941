"""`repartition documenter`: write a charter's documentation for reviewers as a standalone HTML or Markdown page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._charter_options import charter_file
from ..errors import os_reason
from ..render import describe, svg, to_html, to_markdown

__all__ = ["register", "run"]


def register(commands) -> None:
    """Add `documenter` to the command parsers."""
    parser = commands.add_parser(
        "documenter", help="écrit la documentation d'une charte (HTML ou Markdown)",
        description="Écrit la documentation d'une charte pour ses relecteurs : règles en phrases, tables "
        "de décision par service, schéma des exceptions, indicateurs, exemples et verdict de la "
        "vérification. Une page HTML autonome, ou une page Markdown accompagnée du schéma en SVG. "
        "Code de sortie 0 ; 1 si la vérification échoue (la page est écrite quand même) ; 2 si la "
        "charte ne se lit pas.")
    parser.add_argument("fichier", metavar="FICHIER", help="fichier de charte (.regles)")
    parser.add_argument("-o", "--sortie", required=True, metavar="DOSSIER",
                        help="dossier où écrire la page (créé au besoin)")
    parser.add_argument("--format", choices=("html", "md"), default="html",
                        help="html (par défaut) : une page autonome ; md : Markdown et un fichier SVG")
    parser.add_argument("--ancienne", metavar="ANCIENNE",
                        help="avec --donnees : la version précédente de la charte (.regles)")
    parser.add_argument("--donnees", metavar="FICHIER",
                        help="avec --ancienne : écrit aussi la page de l'effet du changement sur les ménages "
                        "du fichier (.csv, .jsonl ou .parquet), avec le schéma des flux entre services")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the page(s); exit 0, or 1 when the verification fails (the page is written anyway)."""
    # verify=False: a charter whose examples fail is still documented, with its failures shown.
    if (args.ancienne is None) != (args.donnees is None):
        print("documenter : --ancienne et --donnees s'emploient ensemble.", file=sys.stderr)
        return 2
    charter = charter_file(args.fichier)
    document = describe(charter)
    folder = Path(args.sortie)
    files = _files(document, Path(args.fichier).stem, args.format)
    if args.donnees is not None:
        files.update(_impact_files(charter, args, Path(args.fichier).stem))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"impossible d'écrire dans « {folder} » : {os_reason(error)}", file=sys.stderr)
        return 2
    for name in files:
        print(f"écrit : {folder / name}")
    return 0 if document.verdict.ok else 1


def _files(document, stem: str, form: str) -> dict[str, str]:
    """File name → text: the HTML page, or the Markdown page and its diagram's SVG file."""
    if form == "html":
        return {f"{stem}.html": to_html(document)}
    if not document.graph.edges:
        return {f"{stem}.md": to_markdown(document, None)}
    diagram = f"{stem}-exceptions.svg"
    return {f"{stem}.md": to_markdown(document, diagram), diagram: svg(document.graph)}


def _impact_files(charter, args: argparse.Namespace, stem: str) -> dict[str, str]:
    """The page of the change's effect on the file's households, with its flow picture."""
    from ..impact import measure
    from ..render.flow import flow_svg, impact_html, impact_markdown

    impact = measure(charter_file(args.ancienne), charter, args.donnees)
    if args.format == "html":
        return {f"{stem}-effet.html": impact_html(impact)}
    picture = f"{stem}-effet.svg"
    return {f"{stem}-effet.md": impact_markdown(impact, picture), picture: flow_svg(impact.by_service())}
