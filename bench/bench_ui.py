"""Bench: the dashboard's first load with 1,000 journal entries (issue 17). Figures printed in one run.

    .venv/bin/python bench/bench_ui.py                          # this tree, 9 loads: about 30 s
    .venv/bin/python bench/bench_ui.py --base /tmp/main-tree    # beside another tree, loads interleaved

Each tree runs ``python -m mockserver serve --rate-limits report --tokenizer approx`` (its own source
tree as the working directory, so its own ``mockserver``), filled with the browser test's 1,000 requests
(``tests/test_ui_browser.py``: chat, streams, embeddings in seven sessions, a few throttled), and read
once, as a page left open would have. One headless Chromium (Debian's, as the test) then loads
``/_mock/ui`` ``--loads`` times per tree, the trees in ABBA order, each load in a new tab (as the
test's first load: a tab reused across trees would charge one tree's page teardown to the other's
load), and the page's own performance entries give the figures:

- navigation to the first screen of rows painted (the ``aoai-painted`` mark), and to all 1,000 rows
  (``aoai-all-rows``);
- DOMContentLoaded, and when the first screen's rows had arrived (with the page, or the first
  ``requests/summary``);
- the server's time listing rows for the page and its JSON (their ``Server-Timing``, summed; a tree
  without one prints ``-``), and the time of ``GET /_mock/requests/summary`` for all 1,000 rows measured
  from Python: the first (which builds the rows) and warm.

The page is waited for as the browser test waits (a promise in the page, ``COMPLETE``), not with
Playwright's selectors, whose script would compile inside the measured window.

A base tree to compare with: ``mkdir -p /tmp/main-tree && git archive main | tar -x -C /tmp/main-tree``
(committed work only). On a shared machine the figures move with its load: the bench prints the load average
before and after, and the medians, not the best load.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_ui_browser import COMPLETE, FLAGS, KEY, fill_journal, find_chromium  # noqa: E402

BANNER = re.compile(r"http://127\.0\.0\.1:(\d+)")
FIGURES = """() => {
    const page = performance.getEntriesByType('navigation')[0];
    const mark = (name) => (performance.getEntriesByName(name)[0] || {}).startTime;
    const data = performance.getEntriesByType('resource').filter((r) => r.name.includes('requests/summary'));
    const block = document.getElementById('first-screen');  // the rows in the page itself
    const first = block && block.textContent ? page : data[0];
    const listed = [page, ...data].flatMap((r) => r.serverTiming.filter((t) => t.name === 'listing'));
    return { painted: mark('aoai-painted'), all: mark('aoai-all-rows'), dcl: page.domContentLoadedEventStart,
             data: first ? first.responseEnd : null,
             server: listed.length ? listed.reduce((sum, t) => sum + t.duration, 0) : null };
}"""
KEYS = ("painted", "all", "dcl", "data", "server")


class Tree:
    """One source tree's ``aoai-mock serve``, filled with the test's journal."""

    def __init__(self, name: str, root: Path, entries: int) -> None:
        self.name, self.root = name, root
        command = [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--seed", "3"]
        command += ["--tokenizer", "approx", "--rate-limits", "report"]
        env = {**os.environ, "PYTHONPATH": str(root)}
        self.process = subprocess.Popen(
            command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert self.process.stdout is not None
        found = BANNER.search(self.process.stdout.readline())
        if found is None:
            self.stop()
            raise SystemExit(f"{name}: aoai-mock serve did not start in {root}")
        self.endpoint = f"http://127.0.0.1:{found.group(1)}"
        self.http = httpx.Client(base_url=self.endpoint, headers={"api-key": KEY}, timeout=30)
        self.wait_ready()
        fill_journal(self.http, entries)
        self.cold_ms = self.get_ms()  # the first listing builds the rows
        self.warm_ms = statistics.median(self.get_ms() for _ in range(15))
        self.loads: list[dict[str, Any]] = []

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if self.http.get("/_mock/health").status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise SystemExit(f"{self.name}: not ready in 15 s")

    def get_ms(self) -> float:
        started = time.perf_counter()
        answer = self.http.get("/_mock/requests/summary")
        assert answer.status_code == 200 and len(answer.json()["rows"]) > 0
        return (time.perf_counter() - started) * 1000

    def stop(self) -> None:
        if hasattr(self, "http"):
            self.http.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def load(context: Any, tree: Tree, entries: int) -> dict[str, Any]:
    page = context.new_page()
    try:
        page.goto(f"{tree.endpoint}/_mock/ui")
        page.evaluate(COMPLETE)
        figures: dict[str, Any] = page.evaluate(FIGURES)
        shown = page.locator("#requests tbody tr").count()
        assert shown == entries, f"{tree.name}: {shown} rows, not {entries}"
        return figures
    finally:
        page.close()


def median(values: list[Any]) -> str:
    known = [v for v in values if v is not None]
    return f"{statistics.median(known):.1f}" if known else "-"


def report(trees: list[Tree]) -> None:
    head = f"{'tree':<10}" + "".join(f"{k:>10}" for k in KEYS) + f"{'GET cold':>10}{'GET warm':>10}"
    print("\nmedians, ms (painted, all, dcl, data: from navigation; server: Server-Timing, summed)")
    print(head)
    for tree in trees:
        cells = "".join(f"{median([f[k] for f in tree.loads]):>10}" for k in KEYS)
        print(f"{tree.name:<10}{cells}{tree.cold_ms:>10.1f}{tree.warm_ms:>10.1f}")
    for tree in trees:
        painted = ", ".join(f"{f['painted']:.0f}" for f in tree.loads)
        print(f"{tree.name}: painted per load: {painted}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--loads", type=int, default=9, help="page loads per tree (default 9)")
    parser.add_argument("--entries", type=int, default=1000, help="journal entries (default 1000)")
    parser.add_argument("--base", type=Path, help="another source tree to load beside this one")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium binary found (Debian's chromium, or AOAI_CHROMIUM)")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    roots = [("this", ROOT)] + ([("base", args.base.resolve())] if args.base else [])
    trees: list[Tree] = []
    try:
        for name, root in roots:
            trees.append(Tree(name, root, args.entries))
        with sync_playwright() as driver, tempfile.TemporaryDirectory() as profile:
            context = driver.chromium.launch_persistent_context(
                profile, executable_path=chromium, headless=True, args=FLAGS,
                viewport={"width": 1400, "height": 900},
            )  # fmt: skip
            load(context, trees[0], args.entries)  # not counted: the browser's own first start
            for i in range(args.loads):
                for tree in trees if i % 2 == 0 else trees[::-1]:  # ABBA
                    tree.loads.append(load(context, tree, args.entries))
            context.close()
    finally:
        for tree in trees:
            tree.stop()
    report(trees)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
