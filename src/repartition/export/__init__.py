"""Exports of a charter for where the data lives: decision tables as data (JSON), SQL, DMN.

All three are built from one source, the proof's disjoint rows (`rows.decision_rows`).
"""

from .rows import CONDITIONS, DecisionRows, Row, RowGroup, TablesTooLarge, decision_rows

__all__ = ["CONDITIONS", "DecisionRows", "Row", "RowGroup", "TablesTooLarge", "decision_rows"]
