"""The error tree of repartition: every error knows where it is and prints its line with a caret."""

from __future__ import annotations

import datetime as _dt
import errno
import functools
from decimal import Decimal
from typing import Any, ClassVar, Iterable, Mapping

from attrs import field, frozen

from .values import is_blank

__all__ = [
    "Span",
    "Diagnostic",
    "RepartitionError",
    "CharterError",
    "CharterNotProven",
    "InvalidHousehold",
    "NoDecision",
    "MAX_DIAGNOSTICS",
    "DIAGNOSTIC_CODES",
    "HOUSEHOLD_CODES",
    "os_reason",
    "source_line",
]

#: How many diagnostics a CharterError prints before summarising the rest.
MAX_DIAGNOSTICS = 50

#: `Diagnostic.code`: what kind of problem a charter diagnostic reports (a proof problem's code is
#: its kind). Machine-readable and stable; the message beside it is the French text.
DIAGNOSTIC_CODES = {
    "fichier": "the rule file cannot be read",
    "encodage": "the rule file is not UTF-8",
    "syntaxe": "the text does not follow the grammar",
    "charte": "names, types, tables, bounds or exceptions are inconsistent",
    "exemple": "an example does not get the service and rule it expects",
    "empreinte": "the content's sha256 is not the one expected",
    "lacune": "proof: households no rule routes",
    "conflit": "proof: households two rules send to different services",
    "indetermination": "proof: households whose service depends on an unknown value",
    "regle_morte": "proof: a rule that never decides",
    "exception_inutile": "proof: an exception that never sets its rule aside",
    "redondance": "proof (warning): a rule whose households other rules already route alike",
    "indecis": "proof: a region the proof could not settle within its budget",
    "erreur": "any other error",
}

#: `InvalidHousehold.code`: why a household cannot be read.
HOUSEHOLD_CODES = {
    "champ_absent": "a field without default is absent",
    "champ_non_declare": "a key the charter does not declare, close to a declared field the household lacks "
                         "(or any undeclared key, in strict mode)",
    "valeur_invalide": "a value does not read as the field's type, or lies outside its bounds",
    "inconnu_interdit": "a blank or null value for a field that may not be unknown",
    "code_hors_table": "a code the service's unit table lacks, the table refusing missing codes",
    "menage_illisible": "the household is not a mapping of field names to values",
}


def source_line(text: str, line: int) -> str | None:
    """The text of a 1-based line, to show under a diagnostic (None past the end)."""
    lines = _lines(text)
    return lines[line - 1] if 0 < line <= len(lines) else None


@functools.lru_cache(maxsize=2)
def _lines(text: str) -> list[str]:
    """The lines of a text, kept for the next call: a file may have thousands of errors to show."""
    return text.splitlines()


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
    #: What kind of problem this is, one of `DIAGNOSTIC_CODES`.
    code: str = field(default="erreur", kw_only=True)

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
    """Base of every error repartition raises on purpose; its text is French and located.

    `code` names the kind of error for programs (each subclass documents its codes).
    """

    code: str = "erreur"

    def __init__(self, message: str, span: Span | None = None, source_line: str | None = None):
        self.diagnostic = Diagnostic(message, span, source_line, code=self.code)
        super().__init__(message)

    @property
    def span(self) -> Span | None:
        return self.diagnostic.span

    def __str__(self) -> str:
        return self.diagnostic.render()


class CharterError(RepartitionError):
    """A rule file (or one of its tables) is wrong; carries every problem found, each located.

    Each of `.diagnostics` has its own `code` (see `DIAGNOSTIC_CODES`).
    """

    code = "charte_invalide"

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

    code = "charte_non_prouvee"

    def __init__(self, problems: Iterable[object], diagnostics: Iterable[Diagnostic]):
        self.problems = tuple(problems)
        super().__init__(diagnostics)


class InvalidHousehold(RepartitionError, ValueError):
    """A household value cannot be read: names the field, the value given and what was expected.

    For programs: `code` (one of `HOUSEHOLD_CODES`), `field` (the machine name, None when the
    household itself is not a mapping; for `champ_non_declare`, the key the charter does not
    declare), `value` (as given) and `expected`, the field's type as structured data
    (``{"type": "entier", "min": 0, "max": 20, ...}``, see `repartition.schema.expected`); the
    French text of what was expected (or, for an undeclared key, why it is refused: « vouliez-vous
    dire … ? ») is `expected_text`.
    """

    code = "valeur_invalide"

    def __init__(self, field: str | None, value: object, expected_text: str, *,
                 code: str = "valeur_invalide", expected: Mapping[str, Any] | None = None):
        self.code = code
        self.field = field
        self.value = value
        self.expected_text = expected_text
        self.expected: Mapping[str, Any] = expected if expected is not None else {}
        if field is None:
            message = f"ménage {_show(value)} illisible, attendu {expected_text}"
        elif code == "champ_non_declare":
            message = f"champ « {field} » inconnu de la charte : {expected_text}"
        elif code == "champ_absent":
            message = f"champ « {field} » absent : attendu {expected_text}"
        else:
            message = f"champ « {field} » : valeur {_show(value)} invalide, attendu {expected_text}"
        super().__init__(message)

    @property
    def missing(self) -> bool:
        """Whether the field is absent (rather than given with a value that cannot be read)."""
        return self.code == "champ_absent"

    @property
    def undeclared(self) -> bool:
        """Whether `field` is a key the charter does not declare (`code` ``champ_non_declare``)."""
        return self.code == "champ_non_declare"


class NoDecision(RepartitionError):
    """The charter does not route this household: a gap, a conflict or an undetermined case.

    For programs: `kind` (``lacune``, ``conflit`` or ``indetermination``), `rules` (the names of
    the rules involved, in file order) and `services` (the services they name).
    """

    code = "non_oriente"

    #: French wording of each kind, used in messages and reports.
    KINDS: ClassVar[dict[str, str]] = {
        "lacune": "aucune règle ne s'applique et la charte n'a pas de règle par défaut",
        "conflit": "plusieurs règles s'appliquent et désignent des services différents",
        "indetermination": "le service dépend d'une valeur inconnue",
    }
    #: The French name of each kind (the kind itself is an identifier, without accents).
    LABELS: ClassVar[dict[str, str]] = {"lacune": "lacune", "conflit": "conflit", "indetermination": "indétermination"}

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
    """A raw value as the message shows it: as written, and cut short when long."""
    if is_blank(value):
        return "vide"
    if isinstance(value, str):
        return f"« {_cut(value)} »"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and not -10**30 < value < 10**30:
        return "de plus de 30 chiffres"  # str() of a number past 4 300 digits raises ValueError
    if isinstance(value, (int, float, Decimal)):
        return _cut(str(value))
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple, dict)):
        return _cut(repr(value))
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


def _cut(text: str, limit: int = 60) -> str:
    """Text as it is, or its start and its length when longer than `limit` characters."""
    if len(text) <= limit:
        return text
    count = f"{len(text):,}".replace(",", "\u202f")
    return f"{text[:limit // 2]}… ({count} caractères)"


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
