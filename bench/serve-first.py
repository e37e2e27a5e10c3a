#!/usr/bin/env python3
"""Time from spawning `lore serve` to its first page, and the server's peak memory.

Usage: bench/serve-first.py            (PAGES=10000 RUNS=3 by default)

Generates the shared corpus once (`../shared/bench/gen_corpus.py --format plain`, into
$BENCH_DIR/c$PAGES/plain, as bench/warm.sh does) and copies it into a site of its own
($BENCH_DIR/first$PAGES: book.toml + src/). Then, RUNS times each, alternating:

  - warm: `lore serve --port 0` with the build cache in .lore/cache/ (primed once by an untimed
    `lore build`, as a second preview of a site finds it);
  - cold: `lore serve --port 0 --no-cache` (every page rendered afresh).

Each run measures, from the spawn of the process:

  - url:    the `serving at` line on stdout;
  - page:   the complete HTML (`</html>`) of the page built last, the last source file in
            sorted order (`runbooks/rb-09997-…/` at 10,000 pages): deepest in the build order;
  - built:  the `built N pages` line on stderr (every page written);
  - search: the browser index head answering 200 (the search export done);
  - peak:   VmHWM of the server process once search is ready and the server was quiet for
            SETTLE seconds (default 2), and RSS then (steady).

Prints each run and the medians per mode, with the load average before each run.

Environment: PAGES (default 10000), RUNS (default 3), LORE (binary; default: cargo build
--release), BENCH_DIR (default /tmp/lore-bench), SHARED_BENCH (where gen_corpus.py lives,
default ../shared/bench beside the repository), MODES (default "warm cold"), SETTLE.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_BENCH = os.environ.get("SHARED_BENCH", os.path.join(REPO, "..", "shared", "bench"))
BENCH_DIR = os.environ.get("BENCH_DIR", "/tmp/lore-bench")
PAGES = int(os.environ.get("PAGES", "10000"))
RUNS = int(os.environ.get("RUNS", "3"))
MODES = os.environ.get("MODES", "warm cold").split()
SETTLE = float(os.environ.get("SETTLE", "2"))
TODAY = "2026-11-30"


def log(msg):
    print(f"==> {msg}", file=sys.stderr, flush=True)


def lore_binary():
    lore = os.environ.get("LORE")
    if not lore:
        log("cargo build --release")
        subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=True)
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
        lore = os.path.join(target, "release", "lore")
    if not os.access(lore, os.X_OK):
        sys.exit(f"error: LORE={lore} is not an executable")
    return lore


def corpus():
    src = os.path.join(BENCH_DIR, f"c{PAGES}", "plain")
    if not os.path.isdir(src):
        gen = os.path.join(SHARED_BENCH, "gen_corpus.py")
        if not os.path.isfile(gen):
            sys.exit(f"error: {gen} not found")
        log(f"generating {PAGES} pages into {src}")
        tmp = os.path.join(BENCH_DIR, f"c{PAGES}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run([sys.executable, gen, "--pages", str(PAGES), "--out", tmp, "--format", "plain"],
                       check=True)
        os.makedirs(os.path.dirname(src), exist_ok=True)
        os.rename(tmp, src)
    site = os.path.join(BENCH_DIR, f"first{PAGES}")
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(src, os.path.join(site, "src"))
    with open(os.path.join(site, "book.toml"), "w") as f:
        f.write('[book]\ntitle = "Bench"\nsrc = "src"\n')
    return site


def last_page(site):
    """The URL of the page the build renders last: the last markdown file in sorted order."""
    src = os.path.join(site, "src")
    pages = sorted(os.path.relpath(os.path.join(d, n), src).replace(os.sep, "/")
                   for d, _, names in os.walk(src) for n in names
                   if n.endswith(".md") and n not in ("SUMMARY.md", "README.md", "index.md"))
    return "/" + pages[-1][: -len(".md")] + "/"


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError:
        return 0, b""


def status_of(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) // 1024
    return 0


def run(lore, site, page, extra):
    t0 = time.monotonic()
    proc = subprocess.Popen([lore, "serve", "--port", "0", *extra], cwd=site, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1795996800"})
    built = {}

    def read_stderr():
        for line in proc.stderr:
            if "built " in line and " pages in " in line and "t" not in built:
                built["t"] = time.monotonic() - t0

    threading.Thread(target=read_stderr, daemon=True).start()
    try:
        line = proc.stdout.readline()
        m = re.search(r"http://\S+", line)
        if not m:
            raise SystemExit(f"no URL from lore serve: {line!r}")
        url = m.group(0).rstrip("/")
        t_url = time.monotonic() - t0
        while True:
            status, body = fetch(url + page)
            if status == 200 and b"</html>" in body:
                break
            if time.monotonic() - t0 > 300:
                raise SystemExit(f"{page} never served")
            time.sleep(0.01)
        t_page = time.monotonic() - t0
        while fetch(url + "/search/head.json.gz")[0] != 200:
            if time.monotonic() - t0 > 600:
                raise SystemExit("search never became ready")
            time.sleep(0.05)
        t_search = time.monotonic() - t0
        while "t" not in built and time.monotonic() - t0 < 600:
            time.sleep(0.05)
        time.sleep(SETTLE)
        peak, rss = status_of(proc.pid, "VmHWM"), status_of(proc.pid, "VmRSS")
        return {"url": t_url, "page": t_page, "built": built.get("t", float("nan")),
                "search": t_search, "peak": peak, "rss": rss}
    finally:
        proc.send_signal(2)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    lore = lore_binary()
    site = corpus()
    page = last_page(site)
    log(f"priming the build cache: lore build ({PAGES} pages)")
    subprocess.run([lore, "build", "--quiet", "--today", TODAY], cwd=site, check=True)
    shutil.rmtree(os.path.join(site, "book"), ignore_errors=True)
    results = {mode: [] for mode in MODES}
    print(f"{'mode':<5} {'load':>5} {'url s':>6} {'page s':>7} {'built s':>8} {'search s':>9} "
          f"{'peak MiB':>9} {'rss MiB':>8}", flush=True)
    for _ in range(RUNS):
        for mode in MODES:
            load = os.getloadavg()[0]
            r = run(lore, site, page, ["--no-cache"] if mode == "cold" else [])
            results[mode].append(r)
            print(f"{mode:<5} {load:5.2f} {r['url']:6.2f} {r['page']:7.2f} {r['built']:8.2f} "
                  f"{r['search']:9.2f} {r['peak']:9d} {r['rss']:8d}", flush=True)
    print(f"\nmedians of {RUNS} ({PAGES} pages, first page {page}):")
    for mode, rs in results.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        print(f"{mode:<5} url {med['url']:.2f} s, page {med['page']:.2f} s, built {med['built']:.2f} s, "
              f"search {med['search']:.2f} s, peak {med['peak']:.0f} MiB, steady {med['rss']:.0f} MiB")


if __name__ == "__main__":
    main()
