"""Batch routing of signalement files (CSV, JSON Lines): routed rows, rejects, summary, indicators."""

from __future__ import annotations

from .errors import BatchError
from .indicators import IndicatorReport, count_indicators
from .outputs import AtomicFile, OutputFiles
from .pipeline import ADDED_COLUMNS, default_rejects_path, route_file
from .readers import FORMATS, CsvSource, JsonlSource, detect_separator, open_source
from .summary import Summary
from .writers import neutralise

__all__ = [
    "ADDED_COLUMNS",
    "AtomicFile",
    "BatchError",
    "CsvSource",
    "FORMATS",
    "IndicatorReport",
    "JsonlSource",
    "OutputFiles",
    "Summary",
    "count_indicators",
    "default_rejects_path",
    "detect_separator",
    "neutralise",
    "open_source",
    "route_file",
]
