"""A throwaway PostgreSQL server for tests: initdb in a temporary folder, a unix socket there, stopped at the end.

PostgreSQL refuses to run as root: as root the server runs as the `postgres` user (`runuser`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["binaries", "throwaway_server"]

_PORT = 54329  # on a unix socket in the server's own folder: no clash with another server


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: from pg_config, or Debian's /usr/lib/postgresql/N/bin."""
    config = shutil.which("pg_config")
    if config:
        found = subprocess.run([config, "--bindir"], capture_output=True, text=True).stdout.strip()
        if found and Path(found, "initdb").exists():
            return Path(found)
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "initdb").exists():
            return Path(folder)
    return None


@contextlib.contextmanager
def throwaway_server():
    """Start a server; yield psycopg's connection keywords; stop it and remove its folder."""
    bindir = binaries()
    if bindir is None:
        raise FileNotFoundError("initdb introuvable (paquet Debian « postgresql »)")
    folder = Path(tempfile.mkdtemp(prefix="repartition-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    data = folder / "donnees"

    def run(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "journal"), "-w", "-o",
            f"-k {folder} -c listen_addresses='' -p {_PORT} -c fsync=off", "start")
        try:
            yield {"host": str(folder), "port": _PORT, "user": "postgres", "dbname": "postgres"}
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
