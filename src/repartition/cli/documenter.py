"""`repartition documenter`: write a charter's documentation for reviewers as a standalone HTML page, a Markdown
page, or a PDF to sign."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._charter_options import charter_file

__all__ = ["register", "run"]


def register(commands) -> None:
    """Add `documenter` to the command parsers."""
    parser = commands.add_parser(
        "documenter", help="écrit la documentation d'une charte (HTML, Markdown ou PDF)",
        description="Écrit la documentation d'une charte pour ses relecteurs : verdict de la vérification, "
        "qui va où, articles et règles en phrases avec leurs motifs et leurs exemples, tables de décision "
        "par service, schéma des exceptions, définitions, données, tables et indicateurs. Une page HTML "
        "autonome (avec le schéma en SVG à côté), une page Markdown (de même), ou un PDF au format A4 à "
        "signer. Code de sortie 0 ; 1 si la vérification échoue (la page est écrite quand même) ; 2 si "
        "la charte ne se lit pas ou si le PDF ne peut pas être produit.")
    parser.add_argument("fichier", metavar="FICHIER", help="fichier de charte (.regles)")
    parser.add_argument("-o", "--sortie", required=True, metavar="DOSSIER",
                        help="dossier où écrire la page (créé au besoin)")
    parser.add_argument("--format", choices=("html", "md", "pdf"), default="html",
                        help="html (par défaut) : une page autonome et son schéma en SVG ; md : Markdown et "
                        "son schéma en SVG ; pdf : un document A4 à signer (option [pdf])")
    parser.add_argument("--ancienne", metavar="ANCIENNE",
                        help="avec --donnees : la version précédente de la charte (.regles)")
    parser.add_argument("--donnees", metavar="FICHIER",
                        help="avec --ancienne : écrit aussi la page de l'effet du changement sur les ménages "
                        "du fichier (.csv, .jsonl ou .parquet), avec le schéma des flux entre services")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the page(s); exit 0, or 1 when the verification fails (the page is written anyway)."""
    from ..errors import os_reason
    from ..render import describe

    # verify=False: a charter whose examples fail is still documented, with its failures shown.
    if (args.ancienne is None) != (args.donnees is None):
        print("documenter : --ancienne et --donnees s'emploient ensemble.", file=sys.stderr)
        return 2
    charter = charter_file(args.fichier)
    document = describe(charter)
    folder = Path(args.sortie)
    from ..render.pdf import PdfUnavailable

    try:
        files = _files(document, Path(args.fichier).stem, args.format)
    except PdfUnavailable as error:
        print(f"impossible de produire le PDF : {error}", file=sys.stderr)
        return 2
    if args.donnees is not None:
        files.update(_impact_files(charter, args, Path(args.fichier).stem))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            if isinstance(content, bytes):
                (folder / name).write_bytes(content)
            else:
                (folder / name).write_text(content, encoding="utf-8")
    except OSError as error:
        print(f"impossible d'écrire dans « {folder} » : {os_reason(error)}", file=sys.stderr)
        return 2
    for name in files:
        print(f"écrit : {folder / name}")
    return 0 if document.verdict.ok else 1


def _files(document, stem: str, form: str) -> dict[str, str | bytes]:
    """File name → content: the page (HTML or Markdown) and its diagram's SVG file, or the PDF."""
    from ..render import svg, to_html, to_markdown

    if form == "pdf":
        from ..render.pdf import to_pdf

        return {f"{stem}.pdf": to_pdf(document)}
    diagram = f"{stem}-exceptions.svg" if document.graph.edges else None
    page = to_html(document, diagram) if form == "html" else to_markdown(document, diagram)
    files: dict[str, str | bytes] = {f"{stem}.{'html' if form == 'html' else 'md'}": page}
    if diagram:
        files[diagram] = svg(document.graph, title=f"Exceptions entre les règles — {document.title}")
    return files


def _impact_files(charter, args: argparse.Namespace, stem: str) -> dict[str, str | bytes]:
    """The page of the change's effect on the file's households, with its flow picture (HTML beside a PDF)."""
    from ..impact import measure
    from ..render.flow import flow_svg, impact_html, impact_markdown

    impact = measure(charter_file(args.ancienne), charter, args.donnees)
    if args.format != "md":
        return {f"{stem}-effet.html": impact_html(impact)}
    picture = f"{stem}-effet.svg"
    return {f"{stem}-effet.md": impact_markdown(impact, picture), picture: flow_svg(impact.by_service())}
