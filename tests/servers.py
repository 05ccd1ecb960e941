"""The real decision service for tests: `repartition servir` run by uvicorn in a subprocess, on 127.0.0.1, on a
free port (the one it prints), stopped at the end."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

__all__ = ["Server", "wait_until"]


class Server:
    """`repartition servir --port 0 ARGS…` in a subprocess; `url` once it listens, `stop()` to end it."""

    def __init__(self, *args: str | Path, timeout: float = 60.0):
        command = [sys.executable, "-m", "repartition", "servir", "--port", "0", *map(str, args)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if "http://" not in line:
            self.stop()
            raise RuntimeError(f"le service n'a pas démarré : {line!r} {self.process.stderr.read()!r}")
        #: The first line it printed (address, charter, sha256).
        self.banner = line
        self.url = "http://" + line.split("http://", 1)[1].split("/", 1)[0]

    def client(self, **options) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **options)

    def stop(self) -> str:
        """End the server (SIGTERM, as a supervisor would) and give what it wrote on standard error."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        error = self.process.stderr.read()
        self.process.stdout.close()
        self.process.stderr.close()
        return error

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_until(check, timeout: float = 30.0, every: float = 0.1):
    """Call `check` until it returns something true (returned), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"attendu en {timeout} s, jamais vu ({os.getpid()})")
        time.sleep(every)
