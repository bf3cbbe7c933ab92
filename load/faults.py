"""`make load LOAD_FAULTS=1` (`run.py --faults`): the parts of the deployment fail at the peak,
one after the other, each while the load lasts, and the run shows what the visitors saw and
what was kept.

The run's own parts for it: a Redis server of its own on a free port (`--save '' --appendonly
no`: nothing written to disk), stopped and started again without touching the machine's; the
private files on moto's S3 server (a process of its own) behind a small proxy, `StoreSwitch`,
that answers `503 SlowDown` to every write (PUT, POST, DELETE) while it is switched to refuse;
and a supervisor for the background workers, which starts a worker that exited again after
RESTART_SECONDS, as systemd's `Restart=always` would.

The faults (`FaultPlan`), at fractions of the measured window (after the ramp-up):

- 20 %: a background worker killed (SIGKILL) while it holds a running form task;
- 40 %: PostgreSQL restarted (`pg_ctlcluster 15 main restart`; the machine's own cluster);
- 60 %: Redis stopped for 30 s;
- 80 %: the object store refusing writes for 30 s.

Each fault's start and end (seconds since locust started) are kept, with what it hit (the
worker's task); report.py reads the visitors' requests against them.
"""

from __future__ import annotations

import http.client
import http.server
import os
import signal
import socketserver
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from basics import step

from tests import servers

RESTART_SECONDS = 2.0
AWAY_SECONDS = 30.0
PG_CLUSTER = os.environ.get("LOAD_PG_CLUSTER", "15 main").split()
BUCKET = "registry-load"
FAULT_SHARES = {"worker": 0.2, "postgresql": 0.4, "redis": 0.6, "store": 0.8}


# --- Redis of the run's own -------------------------------------------------------------------


class OwnRedis:
    """A redis-server on a free port, nothing kept on disk; stop() and start() at will."""

    def __init__(self, log: Path):
        self.port = servers.free_port()
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
                + ["--save", "", "--appendonly", "no"],
                stdout=log,
                stderr=log,
            )
        import redis

        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # away at once, as a crashed or unreachable Redis
            self.process.wait()


# --- The object store, and its switch ----------------------------------------------------------


class Moto:
    """moto's S3 server in a process of its own, with the run's bucket."""

    def __init__(self, log: Path):
        self.port = servers.free_port()
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [servers.PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=log,
            )
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        for _ in range(200):
            try:
                client.create_bucket(Bucket=BUCKET)
                return
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.1)
        raise RuntimeError("moto did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)
WRITES = {"PUT", "POST", "DELETE"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


class StoreSwitch:
    """An HTTP proxy in front of moto: passes every request through, except that while
    `refusing` it answers the writes 503 SlowDown, as a busy S3 does (the reads still pass)."""

    def __init__(self, upstream_port: int):
        self.port = servers.free_port()
        self.refusing = threading.Event()
        self.refused = 0
        switch = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    out = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return out
                        out += self.rfile.read(size)
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _any(self):
                body = self._body()
                if self.command in WRITES and switch.refusing.is_set():
                    switch.refused += 1
                    self.send_response(503)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(SLOW_DOWN)))
                    self.send_header("Retry-After", "1")
                    self.end_headers()
                    self.wfile.write(SLOW_DOWN)
                    return
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"
                }
                headers["Content-Length"] = str(len(body))
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                finally:
                    upstream.close()
                self.send_response(answer.status)
                for k, v in answer.getheaders():
                    if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()


def store_env(switch: StoreSwitch) -> dict[str, str]:
    return {
        "REGISTRY_S3_BUCKET": BUCKET,
        "REGISTRY_S3_ENDPOINT_URL": switch.url,
        "REGISTRY_S3_REGION": "us-east-1",
        "REGISTRY_S3_ACCESS_KEY": "test",
        "REGISTRY_S3_SECRET_KEY": "test",
    }


# --- The workers' supervisor -------------------------------------------------------------------


class Supervisor(threading.Thread):
    """Starts again, after RESTART_SECONDS, any background worker of the deployment that
    exited (systemd's Restart=always, RestartSec=2)."""

    def __init__(self, deployment: servers.Deployment, start_worker):
        super().__init__(daemon=True)
        self.deployment = deployment
        self.start_worker = start_worker  # index -> a new Popen
        self.restarts: list[dict] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        while not self.stopping.wait(0.2):
            for index, worker in enumerate(list(self.deployment.workers)):
                code = worker.poll()
                if code is None:
                    continue
                exited = time.time()
                if self.stopping.wait(RESTART_SECONDS):
                    return
                with self.lock:
                    self.deployment.workers[index] = self.start_worker(index)
                self.restarts.append(
                    {"worker": index + 1, "exit_code": code, "exited_at": exited, "at": time.time()}
                )
                step(f"  supervisor: worker {index + 1} exited ({code}), started again")

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)


# --- The plan ----------------------------------------------------------------------------------


