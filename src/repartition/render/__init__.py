"""A neutral rendering model of a charter for its reviewers, shared by the Sphinx directive, `documenter` and the PDF."""

from .document import (ArticleView, CharterDocument, DefinitionView, ExampleView, FieldView, RuleView, ServiceView,
                       SetView, TableView, describe, rule_anchor)
from .graph import ExceptionGraph, GraphEdge, GraphNode, exception_graph, service_colour, svg
from .html import to_html
from .markdown import to_markdown
from .page import page
from .sentences import condition_text, rule_sentence, type_text
from .tables import DecisionRow, DecisionTable, DecisionTables, SourceRow, decision_tables, layout
from .verdict import Finding, Verdict, verdict

__all__ = [
    "ArticleView", "CharterDocument", "DefinitionView", "ExampleView", "FieldView", "RuleView", "ServiceView",
    "SetView", "TableView", "describe", "rule_anchor", "ExceptionGraph", "GraphEdge", "GraphNode",
    "exception_graph", "service_colour", "svg", "to_html", "to_markdown", "page", "condition_text",
    "rule_sentence", "type_text", "DecisionRow", "DecisionTable", "DecisionTables", "SourceRow",
    "decision_tables", "layout", "Finding", "Verdict", "verdict",
]
