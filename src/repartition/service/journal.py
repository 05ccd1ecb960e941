"""The decision log: one JSON line per decision, appended whole, flushed at once, synced on request."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any, Iterable

from ..errors import RepartitionError, os_reason

__all__ = ["DecisionLog", "input_digest", "log_lines"]


def input_digest(household: object) -> str:
    """sha256 of the household as canonical JSON (sorted keys, no spaces, UTF-8): the same input
    gives the same digest whatever its key order or spacing."""
    text = json.dumps(household, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def log_lines(*, request: str, sha256: str, version: str | None, facts: bool,
              items: Iterable[tuple[int | None, object, dict[str, Any], bool]]) -> bytes:
    """The log's lines for one request's outcomes (documented in docs/service.rst), newlines included.

    Each item is (its place in a batch or None, the household as received, the decision's or the
    refusal's JSON body, whether it is a decision). All lines of a request share its time."""
    when = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")
    head = _dumps({"horodatage": when, "requete": request})[:-1]
    charter = ',"charte":' + _dumps({"version": version, "sha256": sha256})
    lines = []
    for item, household, body, decided in items:
        if decided:
            entry = {"service": body["service"], "unite": body["unite"], "regle": body["regle"]}
            if facts:
                entry["faits"] = body["faits"]
        else:
            entry = {"service": None, "erreur": "non_oriente", "nature": body["nature"], "regles": body["regles"]}
        entry["empreinte"] = input_digest(household)
        place = "" if item is None else f',"ligne":{item}'
        lines.append(f"{head}{place}{charter},{_dumps(entry)[1:]}\n")
    return "".join(lines).encode("utf-8")


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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

    def record(self, request: str, sha256: str, version: str | None,
               items: Iterable[tuple[int | None, object, dict[str, Any], bool]]) -> None:
        """Log one request's decisions and refusals."""
        self.write(log_lines(request=request, sha256=sha256, version=version, facts=self.facts, items=items))

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