@dataclass
class Fault:
    kind: str
    planned_at: float  # seconds since locust started
    started_at: float | None = None  # epoch seconds
    ended_at: float | None = None
    detail: dict = field(default_factory=dict)


class FaultPlan(threading.Thread):
    """Runs the faults at their times (seconds after `t0`, the load's start)."""

    def __init__(
        self,
        *,
        warmup: float,
        seconds: float,
        database_url: str,
        deployment: servers.Deployment,
        redis: OwnRedis,
        switch: StoreSwitch,
        task_path: str,
    ):
        super().__init__(daemon=True)
        self.faults = [
            Fault(kind, warmup + share * seconds) for kind, share in FAULT_SHARES.items()
        ]
        self.database_url = database_url
        self.deployment = deployment
        self.redis = redis
        self.switch = switch
        self.task_path = task_path
        self.t0 = time.time()
        self.errors: list[str] = []

    def run(self) -> None:
        for fault in self.faults:
            delay = self.t0 + fault.planned_at - time.time()
            if delay > 0:
                time.sleep(delay)
            try:
                getattr(self, f"_{fault.kind}")(fault)
            except Exception as exc:  # noqa: BLE001 - reported with the results
                self.errors.append(f"{fault.kind}: {type(exc).__name__}: {exc}")
                step(f"  fault {fault.kind} failed: {exc}")

    def _running_task(self) -> tuple[str, int] | None:
        """A running form task and the pid of the worker holding it."""
        with psycopg.connect(self.database_url, autocommit=True) as db:
            row = db.execute(
                "SELECT id, worker_ids FROM django_tasks_database_dbtaskresult"
                " WHERE status = 'RUNNING' AND task_path = %s ORDER BY started_at DESC LIMIT 1",
                (self.task_path,),
            ).fetchone()
        if row is None or not row[1]:
            return None
        pid = row[1][-1].split(":")[1]
        return str(row[0]), int(pid)

    def _worker(self, fault: Fault) -> None:
        deadline = time.time() + 60
        while time.time() < deadline:
            found = self._running_task()
            if found:
                task, pid = found
                if any(w.pid == pid and w.poll() is None for w in self.deployment.workers):
                    fault.started_at = time.time()
                    os.kill(pid, signal.SIGKILL)
                    fault.detail = {"task": task, "pid": pid}
                    step(f"  fault: worker (pid {pid}) killed while running task {task[:8]}")
                    self._wait_task(fault, task)
                    return
            time.sleep(0.02)
        raise RuntimeError("no running form task to interrupt in 60 s")

    def _wait_task(self, fault: Fault, task: str) -> None:
        """Until the killed task's form is stored (by that task, put back and run again, or by
        its retry after a later fault): a thread of its own, the plan goes on meanwhile."""

        def wait() -> None:
            deadline = time.time() + 1200
            while time.time() < deadline:
                try:
                    with psycopg.connect(self.database_url, autocommit=True) as db:
                        row = db.execute(
                            "SELECT r.status, r.finished_at, r.id = t.id"
                            " FROM django_tasks_database_dbtaskresult t"
                            " JOIN django_tasks_database_dbtaskresult r"
                            "  ON r.task_path = t.task_path"
                            "  AND r.args_kwargs->'args' = t.args_kwargs->'args'"
                            " WHERE t.id = %s AND r.status = 'SUCCESSFUL'",
                            (task,),
                        ).fetchone()
                except psycopg.Error:
                    row = None
                if row is not None:
                    fault.detail |= {
                        "form_stored_s": round(row[1].timestamp() - fault.started_at, 1),
                        "stored_by": "the killed task, run again" if row[2] else "its retry",
                    }
                    return
                time.sleep(0.5)

        threading.Thread(target=wait, daemon=True).start()

    def _postgresql(self, fault: Fault) -> None:
        fault.started_at = time.time()
        step(f"  fault: pg_ctlcluster {' '.join(PG_CLUSTER)} restart")
        subprocess.run(["pg_ctlcluster", *PG_CLUSTER, "restart"], check=True, capture_output=True)
        fault.ended_at = time.time()
        fault.detail = {"restart_s": round(fault.ended_at - fault.started_at, 1)}

    def _redis(self, fault: Fault) -> None:
        fault.started_at = time.time()
        step(f"  fault: Redis stopped for {AWAY_SECONDS:g} s")
        self.redis.stop()
        time.sleep(AWAY_SECONDS)
        self.redis.start()
        fault.ended_at = time.time()

    def _store(self, fault: Fault) -> None:
        fault.started_at = time.time()
        step(f"  fault: the object store refuses writes for {AWAY_SECONDS:g} s")
        self.switch.refusing.set()
        time.sleep(AWAY_SECONDS)
        self.switch.refusing.clear()
        fault.ended_at = time.time()
        fault.detail = {"writes_refused": self.switch.refused}

    def summary(self) -> list[dict]:
        return [
            {
                "kind": f.kind,
                "planned_s": round(f.planned_at, 1),
                "started_at": f.started_at,
                "ended_at": f.ended_at,
                **f.detail,
            }
            for f in self.faults
        ]
