"""The charter as an A4 PDF to sign, printed by WeasyPrint from the standalone page (option `[pdf]`)."""

from __future__ import annotations

from .document import CharterDocument
from .html import to_html

__all__ = ["to_pdf", "PdfUnavailable"]


class PdfUnavailable(Exception):
    """WeasyPrint (the `[pdf]` option) or the libraries it needs are not installed; the message says what to do."""


def to_pdf(doc: CharterDocument) -> bytes:
    """A4 pages numbered « page n / N », the charter's title, version and sha256 in every footer, the
    diagram as vector graphics, every collapsible part opened."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: the Pango libraries WeasyPrint loads are missing
        raise PdfUnavailable("le format pdf demande l'option [pdf] de repartition (WeasyPrint et les "
                             f"bibliothèques Pango) : pip install 'repartition[pdf]' ({error})") from None
    return weasyprint.HTML(string=to_html(doc, for_print=True)).write_pdf()
