"""Load on the HTTP decision service: single requests, then batches, with the decision log off and on.

The server is `repartition servir` (one uvicorn worker) started in its own process on 127.0.0.1 on
a free port; this process is the client. Counts and time are bounded: every phase stops at its
count or at --temps-max seconds, whichever comes first, and says so. Every answer is checked, byte
for byte, against the JSON of the Python API's `Decision.to_dict()` for that household (a batch
against the whole expected response): any other answer counts as an error.

The client must cost far less than the server, or it is the client that is measured: an asyncio
`httpx` client spends 600 to 700 µs of processor per request, four times what the server spends.
So each concurrent client speaks HTTP/1.1 itself over its own keep-alive connection (opened
before the clock starts; one request at a time on it, no pipelining): it writes the request's
bytes, built once, and reads the status line, the headers and the body (by Content-Length or
chunked). Both processes' processor time is measured: the server's per request says what one
server worker does on a core of its own.

Run: python benchmarks/bench_service.py [--charte FICHIER] [--requetes 20000] [--clients 32]
     [--menages 1000000] [--lot 10000] [--lots-en-vol 2] [--temps-max 300]
     [--sans-journal | --avec-journal]
(the machine is shared: numbers are indicative; see shared/performance.md for how to read them).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import repartition  # noqa: E402
from benchmarks import households as generators  # noqa: E402
from benchmarks.bench_routing import as_json  # noqa: E402

GENERATORS = {"dispositif-repartition.regles": generators.fiche_households,
              "exemple-departemental.regles": generators.departemental_households}


def start_server(charter: Path, journal: Path | None) -> tuple[subprocess.Popen, str]:
    """`repartition servir` on 127.0.0.1 on a free port; returns the process and its address (host:port)."""
    command = [sys.executable, "-m", "repartition", "servir", "--charte", str(charter), "--port", "0",
               "--intervalle", "0"]
    if journal is not None:
        command += ["--journal", str(journal)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()  # « … à l'écoute sur http://127.0.0.1:PORT/ — … »
    if "http://" not in line:
        server.kill()
        raise SystemExit(f"le serveur n'a pas démarré : {line!r}")
    return server, line.split("http://", 1)[1].split("/", 1)[0]


def server_cpu(pid: int) -> float:
    """Processor seconds (user + system) the server has used so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def dumps(value: object) -> bytes:
    """The service's JSON: compact, UTF-8."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def post(address: str, path: str, body: bytes) -> bytes:
    """A POST request's bytes, for a keep-alive connection."""
    return (b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (path.encode(), address.encode(), len(body), body))


class Connection:
    """One keep-alive HTTP/1.1 connection: one request at a time, its answer read in full."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, address: str) -> "Connection":
        host, port = address.rsplit(":", 1)
        return cls(*await asyncio.open_connection(host, int(port)))

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """The status and body of the answer to `request` (bytes from `post`)."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers = head.lower()
        at = headers.find(b"\r\ncontent-length:")
        if at >= 0:
            return status, await self.reader.readexactly(int(headers[at + 17:headers.index(b"\r\n", at + 2)]))
        if b"\r\ntransfer-encoding: chunked" not in headers:
            raise ValueError(f"réponse sans longueur : {head!r}")
        chunks = []
        while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)
        await self.reader.readuntil(b"\r\n")  # no trailers: the empty line after the last chunk
        return status, b"".join(chunks)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


async def singles(address: str, bodies: list[bytes], expected: list[bytes], count: int, clients: int,
                  deadline: float) -> dict:
    """`count` POST /orienter from `clients` concurrent connections; latency of each; every answer
    compared with the expected bytes."""
    requests = [post(address, "/orienter", body) for body in bodies]
    connections = [await Connection.open(address) for _ in range(clients)]
    for connection in connections:  # each connection used once before the clock starts
        await connection.send(requests[0])
    latencies: list[float] = []
    errors = 0
    numbers = itertools.count()

    async def client(connection: Connection) -> None:
        nonlocal errors
        while (i := next(numbers)) < count and time.perf_counter() < deadline:
            j = i % len(requests)
            start = time.perf_counter()
            status, content = await connection.send(requests[j])
            latencies.append(time.perf_counter() - start)
            if status != 200 or content != expected[j]:
                errors += 1

    start, processor = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client(c) for c in connections))
    elapsed, processor = time.perf_counter() - start, time.process_time() - processor
    for connection in connections:
        await connection.close()
    return {"requetes": len(latencies), "erreurs": errors, "duree_s": elapsed,
            "par_seconde": len(latencies) / elapsed, "p50_ms": 1000 * percentile(latencies, 0.50),
            "p99_ms": 1000 * percentile(latencies, 0.99),
            "cpu_client_us_par_requete": 1e6 * processor / max(1, len(latencies))}


async def batches(address: str, bodies: list[bytes], expected: list[bytes], sizes: list[int], total: int,
                  in_flight: int, deadline: float) -> dict:
    """`total` households through POST /orienter/lot, one body of `bodies` per request in turn,
    `in_flight` requests at once; each response compared with the expected one."""
    requests = [post(address, "/orienter/lot", body) for body in bodies]
    connections = [await Connection.open(address) for _ in range(in_flight)]
    latencies: list[float] = []
    routed = errors = 0
    numbers = itertools.count()
    remaining = total

    async def client(connection: Connection) -> None:
        nonlocal routed, errors, remaining
        while remaining > 0 and time.perf_counter() < deadline:
            j = next(numbers) % len(requests)
            remaining -= sizes[j]
            start = time.perf_counter()
            status, content = await connection.send(requests[j])
            latencies.append(time.perf_counter() - start)
            if status == 200 and content == expected[j]:
                routed += sizes[j]
            else:  # count the households whose answer differs
                right = _same_decisions(content, expected[j]) if status == 200 else 0
                routed += right
                errors += sizes[j] - right

    start, processor = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client(c) for c in connections))
    elapsed, processor = time.perf_counter() - start, time.process_time() - processor
    for connection in connections:
        await connection.close()
    return {"menages": routed, "requetes": len(latencies), "erreurs": errors, "duree_s": elapsed,
            "menages_par_seconde": routed / elapsed, "p50_ms": 1000 * percentile(latencies, 0.50),
            "p99_ms": 1000 * percentile(latencies, 0.99),
            "cpu_client_us_par_menage": 1e6 * processor / max(1, routed)}


