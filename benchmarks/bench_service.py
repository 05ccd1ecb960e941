"""Load on the HTTP decision service: single requests, then batches, with the decision log off and on.

The server is `repartition servir` (one uvicorn worker) started in its own process on 127.0.0.1 on
a free port; this process is the client, an asyncio `httpx` client. Counts and time are bounded:
every phase stops at its count or at --temps-max seconds, whichever comes first, and says so.
Every response is checked: a single request must answer 200 with a decision; a batch must give
one decision per household, in order (the first batch is also compared, decision by decision,
with the Python API). Anything else counts as an error.

Run: python benchmarks/bench_service.py [--charte FICHIER] [--requetes 20000] [--clients 32]
     [--menages 1000000] [--lot 10000] [--lots-en-vol 2] [--temps-max 300] [--sans-journal | --avec-journal]
(the machine is shared: numbers are indicative; see shared/performance.md for how to read them).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import httpx  # noqa: E402

import repartition  # noqa: E402
from benchmarks import households as generators  # noqa: E402
from benchmarks.bench_routing import as_json  # noqa: E402

GENERATORS = {"dispositif-repartition.regles": generators.fiche_households,
              "exemple-departemental.regles": generators.departemental_households}


def start_server(charter: Path, journal: Path | None) -> tuple[subprocess.Popen, str]:
    """`repartition servir` on 127.0.0.1 on a free port; returns the process and its base URL."""
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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def singles(url: str, households: list[dict], count: int, clients: int, deadline: float) -> dict:
    """`count` POST /orienter from `clients` concurrent connections; latency of each, errors counted.

    Each concurrent client has its own connection (an httpx pool shared by 32 tasks spends more time
    finding a free connection than sending), and the requests are built once, before the clock starts."""
    latencies: list[float] = []
    errors = 0
    numbers = itertools.count()
    with httpx.Client(base_url=f"http://{url}") as builder:
        requests = [builder.build_request("POST", "/orienter", content=json.dumps(h).encode(),
                                          headers={"content-type": "application/json"}) for h in households]

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=f"http://{url}", timeout=60, trust_env=False) as http:
            while (i := next(numbers)) < count and time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await http.send(requests[i % len(requests)])
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200 or not response.content.startswith(b'{"service":'):
                    errors += 1

    start, processor = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    return {"requetes": len(latencies), "erreurs": errors, "duree_s": elapsed,
            "par_seconde": len(latencies) / elapsed, "p50_ms": 1000 * percentile(latencies, 0.50),
            "p99_ms": 1000 * percentile(latencies, 0.99),
            "cpu_client_us_par_requete": 1e6 * (time.process_time() - processor) / max(1, len(latencies))}


async def batches(url: str, households: list[dict], total: int, size: int, in_flight: int, deadline: float,
                  expected: list[dict]) -> dict:
    """`total` households through POST /orienter/lot, `size` per request, `in_flight` requests at once."""
    bodies = [json.dumps(households[i:i + size]).encode() for i in range(0, len(households), size)]
    latencies: list[float] = []
    routed = errors = 0
    numbers = itertools.count()
    requests = -(-total // size)
    checked = False

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal routed, errors, checked
        while (i := next(numbers)) < requests and time.perf_counter() < deadline:
            body = bodies[i % len(bodies)]
            start = time.perf_counter()
            response = await http.post("/orienter/lot", content=body, headers={"content-type": "application/json"})
            latencies.append(time.perf_counter() - start)
            content = response.content
            items = content.count(b'{"ligne":')
            decisions = content.count(b',"decision":{')  # quotes inside JSON strings are escaped: keys only
            sent = min(size, len(households) - (i % len(bodies)) * size)
            routed += decisions
            errors += (sent - decisions) if response.status_code == 200 and items == sent else sent
            if not checked and i % len(bodies) == 0:  # once: every decision, as the Python API gives it
                checked = True
                got = [item["decision"] for item in response.json()]
                errors += sum(g != e for g, e in zip(got, expected))

    async with httpx.AsyncClient(base_url=f"http://{url}", timeout=300, trust_env=False) as http:
        start, processor = time.perf_counter(), time.process_time()
        await asyncio.gather(*(client(http) for _ in range(in_flight)))
        elapsed = time.perf_counter() - start
    return {"menages": routed, "requetes": len(latencies), "erreurs": errors, "duree_s": elapsed,
            "menages_par_seconde": routed / elapsed, "p50_ms": 1000 * percentile(latencies, 0.50),
            "p99_ms": 1000 * percentile(latencies, 0.99),
            "cpu_client_us_par_menage": 1e6 * (time.process_time() - processor) / max(1, routed)}


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


def run(args: argparse.Namespace, journal: bool) -> dict:
    path = repartition.bundled_charter(args.charte)
    charter = repartition.load_charter(path)
    households = routable(charter, GENERATORS[args.charte], args.distincts)
    expected = [charter.route(h).to_dict() for h in households[:args.lot]]
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder, "journal.jsonl") if journal else None
        server, url = start_server(path, log)
        try:
            cpu = server_cpu(server.pid)
            deadline = time.perf_counter() + args.temps_max
            one = asyncio.run(singles(url, households, args.requetes, args.clients, deadline))
            one["cpu_serveur_us_par_requete"] = 1e6 * (server_cpu(server.pid) - cpu) / max(1, one["requetes"])
            cpu = server_cpu(server.pid)
            deadline = time.perf_counter() + args.temps_max
            many = asyncio.run(batches(url, households, args.menages, args.lot, args.lots_en_vol, deadline, expected))
            many["cpu_serveur_us_par_menage"] = 1e6 * (server_cpu(server.pid) - cpu) / max(1, many["menages"])
        finally:
            server.terminate()
            server.wait(timeout=30)
        lines = sum(1 for _ in log.open("rb")) if log is not None else None
    return {"journal": journal, "lignes_journal": lines, "unitaires": one, "lots": many}


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
              + (f" ({result['lignes_journal']} lignes écrites)" if journal else ""))
        print(f"  unitaires : {one['requetes']} requêtes, {one['par_seconde']:.0f} décisions/s, "
              f"p50 {one['p50_ms']:.1f} ms, p99 {one['p99_ms']:.1f} ms, {one['erreurs']} erreurs ; "
              f"processeur par requête : serveur {one['cpu_serveur_us_par_requete']:.0f} µs, "
              f"client {one['cpu_client_us_par_requete']:.0f} µs")
        print(f"  lots      : {many['menages']} ménages en {many['requetes']} requêtes, "
              f"{many['menages_par_seconde']:.0f} ménages/s, p50 {many['p50_ms']:.0f} ms, "
              f"p99 {many['p99_ms']:.0f} ms par lot, {many['erreurs']} erreurs ; "
              f"processeur par ménage : serveur {many['cpu_serveur_us_par_menage']:.1f} µs, "
              f"client {many['cpu_client_us_par_menage']:.1f} µs")
        print("  " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
