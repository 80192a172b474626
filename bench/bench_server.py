"""Benchmark the standalone mock against a bare Starlette route (issue 2).

    .venv/bin/python bench/bench_server.py [--duration 4] [--rounds 3] [--connections 32]
                                           [--loadgen auto|wrk|python] [--no-pin] [--no-bpe]
                                           [--no-peer]

Starts ``python -m mockserver serve --port 0 --rate-limits report --tokenizer approx`` as a real
subprocess (exactly as users do) and ``bench/bare_app.py`` (Starlette + uvicorn with uvloop,
httptools, one worker, no access log) as the baseline, then loads both with ``wrk`` in interleaved
rounds (bare/mock alternating, ABBA order) so machine load hits both sides alike:

  * varied prompts (issue 18, the headline): non-streaming chat with a different prompt on every
    request (wrk's Lua puts a counter in it, so nothing is memoised) vs the bare ``/chat`` route
    returning the mock's own response body (fixed bytes); and the same streamed (~50 chunks) vs a
    bare ``StreamingResponse`` yielding the mock's own SSE events one send each;
  * embeddings with a different input every request vs a bare ``/embeddings`` route returning
    the mock's own 1,536-float answer;
  * one repeated request: ``POST .../chat/completions`` with ``max_tokens: 50`` and the same body
    every time (the memo answers it) vs the same bare routes; streamed: 50 content chunks, no
    simulated latency.

The peer (issue 18, ``bench/peer.py``): when ``node`` and ``npm`` are on PATH, the Node mock
``@copilotkit/aimock`` (pinned version, installed once into the bench cache) runs the same cases in
the same interleaved rounds (bare, mock, peer; then peer, mock, bare), pinned like the others, with one
catch-all fixture answering the mock's own text; its rows show the mock/peer ratio. ``--no-peer``
skips it; a missing Node, a failed install or a failed check of its answers prints why and the bench
goes on without it.

It prints requests/s, p50 and p99 latency per side, the mock/bare ratio (median of the per-round
ratios), the mock's resident memory after the runs (approx tokenizer; and bpe when bpe-openai is
importable), the time from launching ``aoai-mock serve`` to its first answers, and PASS/MISS per
target. Every subprocess is killed at exit, also on error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import peer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
AOAI_MOCK = Path(PY).parent / "aoai-mock"

DEPLOYMENT = "gpt-4o-mini"
CHAT_PATH = f"/openai/deployments/{DEPLOYMENT}/chat/completions?api-version=2024-10-21"
PROMPT = "Hello, how are you today? Tell me about the weather in Paris."
CHAT_BODY = {"messages": [{"role": "user", "content": PROMPT}], "max_tokens": 50}
STREAM_BODY = {**CHAT_BODY, "stream": True}
EMBEDDINGS_PATH = "/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21"
EMBEDDINGS_BODY = {"input": PROMPT}
HEADERS = {"Content-Type": "application/json", "api-key": "test"}
STREAM_CHUNKS = 50

TARGET_JSON_RATIO = 0.60  # one repeated request (issue 2)
TARGET_STREAM_RATIO = 0.50
TARGET_VARIED_RATIO = 0.50  # a different prompt every request (issue 18)
TARGET_VARIED_STREAM_RATIO = 1.00
TARGET_VARIED_EMBEDDINGS_RATIO = 0.50
TARGET_RSS_MIB = 80.0
TARGET_FIRST_REQUEST_S = 1.0

SERVER_CORE, CLIENT_CORE = "1", "0"

MOCK_ROOT = ROOT  # --mock-root: benchmark another checkout (e.g. a patched copy) with this venv
PROCS: list[subprocess.Popen[bytes]] = []
TMP = Path(tempfile.mkdtemp(prefix="aoai-bench-"))


# --- subprocesses ---------------------------------------------------------------------------------


def cleanup() -> None:
    for proc in PROCS:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 3
    for proc in PROCS:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    PROCS.clear()
    shutil.rmtree(TMP, ignore_errors=True)


def on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def pin(core: str | None) -> list[str]:
    return ["taskset", "-c", core] if core is not None else []


class Server:
    """A launched server subprocess: its port (from its banner line) and launch timings.

    The banner is the first line of stdout, or with ``banner`` the first line containing it.
    """

    def __init__(
        self, name: str, cmd: list[str], env: dict[str, str] | None = None, banner: str | None = None
    ) -> None:
        self.name = name
        self.stderr_path = TMP / f"{name}.stderr"
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd,
            cwd=MOCK_ROOT,
            env=env if env is not None else mock_env(),
            stdout=subprocess.PIPE,
            stderr=self.stderr_path.open("wb"),
            stdin=subprocess.DEVNULL,
        )
        PROCS.append(self.proc)
        self.lines: Queue[bytes] = Queue()
        threading.Thread(target=self.drain, daemon=True).start()  # keeps the stdout pipe from filling
        first = self.first_line(timeout=30)
        while banner is not None and banner not in first:
            first = self.first_line(timeout=30)
        self.t_banner = time.perf_counter() - self.t0
        self.banner = first
        self.port = int(first.rsplit(":", 1)[1].split()[0].strip("/"))

    def drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(b"")

    def first_line(self, timeout: float) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except Empty:
            line = b""
        if not line:
            self.proc.poll()
            raise RuntimeError(
                f"{self.name}: no banner (exit {self.proc.returncode}):\n"
                + self.stderr_path.read_text(errors="replace")[-3000:]
            )
        return line.decode().strip()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def mock_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for subprocesses: with --mock-root, that tree's ``mockserver`` comes first."""
    env = dict(os.environ if base is None else base)
    if MOCK_ROOT != ROOT:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(MOCK_ROOT), env.get("PYTHONPATH")]))
    return env


