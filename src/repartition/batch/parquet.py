"""Parquet files, read through DuckDB (the `[sql]` extra): each row a record, as a line of JSON Lines gives it."""

from __future__ import annotations

import datetime as _dt
import json
from decimal import Decimal
from pathlib import Path

from .errors import BatchError
from .readers import display_name

__all__ = ["ParquetSource", "connect"]

_BATCH = 10_000  # rows fetched from DuckDB at a time: constant memory on any file


def connect():
    """A DuckDB connection, or a French BatchError saying how to install DuckDB."""
    try:
        import duckdb
    except ImportError:
        raise BatchError("lire un fichier Parquet demande DuckDB : installez repartition[sql] "
                         "(pip install 'repartition[sql]')") from None
    return duckdb.connect()


def _plain(value):
    """A Parquet value as JSON gives it: exact amounts and dates as text (both read them alike)."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value


class ParquetSource:
    """A Parquet file read row by row; records are numbered from 1, like the lines of JSON Lines."""

    bom = False
    separator = ";"
    header = None
    blank = 0
    size = None

    def __init__(self, path: str | Path, *, encoding: str | None = None, progress=None):
        import duckdb

        self.path = str(path)
        self.name = display_name(path)
        #: The record last yielded, as a JSON line (for rejects that keep the input as it was).
        self.last_line = ""
        self._connection = connect()
        try:
            self._cursor = self._connection.execute("SELECT * FROM read_parquet(?)", [self.path])
        except duckdb.Error as error:
            self._connection.close()
            reason = str(error).splitlines()[0]
            raise BatchError(f"{self.name} : fichier Parquet illisible ({reason})") from None
        self.columns = [d[0] for d in self._cursor.description]

    def records(self):
        """(record number, mapping of column → value), in file order."""
        number = 0
        while rows := self._cursor.fetchmany(_BATCH):
            for row in rows:
                number += 1
                record = {c: _plain(v) for c, v in zip(self.columns, row)}
                self.last_line = json.dumps(record, ensure_ascii=False)
                yield number, record

    def close(self) -> None:
        self._connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
