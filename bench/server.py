"""The portal under gunicorn on a loopback port, loaded by wrk: a baseline and a subject measured in turns."""

import http.client
import json
import socket
import statistics
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.environment import PYTHON, ROOT, django_env
from bench.profiles import Profile


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with the production settings on a loopback port: two sync workers, one per core (and wrk keeps
    two connections busy, so that latency is service time, not time queued behind another request), unless told
    otherwise (the scale-out measurement)."""

    def __init__(self, database: str, secret: str, workers: int = 2):
        self.port = free_port()
        self.log = open(ROOT / "var" / f"bench-gunicorn-{database}-{workers}.log", "w")  # noqa: SIM115
        gunicorn = str(Path(PYTHON).parent / "gunicorn")
        command = [gunicorn, "ess_portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(  # noqa: S603
            [*command, "--workers", str(workers), "--timeout", "120", "--log-level", "warning"],
            cwd=ROOT,
            env=django_env(database, secret),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not answer on port {self.port}; see {self.log.name}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def check_page(server: Server, path: str, header: str) -> None:
    """The page answers 200 to this session or token (not a redirect to sign in or to enrol MFA)."""
    name, _, value = header.partition(": ")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request("GET", path, headers={name: value})
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}, not 200")


def wrk(server: Server, path: str, header: str, seconds: int, connections: int = 2) -> dict:
    """Load ``path`` for ``seconds`` sending ``header`` (the session cookie or the API token): throughput, latency
    percentiles and errors (any error fails the run)."""
    command = ["wrk", "-t", "2", "-c", str(connections), "--timeout", "30s", "-H", header]
    script = ["-s", str(ROOT / "bench" / "wrk_report.lua")]
    done = subprocess.run(  # noqa: S603
        [*command, *script, "-d", f"{seconds}s", server.url(path)], check=True, capture_output=True, text=True
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["errors"] or figures["non2xx"]:
        raise SystemExit(f"wrk on {path}: {figures['errors']} errors, {figures['non2xx']} non-2xx answers")
    figures["throughput"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["p95_ms"] = figures["p95_us"] / 1000
    figures["p50_ms"] = figures["p50_us"] / 1000
    return figures


@dataclass(frozen=True)
class Target:
    server: Server
    path: str
    header: str  # "Cookie: sessionid=…" or "Authorization: Bearer …"


def paired(baseline: Target, subject: Target, profile: Profile) -> dict:
    """Baseline and subject loaded in turns (after a warm-up of each), so that load from elsewhere on a shared
    machine falls on both alike; each figure is the median over the turns."""
    for target in (baseline, subject):
        for _ in range(3):  # the first requests of a worker fill its caches; a warm-up run does the rest
            check_page(target.server, target.path, target.header)
        if profile.warmup_seconds:
            wrk(target.server, target.path, target.header, profile.warmup_seconds)
    turns = {"baseline": [], "subject": []}
    for _ in range(profile.turns):
        for name, target in (("baseline", baseline), ("subject", subject)):
            turns[name].append(wrk(target.server, target.path, target.header, profile.wrk_seconds))
    result = {}
    for name, figures in turns.items():
        result[name] = {
            key: statistics.median(f[key] for f in figures) for key in ("throughput", "p95_ms", "p50_ms", "requests")
        }
        result[name]["turns"] = figures
    # The ratios of each turn's neighbours (a few seconds apart), then their median: drift cancels out.
    result["ratios"] = {
        key: statistics.median(s[key] / b[key] for b, s in zip(turns["baseline"], turns["subject"], strict=True))
        for key in ("throughput", "p95_ms", "p50_ms")
    }
    return result
