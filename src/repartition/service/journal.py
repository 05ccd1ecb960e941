"""The decision log: one JSON line per decision, appended whole, flushed at once, synced on request."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Iterable

from ..errors import RepartitionError, os_reason
from .payloads import dumps

__all__ = ["DecisionLog", "input_digest", "log_lines"]

_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode


def input_digest(household: object) -> str:
    """sha256 of the household as canonical JSON (sorted keys, no spaces, UTF-8): the same input
    gives the same digest whatever its key order or spacing (a lone surrogate is hashed as
    UTF-8 would write it if it could)."""
    return hashlib.sha256(_CANONICAL(household).encode("utf-8", "surrogatepass")).hexdigest()


def log_lines(*, request: str, sha256: str, version: str | None, facts: bool,
              items: Iterable[tuple[int | None, object, bytes, bytes | None]]) -> bytes:
    """The log's lines for one request's outcomes (documented in docs/service.rst), newlines included.

    Each item is (its place in a batch or None, the household as received, the JSON members that
    begin its entry — ``"service":…,"unite":…,"regle":…`` for a decision, ``"service":null,
    "erreur":…`` for a refusal — and the decision's facts as JSON, or None). All lines of a request
    share its time."""
    when = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")
    head = b'{"horodatage":"%s","requete":%s' % (when.encode(), dumps(request))
    charter = b',"charte":{"version":%s,"sha256":%s},' % (dumps(version), dumps(sha256))
    lines = []
    for item, household, members, facts_json in items:
        place = b"" if item is None else b',"ligne":%d' % item
        shown = b',"faits":' + facts_json if facts and facts_json is not None else b""
        lines.append(b'%s%s%s%s%s,"empreinte":"%s"}\n' % (
            head, place, charter, members, shown, input_digest(household).encode()))
    return b"".join(lines)


class DecisionLog:
    """Appends lines to a file opened for appending only, each request's lines in one `os.write`
    under a lock: lines never interleave, within this process or with another appending to the
    same file, and none waits in a buffer (they are written before the response is sent). With
    `sync`, they are also on disk (fsync) before the response."""

    def __init__(self, path: str | Path, *, sync: bool = False, facts: bool = True):
        self.path = Path(path)
        self.sync = sync
        self.facts = facts
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o640)
        except OSError as error:
            raise RepartitionError(f"journal « {self.path} » impossible à ouvrir : {os_reason(error)}") from None
        self._lock = threading.Lock()

    def write(self, lines: bytes) -> None:
        """Append whole lines in one write (a regular file takes them at once; a short write goes on),
        then fsync if the log syncs."""
        with self._lock:
            view = memoryview(lines)
            while view:
                view = view[os.write(self._fd, view):]
            if self.sync:
                os.fsync(self._fd)

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
