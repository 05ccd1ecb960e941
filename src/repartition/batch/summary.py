"""The batch summary: rows read = routed + rejected, per service, rule, reject reason and indicator."""

from __future__ import annotations

import json
from typing import Iterable

from attrs import frozen

from ..charter import Charter
from ..errors import NoDecision
from ..values import count_text
from .router import RejectTally, Routed, has_units, indicator_counts

__all__ = ["Summary", "UNDECIDED_KINDS"]

#: The kinds of NoDecision, in the order the summary lists them.
UNDECIDED_KINDS = tuple(NoDecision.KINDS)


@frozen
class Summary:
    """What a batch did; `to_dict` is the `--bilan` JSON, `render` the French text on stderr."""

    read: int
    routed: int
    rejected: int
    blank: int
    by_service: dict[str, int]
    by_unit: dict[str, dict[str, int]] | None
    by_rule: dict[str, int]
    by_reason: dict[str, int]
    indicators: dict[str, int]
    indicators_unknown: dict[str, int]
    undecided: dict[str, int]
    charter_title: str
    charter_version: str | None
    charter_sha256: str
    services: dict[str, str]

    @classmethod
    def build(cls, charter: Charter, outcomes: Iterable[Routed], rejects: RejectTally,
              blank: int = 0) -> "Summary":
        """Aggregate the routing results' counts and the rejects into a summary."""
        outcomes = tuple(outcomes)
        by_service = {code: 0 for code in charter.services}
        by_rule = {rule.name: 0 for rule in charter.rules}
        with_unit = has_units(charter)
        units: dict[str, dict[str, int]] = {}
        for outcome in outcomes:
            by_service[outcome.service] += outcome.count
            by_rule[outcome.rule] += outcome.count
            if with_unit and outcome.unit is not None:
                per = units.setdefault(outcome.service, {})
                per[outcome.unit] = per.get(outcome.unit, 0) + outcome.count
        true, unknown = indicator_counts(charter, outcomes)
        routed = sum(o.count for o in outcomes)
        rejected = rejects.total
        reasons = dict(sorted(rejects.by_reason.items(), key=lambda item: (-item[1], item[0])))
        return cls(
            read=routed + rejected, routed=routed, rejected=rejected, blank=blank,
            by_service=by_service,
            by_unit={s: dict(sorted(u.items())) for s, u in units.items()} if with_unit else None,
            by_rule=by_rule, by_reason=reasons, indicators=true, indicators_unknown=unknown,
            undecided={kind: rejects.undecided.get(kind, 0) for kind in UNDECIDED_KINDS},
            charter_title=charter.title, charter_version=charter.version,
            charter_sha256=charter.sha256, services=charter.services,
        )

    @property
    def not_offered(self) -> int:
        """Households the charter does not decide: they « n'accèdent pas à l'offre »."""
        return sum(self.undecided.values())

    def to_dict(self) -> dict[str, object]:
        """The `--bilan` JSON, with French keys."""
        data: dict[str, object] = {
            "lignes_lues": self.read,
            "orientees": self.routed,
            "rejetees": self.rejected,
            "par_service": dict(self.by_service),
        }
        if self.by_unit is not None:
            data["par_unite"] = {s: dict(u) for s, u in self.by_unit.items()}
        data.update({
            "par_regle": dict(self.by_rule),
            "par_motif_de_rejet": dict(self.by_reason),
            "indicateurs": dict(self.indicators),
            "indicateurs_inconnus": dict(self.indicators_unknown),
            "n_accedent_pas_a_l_offre": {"total": self.not_offered, **self.undecided},
            "lignes_vides_ignorees": self.blank,
            "charte": {"titre": self.charter_title, "version": self.charter_version,
                       "sha256": self.charter_sha256},
        })
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def render(self) -> str:
        """The French summary printed on standard error."""
        lines = [f"Bilan : {count_text(self.read, 'ligne lue', 'lignes lues')}, "
                 f"{count_text(self.routed, 'orientée', 'orientées')}, "
                 f"{count_text(self.rejected, 'rejetée', 'rejetées')}."]
        lines.append("Par service :")
        for code, count in self.by_service.items():
            lines.append(f"  {code} ({self.services[code]}) : {count}")
            for unit, n in (self.by_unit or {}).get(code, {}).items():
                lines.append(f"    unité « {unit} » : {n}")
        lines.append("Par règle :")
        lines += [f"  « {rule} » : {count}" for rule, count in self.by_rule.items()]
        if self.by_reason:
            lines.append("Motifs de rejet :")
            lines += [f"  {reason} : {count}" for reason, count in self.by_reason.items()]
        if self.indicators:
            lines.append("Indicateurs (ménages orientés) :")
            for name, count in self.indicators.items():
                unknown = self.indicators_unknown[name]
                more = f" (inconnu pour {unknown})" if unknown else ""
                lines.append(f"  {name} : {count}{more}")
        lines.append(f"Ménages qui n'accèdent pas à l'offre (la charte ne les oriente pas) : {self.not_offered}")
        if self.not_offered:
            lines += [f"  {NoDecision.LABELS[kind]} : {n}" for kind, n in self.undecided.items() if n]
        if self.blank:
            lines.append(f"{count_text(self.blank, 'ligne vide ignorée', 'lignes vides ignorées')}.")
        version = f", version {self.charter_version}" if self.charter_version else ""
        lines.append(f"Charte « {self.charter_title} »{version} (sha256 {self.charter_sha256[:12]}…).")
        return "\n".join(lines)

