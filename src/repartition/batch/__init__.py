"""Batch routing of signalement files (CSV, JSON Lines): routed rows, rejects, summary, indicators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:  # pragma: no cover - what the lazy names below are, for type checkers
    from .errors import BatchError
    from .indicators import IndicatorReport, count_indicators
    from .pipeline import ADDED_COLUMNS, default_rejects_path, route_file
    from .readers import FORMATS, CsvSource, JsonlSource, detect_separator, open_source
    from .summary import Summary
    from .outputs import AtomicFile, OutputFiles
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

# Imported on first use: routing one household (`orienter --menage`) needs only the readers.
__getattr__, __dir__ = exports(globals(), {
    "BatchError": ".errors",
    "IndicatorReport": ".indicators", "count_indicators": ".indicators",
    "ADDED_COLUMNS": ".pipeline", "default_rejects_path": ".pipeline", "route_file": ".pipeline",
    "FORMATS": ".readers", "CsvSource": ".readers", "JsonlSource": ".readers",
    "detect_separator": ".readers", "open_source": ".readers",
    "Summary": ".summary",
    "AtomicFile": ".outputs", "OutputFiles": ".outputs", "neutralise": ".writers",
})
