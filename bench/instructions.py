"""Instructions per request of a live ``aoai-mock serve``, counted by valgrind: a figure that holds on a
loaded machine, where req/s and CPU time do not (issue 13's bisect used it).

    .venv/bin/python bench/instructions.py [TREE ...] [--mode json|stream|varied] [--few 200] [--many 1200]

For each source tree (default: this checkout) the server runs under ``valgrind --tool=callgrind`` twice,
answering ``--few`` and then ``--many`` chat requests on one keep-alive connection; the difference of the
two totals over ``--many - --few`` is what one request costs, start-up and shut-down cancelled out. The
count repeats to within about 0.5% run to run. Needs Debian's ``valgrind`` (not installed by CI: this is
a bench). A run of two trees at the defaults takes about three minutes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_server as base


def body(mode: str, i: int) -> dict[str, object]:
    if mode == "varied":
        return {"messages": [{"role": "user", "content": f"Question {i}: {base.PROMPT}"}], "max_tokens": 50}
    return base.STREAM_BODY if mode == "stream" else base.CHAT_BODY


def total(tree: Path, requests: int, mode: str) -> int:
    """Instructions the server ran, start to exit, having answered ``requests`` requests."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", base.PY, "-m", "mockserver"]
        server = subprocess.Popen(
            [*cmd, *base.serve_args("approx")],
            cwd=tree,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert server.stdout is not None
        port = int(server.stdout.readline().decode().rsplit(":", 1)[1].split()[0].strip("/"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for i in range(requests):
            connection.request(
                "POST", base.CHAT_PATH, body=json.dumps(body(mode, i)), headers=dict(base.HEADERS)
            )
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                server.kill()
                raise RuntimeError(f"{tree}: status {response.status}")
        connection.close()
        server.terminate()
        _, err = server.communicate(timeout=600)
    found = re.search(rb"Collected : (\d+)", err)
    if found is None:
        raise RuntimeError(f"{tree}: no callgrind total:\n{err.decode(errors='replace')[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="*", type=Path, default=[base.ROOT])
    parser.add_argument("--mode", choices=("json", "stream", "varied"), default="json")
    parser.add_argument("--few", type=int, default=200)
    parser.add_argument("--many", type=int, default=1200)
    args = parser.parse_args()
    print(
        f"instructions per {args.mode} chat request, aoai-mock serve under callgrind, "
        "one keep-alive connection"
    )
    for tree in args.trees:
        per = (total(tree, args.many, args.mode) - total(tree, args.few, args.mode)) / (args.many - args.few)
        print(f"{per:12,.0f}  {tree}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
