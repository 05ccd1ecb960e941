"""The error tree of repartition: every error knows where it is and prints its line with a caret."""

from __future__ import annotations

import datetime as _dt
import errno
from decimal import Decimal
from typing import Iterable

from attrs import field, frozen

__all__ = [
    "Span",
    "Diagnostic",
    "RepartitionError",
    "CharterError",
    "CharterNotProven",
    "InvalidHousehold",
    "NoDecision",
    "MAX_DIAGNOSTICS",
    "os_reason",
]

#: How many diagnostics a CharterError prints before summarising the rest.
MAX_DIAGNOSTICS = 50


@frozen
class Span:
    """A region of a source file, 1-based lines and columns, end column exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@frozen
class Diagnostic:
    """One located message: what is wrong, where, and the source line it points at."""

    message: str
    span: Span | None = None
    source_line: str | None = field(default=None, eq=False)
    severity: str = "erreur"

    def render(self) -> str:
        head = f"{self.span}: {self.severity} : {self.message}" if self.span else self.message
        if self.span is None or self.source_line is None:
            return head
        line = self.source_line.rstrip("\n").expandtabs(1)
        start = self.span.column
        width = (
            self.span.end_column - start
            if self.span.end_line == self.span.line and self.span.end_column > start
            else max(1, len(line.rstrip()) - start + 1)
        )
        number = str(self.span.line)
        gutter = " " * len(number)
        caret = " " * (start - 1) + "^" * max(1, width)
        return f"{head}\n {number} | {line}\n {gutter} | {caret}"


class RepartitionError(Exception):
    """Base of every error repartition raises on purpose; its text is French and located."""

    def __init__(self, message: str, span: Span | None = None, source_line: str | None = None):
        self.diagnostic = Diagnostic(message, span, source_line)
        super().__init__(message)

    @property
    def span(self) -> Span | None:
        return self.diagnostic.span

    def __str__(self) -> str:
        return self.diagnostic.render()


class CharterError(RepartitionError):
    """A rule file (or one of its tables) is wrong; carries every problem found, each located."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        first = self.diagnostics[0] if self.diagnostics else Diagnostic("charte invalide")
        super().__init__(first.message, first.span, first.source_line)

    def __str__(self) -> str:
        shown = self.diagnostics[:MAX_DIAGNOSTICS]
        parts = [d.render() for d in shown]
        hidden = len(self.diagnostics) - len(shown)
        if hidden:
            parts.append(f"… et {hidden} autre(s) erreur(s) non affichée(s).")
        count = len(self.diagnostics)
        title = "1 erreur dans la charte :" if count == 1 else f"{count} erreurs dans la charte :"
        return "\n".join([title, *parts])


class CharterNotProven(CharterError):
    """The proof failed: some households get no service, two, or one decided by an unknown value.

    `.problems` holds the proof's problems (`repartition.proof.Problem`), each with its rules, its
    region in French and an example household checked through the interpreter.
    """

    def __init__(self, problems: Iterable[object], diagnostics: Iterable[Diagnostic]):
        self.problems = tuple(problems)
        super().__init__(diagnostics)


class InvalidHousehold(RepartitionError, ValueError):
    """A household value cannot be read: names the field, the value given and what was expected.

    `field` is None when the household itself is not a mapping of fields to values.
    """

    def __init__(self, field: str | None, value: object, expected: str, *, missing: bool = False):
        self.field = field
        self.value = value
        self.expected = expected
        self.missing = missing
        if field is None:
            message = f"ménage {_show(value)} illisible, attendu {expected}"
        elif missing:
            message = f"champ « {field} » absent : attendu {expected}"
        else:
            message = f"champ « {field} » : valeur {_show(value)} invalide, attendu {expected}"
        super().__init__(message)


class NoDecision(RepartitionError):
    """The charter does not route this household: a gap, a conflict or an undetermined case."""

    #: French wording of each kind, used in messages and reports.
    KINDS = {
        "lacune": "aucune règle ne s'applique et la charte n'a pas de règle par défaut",
        "conflit": "plusieurs règles s'appliquent et désignent des services différents",
        "indetermination": "le service dépend d'une valeur inconnue",
    }
    #: The French name of each kind (the kind itself is an identifier, without accents).
    LABELS = {"lacune": "lacune", "conflit": "conflit", "indetermination": "indétermination"}

    def __init__(self, kind: str, rules: tuple[str, ...], services: tuple[str, ...] = ()):
        self.kind = kind
        self.rules = rules
        self.services = services
        names = ", ".join(f"« {r} »" for r in rules)
        message = f"{self.LABELS[kind]} : {self.KINDS[kind]}"
        if names:
            message += f" (règles {names})" if len(rules) > 1 else f" (règle {names})"
        if services:
            message += " ; services possibles : " + ", ".join(services)
        super().__init__(message)


def _show(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "vide"
    if isinstance(value, str):
        return f"« {value} »"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple, dict)):
        return repr(value)
    return f"de type « {type(value).__name__} »"


# The French reason of each common file-system errno (names absent on a platform are skipped).
_OS_REASONS = {getattr(errno, name): reason for name, reason in (
    ("ENOENT", "fichier introuvable"),
    ("EACCES", "accès refusé"),
    ("EPERM", "opération non permise"),
    ("EISDIR", "c'est un dossier, pas un fichier"),
    ("ENOTDIR", "un élément du chemin n'est pas un dossier"),
    ("EEXIST", "un fichier de ce nom existe déjà"),
    ("ENOSPC", "disque plein"),
    ("EDQUOT", "quota de disque dépassé"),
    ("EFBIG", "fichier trop grand (taille maximale des fichiers atteinte)"),
    ("EROFS", "système de fichiers en lecture seule"),
    ("EMFILE", "trop de fichiers ouverts par le programme"),
    ("ENFILE", "trop de fichiers ouverts sur le système"),
    ("ENAMETOOLONG", "nom de fichier trop long"),
    ("ELOOP", "trop de liens symboliques en chaîne (une boucle de liens ?)"),
    ("EIO", "erreur matérielle de lecture ou d'écriture (disque ou réseau)"),
    ("EPIPE", "le programme qui lisait la sortie s'est arrêté"),
    ("EBADF", "fichier fermé"),
    ("EXDEV", "déplacement impossible d'un disque à un autre"),
    ("EBUSY", "fichier ou périphérique occupé"),
    ("ETXTBSY", "fichier occupé"),
    ("ENXIO", "périphérique absent"),
    ("ESTALE", "fichier réseau devenu inaccessible"),
    ("ENOMEM", "mémoire insuffisante"),
) if hasattr(errno, name)}


def os_reason(error: OSError) -> str:
    """The French reason of a file-system error."""
    reason = _OS_REASONS.get(error.errno)
    if reason is not None:
        return reason
    if isinstance(error, FileNotFoundError):  # raised without an errno by some callers
        return "fichier introuvable"
    if isinstance(error, PermissionError):
        return "accès refusé"
    return "erreur d'accès au fichier" + (f" (errno {error.errno})" if error.errno is not None else "")
