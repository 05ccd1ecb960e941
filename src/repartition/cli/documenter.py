"""`repartition documenter`: write a charter's documentation for reviewers as a standalone HTML or Markdown page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._charter_options import charter_file

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
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Write the page(s); exit 0, or 1 when the verification fails (the page is written anyway)."""
    from ..errors import os_reason
    from ..render import describe

    # verify=False: a charter whose examples fail is still documented, with its failures shown.
    document = describe(charter_file(args.fichier))
    folder = Path(args.sortie)
    files = _files(document, Path(args.fichier).stem, args.format)
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
    from ..render import svg, to_html, to_markdown

    if form == "html":
        return {f"{stem}.html": to_html(document)}
    if not document.graph.edges:
        return {f"{stem}.md": to_markdown(document, None)}
    diagram = f"{stem}-exceptions.svg"
    return {f"{stem}.md": to_markdown(document, diagram), diagram: svg(document.graph)}
