"""A neutral rendering model of a charter for its reviewers, shared by the Sphinx directive and `documenter`."""

from .document import (CharterDocument, ExampleView, FieldView, RuleView, ServiceView, TableView, describe,
                       rule_anchor)
from .html import to_html
from .markdown import to_markdown
from .graph import ExceptionGraph, GraphEdge, GraphNode, exception_graph, svg
from .sentences import condition_text, rule_sentence, type_text
from .tables import DecisionRow, DecisionTable, DecisionTables, decision_tables
from .verdict import Finding, Verdict, verdict

__all__ = [
    "CharterDocument", "ExampleView", "FieldView", "RuleView", "ServiceView", "TableView", "describe",
    "rule_anchor", "ExceptionGraph", "GraphEdge", "GraphNode", "exception_graph", "svg",
    "condition_text", "rule_sentence", "type_text", "DecisionRow", "DecisionTable", "DecisionTables",
    "decision_tables", "Finding", "Verdict", "verdict", "to_html", "to_markdown",
]
