"""The machine under the load test: the CPU each part of the run used (servers, worker,
PostgreSQL, Redis, locust, everything else, and what the host took), a reference loop for its
speed, and the wait for other processes to leave the CPU alone before measuring."""

from __future__ import annotations

import math
import time

import psutil
from basics import step

from tests import servers


class CpuMeter:
    """CPU (in cores) of the servers, the worker, PostgreSQL's backends of the run's database,
    Redis, locust, and everything else on the machine, between `mark` and `since`."""

    def __init__(self, deployment: servers.Deployment, database: str):
        self.deployment = deployment
        self.database = database
        self.locust: psutil.Process | None = None

    def _groups(self) -> dict[int, str]:
        """pid -> group, for the processes of the run."""
        out: dict[int, str] = {}

        def tree(pid: int, group: str) -> None:
            try:
                parent = psutil.Process(pid)
                for process in [parent, *parent.children(recursive=True)]:
                    out[process.pid] = group
            except psutil.NoSuchProcess:
                pass

        for server in self.deployment.processes:
            tree(server.pid, "gunicorn servers")
        for worker in self.deployment.workers:
            tree(worker.pid, "workers (nice)")
        if self.locust:
            tree(self.locust.pid, "locust")
        for process in psutil.process_iter(["name", "cmdline"]):
            name, command = process.info["name"] or "", " ".join(process.info["cmdline"] or [])
            if name.startswith("postgres") and f" {self.database} " in command:
                out[process.pid] = "postgresql"
            elif name.startswith("redis"):
                out[process.pid] = "redis"
        return out

    @staticmethod
    def _cpu(pid: int) -> float | None:
        try:
            times = psutil.Process(pid).cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        return times.user + times.system

    @staticmethod
    def _busy() -> tuple[float, float]:
        """CPU seconds the machine was busy, and of those the ones the host took for its other
        guests (steal: a virtual machine's core waiting for a real one)."""
        times = psutil.cpu_times()
        steal = getattr(times, "steal", 0.0)
        return sum(times) - times.idle - getattr(times, "iowait", 0.0), steal

    def mark(self, locust: psutil.Process | None = None) -> None:
        self.locust = locust
        self.groups = self._groups()
        self.start = {pid: self._cpu(pid) for pid in self.groups}
        self.start_busy, self.start_steal = self._busy()
        self.started = time.monotonic()

    def since(self) -> dict[str, float]:
        wall = time.monotonic() - self.started
        groups = {**self.groups, **self._groups()}
        used: dict[str, float] = {g: 0.0 for g in dict.fromkeys(groups.values())}
        for pid, group in groups.items():
            now = self._cpu(pid)
            if now is not None:  # a process that ended meanwhile is left out
                used[group] += now - (self.start.get(pid) or 0.0)
        ours = sum(used.values())
        busy, steal = self._busy()
        stolen = steal - self.start_steal
        used["everything else"] = max(0.0, busy - self.start_busy - stolen - ours)
        used["taken by the host (steal)"] = stolen
        return {group: round(seconds / wall, 2) for group, seconds in used.items()}

    def quiet(self, seconds: float = 5) -> float:
        """Cores used by processes not of the run, over a few seconds."""
        self.mark()
        time.sleep(seconds)
        return self.since()["everything else"]


def reference_ms() -> float:
    """This machine's speed now: the best of five runs of a fixed piece of pure Python, in
    milliseconds (the same code takes longer on a slower or busier CPU; a virtual machine's
    varies with its neighbours). Printed with the figures, to compare runs."""
    best = math.inf
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for n in range(300_000):
            total += n * n % 7
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def wait_for_quiet(meter: CpuMeter, limit: float) -> None:
    """The figures mean something only on a machine doing nothing else: wait (up to `limit`
    seconds) while other processes use more than a fifth of a core."""
    deadline = time.monotonic() + limit
    while True:
        others = meter.quiet()
        if others < 0.2:
            return
        if time.monotonic() > deadline:
            step(f"WARNING: other processes use {others:.2f} cores; measuring anyway")
            return
        step(f"other processes use {others:.2f} cores: waiting for the machine to be quiet")
        time.sleep(10)