def serve_args(tokenizer: str) -> list[str]:
    """``serve`` on a free port, rate limits reported not enforced (see README)."""
    return ["serve", "--port", "0", "--rate-limits", "report", "--tokenizer", tokenizer]


def mock_cmd(tokenizer: str, core: str | None) -> list[str]:
    return [*pin(core), PY, "-m", "mockserver", *serve_args(tokenizer)]


# --- plain HTTP -----------------------------------------------------------------------------------


def request(
    port: int, method: str, path: str, body: dict[str, Any] | None = None, timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers=HEADERS if data else {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def wait_first(
    port: int, method: str, path: str, body: dict[str, Any] | None, t0: float, timeout: float = 15
) -> float:
    """Seconds from ``t0`` (the launch) to the first 200 answer, retrying every 2 ms."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            status, _, _ = request(port, method, path, body, timeout=timeout)
            if status == 200:
                return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.002)
    raise RuntimeError(f"no 200 from {method} {path} within {timeout}s")


def sse_events(data: bytes) -> list[bytes]:
    return [part + b"\n\n" for part in data.split(b"\n\n") if part.strip()]


def content_chunks(events: list[bytes]) -> int:
    count = 0
    for item in events:
        payload = item[len(b"data: ") :].strip()
        if payload == b"[DONE]":
            continue
        for choice in json.loads(payload).get("choices", []):
            if (choice.get("delta") or {}).get("content"):
                count += 1
    return count


# --- load generation ------------------------------------------------------------------------------

WRK_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\"requests\":%d,\"duration_us\":%d,\"p50_us\":%.1f,\"p99_us\":%.1f,\"status\":%d," ..
    "\"connect\":%d,\"read\":%d,\"write\":%d,\"timeout\":%d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect, e.read, e.write, e.timeout))
end
"""


# every request a different prompt (a counter in the text), so nothing is memoised: the cost of
# synthesising each answer, as a load test with real prompts sees it
WRK_VARIED = r"""
counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"messages":[{"role":"user","content":"Question %d: %s"}],"max_tokens":50%s}', counter, prompt, extra)
  return wrk.format(nil, nil, nil, body)
end
"""


WRK_VARIED_EMBEDDINGS = r"""
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, string.format('{"input":"Question %d: %s"}', counter, prompt))
end
"""


def wrk_varied_script(stream: bool, embeddings: bool = False) -> Path:
    extra = ',"stream":true' if stream else ""
    lines = ['wrk.method = "POST"', f"prompt = [==[{PROMPT}]==]", f"extra = [==[{extra}]==]"]
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in HEADERS.items()]
    name = "embeddings" if embeddings else "stream" if stream else "json"
    path = TMP / f"wrk-varied-{name}.lua"
    path.write_text(
        "\n".join(lines) + "\n" + (WRK_VARIED_EMBEDDINGS if embeddings else WRK_VARIED) + WRK_DONE
    )
    return path


def wrk_script(body: dict[str, Any]) -> Path:
    data = json.dumps(body)
    assert "]==]" not in data
    lines = ['wrk.method = "POST"', f"wrk.body = [==[{data}]==]"]
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in HEADERS.items()]
    path = TMP / f"wrk-{abs(hash(data))}.lua"
    path.write_text("\n".join(lines) + "\n" + WRK_DONE)
    return path


