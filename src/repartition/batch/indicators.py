"""Counting a charter's indicators over an already routed file (`repartition indicateurs`)."""

from __future__ import annotations

import json
from pathlib import Path

from attrs import frozen

from ..charter import Charter
from .pipeline import locate_columns, wrong_width
from .readers import CsvSource, Malformed, detect_format, open_source
from .router import ABSENT, Routed, Router, indicator_counts

__all__ = ["IndicatorReport", "count_indicators", "MAX_SHOWN"]

#: How many problem rows the report quotes (the others are only counted).
MAX_SHOWN = 10


@frozen
class IndicatorReport:
    """Indicator counts over a routed file, and the rows that could not be counted or disagree."""

    read: int
    counted: int
    by_service: dict[str, int]
    indicators: dict[str, int]
    indicators_unknown: dict[str, int]
    unreadable: int
    divergent: int
    problems: tuple[tuple[int, str], ...]
    charter_title: str
    charter_version: str | None
    charter_sha256: str

    def to_dict(self) -> dict[str, object]:
        return {
            "lignes_lues": self.read,
            "comptees": self.counted,
            "par_service": dict(self.by_service),
            "indicateurs": dict(self.indicators),
            "indicateurs_inconnus": dict(self.indicators_unknown),
            "lignes_illisibles": self.unreadable,
            "services_divergents": self.divergent,
            "exemples_de_problemes": [{"ligne": line, "erreur": message} for line, message in self.problems],
            "charte": {"titre": self.charter_title, "version": self.charter_version,
                       "sha256": self.charter_sha256},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def render(self) -> str:
        """The French report printed by `repartition indicateurs`."""
        lines = [f"{self.read} ligne(s) lue(s), {self.counted} comptée(s)."]
        lines.append("Indicateurs :")
        for name, count in self.indicators.items():
            unknown = self.indicators_unknown[name]
            more = f" (inconnu pour {unknown})" if unknown else ""
            lines.append(f"  {name} : {count}{more}")
        if not self.indicators:
            lines.append("  (la charte ne déclare aucun indicateur)")
        lines.append("Par service :")
        lines += [f"  {code} : {count}" for code, count in self.by_service.items()]
        if self.unreadable:
            lines.append(f"{self.unreadable} ligne(s) illisible(s) selon la charte, non comptée(s).")
        if self.divergent:
            lines.append(f"{self.divergent} ligne(s) dont la colonne « service » diffère de ce que donne "
                         f"cette charte (fichier orienté avec une autre version ?) ; comptées selon la charte.")
        for line, message in self.problems:
            lines.append(f"  ligne {line} : {message}")
        version = f", version {self.charter_version}" if self.charter_version else ""
        lines.append(f"Charte « {self.charter_title} »{version}.")
        return "\n".join(lines)


def count_indicators(charter: Charter, path: str | Path, *, input_format: str | None = None,
                     encoding: str | None = None) -> IndicatorReport:
    """Re-read a routed file and count the charter's indicators over its households.

    Each row's household is read and routed again by the charter; a row whose `service` column
    differs from the charter's decision is counted as divergent (and counted by the charter).
    """
    fmt = detect_format(path, input_format, "--format-entree")
    router = Router(charter, tuple(f.machine for f in charter.fields))
    problems: list[tuple[int, str]] = []
    unreadable = divergent = 0

    def problem(line: int, message: str) -> None:
        if len(problems) < MAX_SHOWN:
            problems.append((line, message))

    with open_source(path, fmt, encoding=encoding) as source:
        for line, household, service in _households(source, charter, router):
            if household is None:
                unreadable += 1
                problem(line, service)
                continue
            outcome = router.route_values(household)
            if outcome.__class__ is not Routed:
                unreadable += 1
                problem(line, outcome.message)
                continue
            outcome.count += 1
            if service != outcome.service:
                divergent += 1
                problem(line, f"service « {service} » dans le fichier, « {outcome.service} » selon la charte")
    by_service = dict.fromkeys(charter.services, 0)
    for outcome in router.outcomes:
        by_service[outcome.service] += outcome.count
    true, unknown = indicator_counts(charter, router.outcomes)
    counted = sum(by_service.values())
    return IndicatorReport(
        read=counted + unreadable, counted=counted, by_service=by_service, indicators=true,
        indicators_unknown=unknown, unreadable=unreadable, divergent=divergent, problems=tuple(problems),
        charter_title=charter.title, charter_version=charter.version, charter_sha256=charter.sha256)


def _households(source, charter: Charter, router: Router):
    """(line, raw values in field order or None, file's service or the reason it is unreadable)."""
    names = router.names
    if isinstance(source, CsvSource):
        where = locate_columns(charter, source, also=("service",),
                               hint=" Un fichier produit par « repartition orienter » est attendu.")
        indices = [where.get(n) for n in names]
        service_at = where["service"]
        width = len(source.header)
        for line, row in source.records():
            if len(row) != width:
                yield line, None, wrong_width(row, width)
                continue
            yield line, tuple(ABSENT if i is None else row[i] for i in indices), row[service_at]
        return
    for line, value in source.records():
        if value.__class__ is Malformed:
            yield line, None, value.reason
        elif "service" not in value:
            yield line, None, "donnée « service » absente : cette ligne n'a pas été orientée"
        else:
            yield line, tuple(value.get(n, ABSENT) for n in names), value["service"]