def _same_decisions(response: bytes, expected: bytes) -> int:
    """How many items of a batch's response are the expected decisions, in place."""
    try:
        got = [item.get("decision") for item in json.loads(response)]
    except (ValueError, AttributeError):
        return 0
    return sum(g == e["decision"] for g, e in zip(got, json.loads(expected)))


def routable(charter: repartition.Charter, generate, count: int) -> list[dict]:
    """`count` JSON households the charter routes (the benchmark counts any error as a failure)."""
    found = []
    for row in generate(count * 2):
        household = as_json(charter, row)
        try:
            charter.route(household)
        except repartition.RepartitionError:
            continue
        found.append(household)
        if len(found) == count:
            break
    return found


def run_client(coroutine):
    """Run the client's coroutine on uvloop when it is installed (as the server does), else asyncio."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def run(args: argparse.Namespace, journal: bool) -> dict:
    path = repartition.bundled_charter(args.charte)
    charter = repartition.load_charter(path)
    households = routable(charter, GENERATORS[args.charte], args.distincts)
    answers = [dumps(charter.route(h).to_dict()) for h in households]
    lots = [(households[i:i + args.lot], answers[i:i + args.lot]) for i in range(0, len(households), args.lot)]
    lot_bodies = [json.dumps(h).encode() for h, _ in lots]
    lot_answers = [b"[" + b",".join(b'{"ligne":%d,"decision":%s}' % (n, a) for n, a in enumerate(e, 1)) + b"]"
                   for _, e in lots]
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder, "journal.jsonl") if journal else None
        server, address = start_server(path, log)
        try:
            load = load_average()
            cpu = server_cpu(server.pid)
            one = run_client(singles(address, [json.dumps(h).encode() for h in households], answers, args.requetes,
                                     args.clients, time.perf_counter() + args.temps_max))
            one["cpu_serveur_us_par_requete"] = 1e6 * (server_cpu(server.pid) - cpu) / max(1, one["requetes"])
            cpu = server_cpu(server.pid)
            deadline = time.perf_counter() + args.temps_max
            many = run_client(batches(address, lot_bodies, lot_answers, [len(h) for h, _ in lots], args.menages,
                                      args.lots_en_vol, deadline))
            many["cpu_serveur_us_par_menage"] = 1e6 * (server_cpu(server.pid) - cpu) / max(1, many["menages"])
        finally:
            server.terminate()
            server.wait(timeout=30)
        lines = sum(1 for _ in log.open("rb")) if log is not None else None
    return {"journal": journal, "lignes_journal": lines, "charge_avant": load, "charge_apres": load_average(),
            "unitaires": one, "lots": many}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charte", default="dispositif-repartition.regles", choices=sorted(GENERATORS))
    parser.add_argument("--requetes", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--menages", type=int, default=1_000_000)
    parser.add_argument("--lot", type=int, default=10_000)
    parser.add_argument("--lots-en-vol", type=int, default=2)
    parser.add_argument("--distincts", type=int, default=20_000, help="ménages différents, envoyés en boucle")
    parser.add_argument("--temps-max", type=float, default=300.0, help="secondes au plus par phase")
    journal = parser.add_mutually_exclusive_group()
    journal.add_argument("--sans-journal", action="store_true")
    journal.add_argument("--avec-journal", action="store_true")
    args = parser.parse_args()
    modes = [False] if args.sans_journal else [True] if args.avec_journal else [False, True]
    print(f"charte {args.charte} ; {os.cpu_count()} processeurs (partagés : chiffres indicatifs)")
    for journal in modes:
        result = run(args, journal)
        one, many = result["unitaires"], result["lots"]
        print(f"\njournal {'activé' if journal else 'désactivé'}"
              + (f" ({result['lignes_journal']} lignes écrites)" if journal else "")
              + f" ; charge moyenne de la machine {result['charge_avant']:.1f} puis {result['charge_apres']:.1f}")
        print(f"  unitaires : {one['requetes']} requêtes, "
              f"{one['par_seconde']:.0f} décisions/s, "
              f"p50 {one['p50_ms']:.1f} ms, p99 {one['p99_ms']:.1f} ms, {one['erreurs']} erreurs ; "
              f"processeur par requête : serveur {one['cpu_serveur_us_par_requete']:.0f} µs "
              f"(un cœur : {1e6 / one['cpu_serveur_us_par_requete']:.0f} décisions/s), "
              f"client {one['cpu_client_us_par_requete']:.0f} µs")
        print(f"  lots      : {many['menages']} ménages en {many['requetes']} requêtes, "
              f"{many['menages_par_seconde']:.0f} ménages/s, p50 {many['p50_ms']:.0f} ms, "
              f"p99 {many['p99_ms']:.0f} ms par lot, {many['erreurs']} erreurs ; "
              f"processeur par ménage : serveur {many['cpu_serveur_us_par_menage']:.1f} µs "
              f"(un cœur : {1e6 / many['cpu_serveur_us_par_menage']:.0f} ménages/s), "
              f"client {many['cpu_client_us_par_menage']:.1f} µs")
        print("  " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