class Load:
    def __init__(self, kind: str, connections: int, client_core: str | None) -> None:
        self.kind = kind
        self.connections = connections
        self.core = client_core

    def run(self, url: str, body: dict[str, Any], seconds: float) -> dict[str, Any]:
        if self.kind == "wrk":
            return self.run_wrk(url, body, seconds)
        return self.run_python(url, body, seconds)

    def run_wrk(
        self, url: str, body: dict[str, Any], seconds: float, script: Path | None = None
    ) -> dict[str, Any]:
        cmd = [
            *pin(self.core),
            "wrk",
            "-t1",
            f"-c{self.connections}",
            f"-d{seconds:g}s",
            "--latency",
            "--timeout",
            "5s",
            "-s",
            str(script or wrk_script(body)),
            url,
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30, check=False)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout}\n{out.stderr}")
        raw = json.loads(line[len("WRKJSON ") :])
        secs = raw["duration_us"] / 1e6
        errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
        return {
            "rps": raw["requests"] / secs,
            "p50_ms": raw["p50_us"] / 1000,
            "p99_ms": raw["p99_us"] / 1000,
            "requests": raw["requests"],
            "status_errors": raw["status"],
            "socket_errors": errors,
        }

    def run_python(self, url: str, body: dict[str, Any], seconds: float) -> dict[str, Any]:
        cmd = [
            *pin(self.core),
            PY,
            str(HERE / "loadgen.py"),
            url,
            "--body",
            json.dumps(body),
            "-c",
            str(self.connections),
            "-d",
            str(seconds),
        ]
        cmd += [arg for k, v in HEADERS.items() for arg in ("-H", f"{k}: {v}")]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"loadgen failed: {out.stderr}")
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        return result


def ensure_wrk() -> bool:
    if shutil.which("wrk"):
        return True
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("installing wrk (apt-get install -y wrk) ...", flush=True)
        subprocess.run(
            "apt-get update -qq && apt-get install -y -qq wrk",
            shell=True,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=300,
        )
    return shutil.which("wrk") is not None


# --- measurements ---------------------------------------------------------------------------------


