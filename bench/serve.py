#!/usr/bin/env python3
"""Edit-to-reload latency of `lore serve`.

Usage: bench/serve.py SITE_DIR [--reps 30] [--lore PATH] [--gap 0.3] [--in-place] [--title]

Copies SITE_DIR (the folder holding book.toml) into a temporary folder unless --in-place,
starts `lore serve --port 0` on the copy, waits for the URL and for the first build to be
done (pages are answered before), opens the live-reload event stream, then REPS times:
appends a unique marker paragraph to one page's markdown (a different page each time, spread
over the site), and timestamps

  - edit -> event:  the write, then the arrival of the `reload` event on the stream;
  - edit -> served: the write, then the first GET of that page whose HTML has the marker
                    (requested right after the event; never earlier than the event).

With --title, each edit puts the marker in the page's front-matter title instead: every page
shows the title in its navigation, so the site model is built again and every page written.

Prints every sample and p50/p95/max of both. The server's own log goes to a file beside the
copy. Pages are restored (the copy is removed) afterwards.
"""
import glob
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.status, r.read().decode("utf-8", "replace")


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


class Events:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=60)
        self.sock.sendall(f"GET /__lore/events HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        self.buf = b""
        self.wait("hello")

    def wait(self, name, deadline=120):
        start = time.monotonic()
        while True:
            while b"\n\n" in self.buf:
                block, self.buf = self.buf.split(b"\n\n", 1)
                for line in block.decode().splitlines():
                    if line == f"event: {name}":
                        return time.monotonic()
            if time.monotonic() - start > deadline:
                raise SystemExit(f"no `{name}` event within {deadline} s")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise SystemExit("event stream closed")
            self.buf += chunk


def main():
    site = os.path.abspath(sys.argv[1])
    reps = int(arg("--reps", "30"))
    gap = float(arg("--gap", "0.3"))
    lore = arg("--lore", os.path.join(ROOT, "target/release/lore"))
    work = None
    if "--in-place" not in sys.argv:
        work = tempfile.mkdtemp(prefix="lore-serve-bench-")
        copy = os.path.join(work, "site")
        shutil.copytree(site, copy, ignore=shutil.ignore_patterns("book", ".git"))
        site = copy
    pages = sorted(p for p in glob.glob(os.path.join(site, "**/*.md"), recursive=True)
                   if os.path.basename(p) not in ("SUMMARY.md", "README.md", "index.md"))
    targets = [pages[(k * 997 + 13) % len(pages)] for k in range(reps)]
    originals = {p: open(p, encoding="utf-8").read() for p in targets}
    log_path = os.path.join(tempfile.gettempdir(), "lore-serve-bench.log")
    log = open(log_path, "w")
    t0 = time.monotonic()
    proc = subprocess.Popen([lore, "serve", "--port", "0", site], stdout=subprocess.PIPE,
                            stderr=log, text=True, start_new_session=True)
    event_ms, served_ms = [], []
    try:
        line = proc.stdout.readline()
        if not line.startswith("serving at http://"):
            raise SystemExit(f"no URL from lore serve (see {log_path})")
        url = line.split()[-1]
        host, port = url[len("http://"):].rstrip("/").split(":")
        listening = time.monotonic() - t0
        # The server answers before its first build is done; edits saved meanwhile are rebuilt
        # after it, so wait for it (its `built N pages` line) before timing edits.
        while not any(l.startswith(("built ", "error")) for l in open(log_path, encoding="utf-8")):
            if proc.poll() is not None or time.monotonic() - t0 > 600:
                raise SystemExit(f"lore serve never finished its first build (see {log_path})")
            time.sleep(0.05)
        print(f"listening after {listening:.2f} s, first build done after {time.monotonic() - t0:.2f} s "
              f"({len(pages)} pages)", flush=True)
        events = Events(host, int(port))
        src = None
        for candidate in ("src", "content-example", "content"):
            if os.path.isdir(os.path.join(site, candidate)) and pages[0].startswith(os.path.join(site, candidate)):
                src = os.path.join(site, candidate)
        time.sleep(1)
        for k, page in enumerate(targets):
            marker = f"SERVEMARK{k}X{int(time.time())}"
            rel = os.path.relpath(page, src)[:-3]
            page_url = url + (rel[: -len("README")] if rel.endswith("README") else rel + "/")
            start = time.monotonic()
            if "--title" in sys.argv:
                lines = open(page, encoding="utf-8").read().split("\n")
                at = next((i for i, l in enumerate(lines) if l.startswith("title:")), None)
                if at is None:
                    lines = ["---", f"title: {marker}", "---"] + lines
                else:
                    lines[at] = f"title: {marker}"
                with open(page, "w", encoding="utf-8") as f:
                    f.write("\n".join(lines))
            else:
                with open(page, "a", encoding="utf-8") as f:
                    f.write(f"\n\nEdited paragraph {marker}.\n")
            t_event = events.wait("reload")
            while True:
                status, body = get(page_url)
                if status == 200 and marker in body:
                    break
                if time.monotonic() - start > 120:
                    raise SystemExit(f"{page_url} never showed the edit")
            t_served = time.monotonic()
            event_ms.append((t_event - start) * 1000)
            served_ms.append((t_served - start) * 1000)
            print(f"  edit {k + 1}: {rel}.md -> event {event_ms[-1]:.1f} ms, served {served_ms[-1]:.1f} ms", flush=True)
            time.sleep(gap)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        if work:
            shutil.rmtree(work, ignore_errors=True)
        else:
            for p, text in originals.items():
                with open(p, "w", encoding="utf-8") as f:
                    f.write(text)
    for name, xs in (("edit -> event ", event_ms), ("edit -> served", served_ms)):
        print(f"{name}: p50 {statistics.median(xs):.1f} ms, p95 {pct(xs, 95):.1f} ms, "
              f"max {max(xs):.1f} ms over {len(xs)} edits")


if __name__ == "__main__":
    main()