def rss_mib(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM (peak) of ``pid`` in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def startup(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds from launch to the banner, the first 200 from /_mock/health, the first 200 chat."""
    server = Server("startup", cmd, env)
    try:
        health = wait_first(server.port, "GET", "/_mock/health", None, server.t0)
        chat = wait_first(server.port, "POST", CHAT_PATH, CHAT_BODY, server.t0)
        return server.t_banner, health, chat
    finally:
        server.stop()


def measure_startups(runs: int) -> dict[str, list[tuple[float, float, float]]]:
    cmd = [
        str(AOAI_MOCK) if AOAI_MOCK.exists() else PY,
        *([] if AOAI_MOCK.exists() else ["-m", "mockserver"]),
        *serve_args("approx"),
    ]
    cold_env = mock_env()
    warm_env = {k: v for k, v in mock_env().items() if k != "PYTHONDONTWRITEBYTECODE"}
    warm_env["PYTHONPYCACHEPREFIX"] = str(TMP / "pycache")  # bytecode cache outside the source tree
    results: dict[str, list[tuple[float, float, float]]] = {"cold": [], "warm": []}
    startup(cmd, warm_env)  # primes the warm bytecode cache
    for _ in range(runs):  # interleaved, like everything else
        results["cold"].append(startup(cmd, cold_env))
        results["warm"].append(startup(cmd, warm_env))
    return results


# --- the peer (issue 18) --------------------------------------------------------------------------


def varied_body(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with the prompt the varied Lua scripts send first."""
    return {**body, "messages": [{"role": "user", "content": f"Question 1: {PROMPT}"}]}


def check_peer_chat(port: int, content: str) -> tuple[str | None, str]:
    """Why the peer's chat answers do not have the expected shape (None when they do), and their
    sizes."""
    status, headers, body = request(port, "POST", CHAT_PATH, varied_body(CHAT_BODY))
    if status != 200 or not headers.get("content-type", "").startswith("application/json"):
        return f"chat answered {status} {headers.get('content-type')}: {body[:200]!r}", ""
    if json.loads(body)["choices"][0]["message"]["content"] != content:
        return f"chat answered another text: {body[:200]!r}", ""
    status, headers, stream = request(port, "POST", CHAT_PATH, varied_body(STREAM_BODY))
    if status != 200 or not headers.get("content-type", "").startswith("text/event-stream"):
        return f"stream answered {status} {headers.get('content-type')}: {stream[:200]!r}", ""
    events = sse_events(stream)
    chunks = content_chunks(events)
    if not events or events[-1] != b"data: [DONE]\n\n" or abs(chunks - STREAM_CHUNKS) > 5:
        return f"stream has {chunks} content chunks in {len(events)} events, last {events[-1:]!r}", ""
    sizes = (
        f"JSON body {len(body)} B; stream {len(events)} events, {chunks} content chunks, "
        f"{len(stream)} B (role, content, finish, [DONE])"
    )
    return None, sizes


def check_peer_embeddings(port: int) -> str | None:
    status, _, data = request(port, "POST", EMBEDDINGS_PATH, {"input": f"Question 1: {PROMPT}"})
    if status != 200:
        return f"embeddings answered {status}: {data[:200]!r}"
    length = len(json.loads(data)["data"][0]["embedding"])
    return None if length == 1536 else f"embeddings answered {length} floats, not 1,536"


def start_peer(content: str, core: str | None) -> tuple[Server | None, str, str | None]:
    """aimock answering ``content`` (bench/peer.py), verified: the server or None, a line saying
    what ran or why not, and why embeddings are left out (None when they are in)."""
    bin_path, how = peer.install()
    if bin_path is None:
        return None, f"peer: skipped ({how})", None
    fixture = TMP / "aimock-fixture.json"
    chunk_size = peer.write_fixture(fixture, content)
    try:
        server = Server("peer", [*pin(core), *peer.command(bin_path, fixture)], banner=peer.BANNER)
    except (RuntimeError, ValueError, IndexError, OSError) as exc:
        return None, f"peer: skipped (aimock did not start: {exc})", None
    try:
        problem, sizes = check_peer_chat(server.port, content)
        no_embeddings = check_peer_embeddings(server.port)
    except (OSError, ValueError, LookupError, TypeError) as exc:  # includes JSON errors
        problem, sizes, no_embeddings = f"{type(exc).__name__}: {exc}", "", None
    if problem is not None:
        server.stop()
        return None, f"peer: skipped (verification failed: {problem})", None
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout
    note = (
        f"peer: {peer.PACKAGE}@{peer.VERSION} ({how}), node {node.strip()}, "
        f"{peer.BIN} -p 0 -f <fixture>{f' pinned to core {core}' if core else ''}\n"
        f"  one catch-all chat fixture: the mock's answer text ({len(content)} chars), streamed in "
        f"chunks of {chunk_size} chars;\n  loaded on the same Azure paths as the mock (aimock serves "
        f"/openai/deployments/{{d}}/...); embeddings: "
        + (f"n/a ({no_embeddings})" if no_embeddings else "its own 1,536-float vector per input")
        + f"\n  verified: peer {sizes}"
    )
    return server, note, no_embeddings


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise RuntimeError(message)


def median(values: list[float]) -> float:
    return statistics.median(values)


def fmt_ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per load run (default 4)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per case (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--loadgen", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server/client with taskset")
    parser.add_argument("--no-bpe", action="store_true", help="skip the bpe tokenizer memory line")
    parser.add_argument(
        "--no-peer", action="store_true", help=f"skip the peer ({peer.PACKAGE}, needs node and npm)"
    )
    parser.add_argument("--startup-runs", type=int, default=3)
    parser.add_argument(
        "--mock-root",
        type=Path,
        default=ROOT,
        help="source tree whose mockserver package to run (default: this checkout)",
    )
    args = parser.parse_args()
    global MOCK_ROOT
    MOCK_ROOT = args.mock_root.resolve()

    atexit.register(cleanup)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    began = time.perf_counter()

    kind = args.loadgen
    if kind in ("auto", "wrk"):
        if ensure_wrk():
            kind = "wrk"
        elif kind == "wrk":
            print("wrk is not installed and could not be installed", file=sys.stderr)
            return 2
        else:
            kind = "python"
    can_pin = not args.no_pin and shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
    server_core = SERVER_CORE if can_pin else None
    client_core = CLIENT_CORE if can_pin else None
    load = Load(kind, args.connections, client_core)

    print(
        f"aoai-mock server benchmark  ({os.cpu_count()} cores, load average at start "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})"
    )
    if kind == "wrk":
        print(
            f"load generator: wrk -t1 -c{args.connections} -d{args.duration:g}s --latency (POST body via Lua)"
        )
    else:
        print(
            f"load generator: Python asyncio raw sockets (bench/loadgen.py), {args.connections} connections."
            "\n  NOTE: not wrk: a Python client costs about as much per request as the servers do, so it"
            "\n  can saturate before a fast server does; that understates the bare route and compresses"
            "\n  the mock/bare ratios towards 1."
        )
    print(
        "pinning: "
        + (
            f"servers on core {SERVER_CORE}, load generator on core {CLIENT_CORE} (taskset)"
            if can_pin
            else "none"
        )
    )
    if MOCK_ROOT != ROOT:
        print(f"mock source tree: {MOCK_ROOT} (--mock-root)")
    print(
        "mock: python -m mockserver serve --port 0 --rate-limits report --tokenizer approx\n"
        "  (--rate-limits report: the default 'enforce' applies Azure's TPM/RPM windows and would\n"
        "   answer 429 under load; 'report' only sends the x-ratelimit-* headers)"
    )
    print(
        "bare: bench/bare_app.py, Starlette + uvicorn(loop=uvloop, http=httptools, workers=1,\n"
        "  access_log off), serving the mock's own response bytes (JSON body; SSE events one per yield)\n",
        flush=True,
    )

    # Startup first: nothing else running yet.
    startups = measure_startups(args.startup_runs)

    mock = Server("mock", mock_cmd("approx", server_core))
    mock_health = wait_first(mock.port, "GET", "/_mock/health", None, mock.t0)
    mock_chat = wait_first(mock.port, "POST", CHAT_PATH, CHAT_BODY, mock.t0)

    status, headers, json_bytes = request(mock.port, "POST", CHAT_PATH, CHAT_BODY)
    expect(status == 200, f"mock chat answered {status}: {json_bytes[:300]!r}")
    expect(headers["content-type"].startswith("application/json"), "mock chat is not JSON")
    status, headers, stream_bytes = request(mock.port, "POST", CHAT_PATH, STREAM_BODY)
    expect(status == 200, f"mock stream answered {status}: {stream_bytes[:300]!r}")
    expect(headers["content-type"].startswith("text/event-stream"), "mock stream is not SSE")
    print(
        f"{DEPLOYMENT} quota: {headers.get('x-ratelimit-limit-requests')} RPM, "
        f"{headers.get('x-ratelimit-limit-tokens')} TPM; 'enforce' checks a sixth of it per 10 s window,\n"
        f"  as Azure does, so it would throttle this load test within its first second"
    )
    events = sse_events(stream_bytes)
    chunks = content_chunks(events)
    if chunks != STREAM_CHUNKS:
        raise RuntimeError(f"the mock's stream has {chunks} content chunks, expected {STREAM_CHUNKS}")
    status, _, embeddings_bytes = request(mock.port, "POST", EMBEDDINGS_PATH, EMBEDDINGS_BODY)
    expect(status == 200, f"mock embeddings answered {status}: {embeddings_bytes[:300]!r}")
    (TMP / "embeddings.json").write_bytes(embeddings_bytes)
    (TMP / "body.json").write_bytes(json_bytes)
    (TMP / "events.sse").write_bytes(stream_bytes)
    print(
        f"verified: mock JSON body {len(json_bytes)} B; stream {len(events)} events, "
        f"{chunks} content chunks, {len(stream_bytes)} B (annotation, role, 50 content, finish, [DONE])",
        flush=True,
    )

    bare = Server(
        "bare",
        [
            *pin(server_core),
            PY,
            str(HERE / "bare_app.py"),
            "--port",
            "0",
            "--body-file",
            str(TMP / "body.json"),
            "--events-file",
            str(TMP / "events.sse"),
            "--embeddings-file",
            str(TMP / "embeddings.json"),
        ],
    )
    wait_first(bare.port, "POST", "/chat", CHAT_BODY, bare.t0)
    _, _, bare_json = request(bare.port, "POST", "/chat", CHAT_BODY)
    _, _, bare_stream = request(bare.port, "POST", "/stream", STREAM_BODY)
    expect(bare_json == json_bytes, "the bare JSON body differs from the mock's")
    expect(bare_stream == stream_bytes, "the bare stream differs from the mock's")
    _, _, bare_embeddings = request(bare.port, "POST", "/embeddings", EMBEDDINGS_BODY)
    expect(bare_embeddings == embeddings_bytes, "the bare embeddings body differs from the mock's")

    content = json.loads(json_bytes)["choices"][0]["message"]["content"]
    peer_server: Server | None = None
    peer_no_embeddings: str | None = None
    if args.no_peer:
        print("peer: skipped (--no-peer)")
    else:  # the peer never fails the bench: start_peer says why it is left out
        peer_server, peer_note, peer_no_embeddings = start_peer(content, server_core)
        print(peer_note, flush=True)

    bare_url = f"http://127.0.0.1:{bare.port}"
    # case: (label, target, mock's wrk script or None for the fixed body, body, bare route)
    cases: dict[str, tuple[str, float, Path | None, dict[str, Any], str]] = {}
    if load.kind == "wrk":  # a different body per request needs wrk's Lua
        cases["varied"] = (
            "chat, varied prompts",
            TARGET_VARIED_RATIO,
            wrk_varied_script(False),
            CHAT_BODY,
            "/chat",
        )
        cases["varied-stream"] = (
            "stream, varied prompts",
            TARGET_VARIED_STREAM_RATIO,
            wrk_varied_script(True),
            STREAM_BODY,
            "/stream",
        )
        cases["varied-embed"] = (
            "embeddings, varied",
            TARGET_VARIED_EMBEDDINGS_RATIO,
            wrk_varied_script(False, embeddings=True),
            EMBEDDINGS_BODY,
            "/embeddings",
        )
    else:
        print("  (no wrk: the varied-prompt cases need its Lua scripts and are skipped)")
    cases["json"] = ("chat, repeated request", TARGET_JSON_RATIO, None, CHAT_BODY, "/chat")
    cases["stream"] = ("stream, repeated request", TARGET_STREAM_RATIO, None, STREAM_BODY, "/stream")

    ports = {"mock": mock.port, "peer": peer_server.port if peer_server else 0}

    def sides(case: str) -> tuple[str, ...]:
        """bare and mock, and the peer where it runs (embeddings only when it answered them)."""
        with_peer = peer_server is not None and (cases[case][4] != "/embeddings" or not peer_no_embeddings)
        return ("bare", "mock", "peer") if with_peer else ("bare", "mock")

    def run_case(case: str, side: str, seconds: float) -> dict[str, Any]:
        _, _, script, body, route = cases[case]
        if side == "bare":
            return load.run(bare_url + route, body, seconds)
        url = f"http://127.0.0.1:{ports[side]}{EMBEDDINGS_PATH if route == '/embeddings' else CHAT_PATH}"
        if script is not None:
            return load.run_wrk(url, body, seconds, script)
        return load.run(url, body, seconds)

    for case in cases:  # warm-up: connections, allocator, lazy imports (the peer's JIT)
        for side in sides(case):
            run_case(case, side, 1)

    results: dict[tuple[str, str], list[dict[str, Any]]] = {
        (case, side): [] for case in cases for side in sides(case)
    }
    for r in range(args.rounds):
        for case in cases:  # bare, mock, peer, then peer, mock, bare: both ends of the round alike
            order = sides(case) if r % 2 == 0 else sides(case)[::-1]
            for side in order:
                res = run_case(case, side, args.duration)
                if res["status_errors"] or res["socket_errors"]:
                    print(
                        f"  WARNING {case}/{side}: {res['status_errors']} non-2xx, "
                        f"{res['socket_errors']} socket errors"
                    )
                results[case, side].append(res)
            last = {side: results[case, side][-1]["rps"] for side in order}
            print(
                f"  round {r + 1} {case:<13} bare {last['bare']:7.0f} rps   mock {last['mock']:7.0f} rps   "
                f"ratio {last['mock'] / last['bare']:.2f}"
                + (
                    f"   peer {last['peer']:7.0f} rps   mock/peer {last['mock'] / last['peer']:.2f}"
                    if "peer" in last
                    else ""
                ),
                flush=True,
            )

    mock_rss, mock_hwm = rss_mib(mock.pid)
    bare_rss, _ = rss_mib(bare.pid)
    mock.stop()
    peer_rss = rss_mib(peer_server.pid) if peer_server else None
    if peer_server:
        peer_server.stop()

    bpe_line: tuple[float, ...] | str | None = None
    if not args.no_bpe:
        probe = subprocess.run([PY, "-c", "import bpe_openai"], capture_output=True, check=False)
        if probe.returncode == 0:
            bpe = Server("mock-bpe", mock_cmd("bpe", server_core))
            bpe_health = wait_first(bpe.port, "GET", "/_mock/health", None, bpe.t0)
            bpe_chat = wait_first(bpe.port, "POST", CHAT_PATH, CHAT_BODY, bpe.t0)
            url = f"http://127.0.0.1:{bpe.port}{CHAT_PATH}"
            bpe_json = load.run(url, CHAT_BODY, min(args.duration, 2))
            bpe_stream = load.run(url, STREAM_BODY, min(args.duration, 2))
            bpe_rss, bpe_hwm = rss_mib(bpe.pid)
            bpe.stop()
            bpe_line = (bpe_rss, bpe_hwm, bpe_health, bpe_chat, bpe_json["rps"], bpe_stream["rps"])
        else:
            bpe_line = "bpe-openai not importable: skipped"
    bare.stop()

    # --- report ---
    print()
    width = 100
    print("=" * width)
    print(f"{'case':<26}{'server':<7}{'req/s':>9}{'p50':>11}{'p99':>11}{'ratio':>8}  {'target':<9}result")
    print("-" * width)
    ratios: dict[str, float] = {}

    def per_round(case: str, other: str) -> list[float]:
        """mock/other req/s of each round."""
        pairs = zip(results[case, "mock"], results[case, other], strict=True)
        return [m["rps"] / o["rps"] for m, o in pairs]

    for case, (label, target, *_) in cases.items():
        ratios[case] = median(per_round(case, "bare"))
        for side in sides(case):
            runs = results[case, side]
            rps = median([x["rps"] for x in runs])
            p50 = median([x["p50_ms"] for x in runs])
            p99 = median([x["p99_ms"] for x in runs])
            tail = ""
            if side == "mock":
                rounds = ", ".join(f"{x:.2f}" for x in per_round(case, "bare"))
                tail = (
                    f"{ratios[case]:>8.2f}  >= {target:.2f}  {verdict(ratios[case] >= target)}"
                    f"  (rounds: {rounds})"
                )
            elif side == "peer":
                vs_peer = per_round(case, "peer")
                tail = (
                    f"{median(vs_peer):>8.2f}  mock/peer  (rounds: {', '.join(f'{x:.2f}' for x in vs_peer)})"
                )
            name = label if side == "bare" else ""
            print(f"{name:<26}{side:<7}{rps:>9.0f}{fmt_ms(p50):>11}{fmt_ms(p99):>11}{tail}")
        if peer_server is not None and "peer" not in sides(case):
            print(f"{'':<26}{'peer':<7}{'n/a':>9}  ({peer_no_embeddings})")
    print("-" * width)
    print(
        f"{'RSS after the run, mock (--tokenizer approx)':<58}{mock_rss:>6.1f} MiB (peak {mock_hwm:.1f})  "
        f"< {TARGET_RSS_MIB:.0f} MiB  {verdict(mock_rss < TARGET_RSS_MIB)}"
    )
    if isinstance(bpe_line, tuple):
        rss, hwm, health, chat, jrps, srps = bpe_line
        print(
            f"{'RSS after a short run, mock (--tokenizer bpe)':<58}{rss:>6.1f} MiB (peak {hwm:.1f})  "
            f"info: the BPE vocabularies; target judged on approx"
        )
        print(
            f"    bpe mode: first chat {chat * 1000:.0f} ms after launch; {jrps:.0f} req/s non-streaming, "
            f"{srps:.0f} req/s streaming (2 s runs)"
        )
    elif bpe_line:
        print(f"RSS, mock (--tokenizer bpe): {bpe_line}")
    print(f"{'RSS after the run, bare baseline (for scale)':<58}{bare_rss:>6.1f} MiB")
    if peer_rss is not None:
        rss, hwm = peer_rss
        print(f"{'RSS after the run, peer (aimock on node)':<58}{rss:>6.1f} MiB (peak {hwm:.1f})")
    print("-" * width)
    for mode, label in (
        ("warm", "bytecode cached, as after pip install"),
        (
            "cold",
            "no bytecode cache"
            + (", PYTHONDONTWRITEBYTECODE=1 here" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""),
        ),
    ):
        starts = startups[mode]
        health = median([x[1] for x in starts])
        chat = median([x[2] for x in starts])
        worst = max(x[2] for x in starts)
        print(f"aoai-mock serve, launch -> first answer ({label}, median of {len(starts)}):")
        print(
            f"    banner {median([x[0] for x in starts]) * 1000:.0f} ms, health {health * 1000:.0f} ms, "
            f"first chat {chat * 1000:.0f} ms (worst {worst * 1000:.0f} ms)"
            f"{'':<4}< {TARGET_FIRST_REQUEST_S:.0f} s  {verdict(chat < TARGET_FIRST_REQUEST_S)}"
        )
    print(
        f"    (benchmarked mock, python -m mockserver pinned to core {server_core}: health "
        f"{mock_health * 1000:.0f} ms, first chat {mock_chat * 1000:.0f} ms)"
    )
    print("=" * width)
    print(
        f"ratios are mock/bare req/s (mock rows) and mock/peer (peer rows), median of {args.rounds} "
        f"interleaved rounds; load average at end "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; total {time.perf_counter() - began:.0f} s"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        cleanup()
