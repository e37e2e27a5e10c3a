#!/usr/bin/env python3
"""Soak test of `lore serve`: abuse on loopback while edits land; the server must stay healthy.

Usage: bench/soak.py SITE_DIR [--lore PATH] [--edits 500] [--conns 200] [--streams 50]
                     [--stuck 10] [--slow 20] [--limit 600]

SITE_DIR is a folder holding book.toml (e.g. one made by gen_corpus.py --format mdbook). It is
copied to a temporary folder, and `lore serve --port 0` (default lore: target/release/lore) runs
on the copy, bound to 127.0.0.1 only. After a warm-up (5 edits, then 3 s quiet) the baseline
threads and RSS are read from /proc/PID/status. Then, at the same time:

  - CONNS client threads each GET random pages in a loop, one connection per request;
  - STREAMS event streams are open; STUCK of them never read a byte;
  - SLOW clients send a request head one byte a second, reconnecting when the server gives up;
  - EDITS edits land one after another, each appending a paragraph to a random page and
    waiting (10 s at most) for its `reload` event on a stream that reads.

Printed: peak threads, peak RSS, edit->reload p50/p95/max, failed requests (statuses other
than 200, and errors). Then every load client, stream and slow client stops, every page is
fetched once more (each must be 200), and for 5 s threads and RSS are read until they are back
within 10 % (threads) and 20 % (RSS) of the baseline. Exits 0 only when all of that holds.

Bounded: everything stops after LIMIT seconds (default 600) whatever happens; the server is
stopped with Ctrl-C (SIGINT) and the copy removed. Linux only (/proc). Python 3 stdlib only.
"""
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


SITE = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else None
LORE = arg("--lore", os.path.join(ROOT, "target", "release", "lore"))
EDITS = int(arg("--edits", 500))
CONNS = int(arg("--conns", 200))
STREAMS = int(arg("--streams", 50))
STUCK = int(arg("--stuck", 10))
SLOW = int(arg("--slow", 20))
LIMIT = float(arg("--limit", 600))
HOST = "127.0.0.1"

started = time.monotonic()
done = threading.Event()  # the load stops
lock = threading.Lock()
stats = {"requests": 0, "failed": 0, "failures": {}}


def left():
    return LIMIT - (time.monotonic() - started)


def fail(why):
    with lock:
        stats["failed"] += 1
        stats["failures"][why] = stats["failures"].get(why, 0) + 1


def get(port, path, timeout=10):
    """One GET on a fresh connection: the status (0 on an error)."""
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    m = re.match(rb"HTTP/1\.1 (\d+)", data)
    return int(m.group(1)) if m else 0


def proc(pid):
    """(threads, RSS in kB) of the server."""
    threads = rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                threads = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return threads, rss


def rss_parts(pid):
    """RSS split into anonymous memory and mapped files (the search index), in MiB."""
    parts = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("RssAnon:", "RssFile:")):
                parts[line.split(":")[0]] = int(line.split()[1]) / 1024
    return f"anon {parts.get('RssAnon', 0):.1f} MiB, files {parts.get('RssFile', 0):.1f} MiB"


def page_urls(src):
    urls = []
    for folder, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".md") or name == "SUMMARY.md":
                continue
            rel = os.path.relpath(os.path.join(folder, name), src)
            stem = rel[:-3]
            if os.path.basename(stem).lower() in ("readme", "index"):
                stem = os.path.dirname(stem)
            urls.append("/" + (stem + "/" if stem else ""))
    return sorted(set(urls))


class Stream:
    """An event stream; `reads` says whether it reads what it is sent."""

    def __init__(self, port, reads):
        self.sock = socket.create_connection((HOST, port), timeout=10)
        self.sock.sendall(f"GET /__lore/events HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode())
        self.events = []  # (time, name)
        self.cond = threading.Condition()
        if reads:
            threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        buf = b""
        self.sock.settimeout(0.5)
        while not done.is_set():
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not chunk:
                fail("an event stream closed")
                break
            buf += chunk
            while b"\n\n" in buf:
                block, buf = buf.split(b"\n\n", 1)
                for line in block.split(b"\n"):
                    if line.startswith(b"event: "):
                        with self.cond:
                            self.events.append((time.monotonic(), line[7:].decode()))
                            self.cond.notify_all()

    def wait(self, name, since, timeout):
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for t, n in self.events:
                    if n == name and t >= since:
                        return t
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return None
                self.cond.wait(remaining)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def loader(port, urls):
    rnd = random.Random()
    while not done.is_set() and left() > 0:
        path = rnd.choice(urls)
        try:
            status = get(port, path)
        except OSError as e:
            fail(f"error: {e.__class__.__name__}")
            continue
        with lock:
            stats["requests"] += 1
        if status != 200:
            fail(f"status {status}")


def slow_client(port):
    head = f"GET / HTTP/1.1\r\nHost: {HOST}:{port}\r\nX-Slow: " + "x" * 1000
    while not done.is_set() and left() > 0:
        try:
            with socket.create_connection((HOST, port), timeout=15) as s:
                for ch in head:
                    if done.is_set():
                        return
                    s.sendall(ch.encode())
                    time.sleep(1)
        except OSError:
            pass  # the server gave up on us (408), as it should: try again


def edit(path, marker):
    with open(path, "a") as f:
        f.write(f"\n\nSoak paragraph {marker}.\n")


def main():
    if SITE is None or not os.path.isfile(os.path.join(SITE, "book.toml")):
        sys.exit(__doc__)
    work = tempfile.mkdtemp(prefix="lore-soak-")
    site = os.path.join(work, "site")
    shutil.copytree(SITE, site)
    log = open(os.path.join(work, "serve.log"), "w")
    server = subprocess.Popen([LORE, "serve", "--port", "0", "--bind", HOST, site],
                              stdout=subprocess.PIPE, stderr=log, text=True)
    ok = True
    try:
        line = server.stdout.readline()
        m = re.match(r"serving at http://[^:]+:(\d+)/", line)
        if not m:
            sys.exit(f"no URL from lore serve: {line!r}")
        port = int(m.group(1))
        src = os.path.join(site, "src")
        urls = page_urls(src)
        pages = [os.path.join(folder, n) for folder, _, files in os.walk(src) for n in files
                 if n.endswith(".md") and n != "SUMMARY.md"]
        probe = Stream(port, True)
        rnd = random.Random(7)
        for i in range(5):  # warm-up
            t = time.monotonic()
            edit(rnd.choice(pages), f"warm-{i}")
            probe.wait("reload", t, 30)
        time.sleep(3)  # quiet: the server trims memory after a second without rebuilds
        threads0, rss0 = proc(server.pid)
        print(f"site: {len(urls)} pages; baseline: {threads0} threads, {rss0 / 1024:.1f} MiB RSS "
              f"({rss_parts(server.pid)})")

        peak = [threads0, rss0]

        def sample():
            while not done.is_set():
                try:
                    t, r = proc(server.pid)
                except OSError:
                    return
                peak[0], peak[1] = max(peak[0], t), max(peak[1], r)
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        streams = [Stream(port, True) for _ in range(STREAMS - STUCK - 1)]
        stuck = [Stream(port, False) for _ in range(STUCK)]
        workers = [threading.Thread(target=loader, args=(port, urls), daemon=True) for _ in range(CONNS)]
        workers += [threading.Thread(target=slow_client, args=(port,), daemon=True) for _ in range(SLOW)]
        for w in workers:
            w.start()
        latencies, missed = [], 0
        t_soak = time.monotonic()
        for i in range(EDITS):
            if left() <= 0:
                print("time limit reached")
                ok = False
                break
            t = time.monotonic()
            edit(rnd.choice(pages), f"soak-{i}")
            got = probe.wait("reload", t, 10)
            if got is None:
                missed += 1
            else:
                latencies.append((got - t) * 1000)
        soak = time.monotonic() - t_soak
        done.set()
        for w in workers:
            w.join(timeout=20)
        sampler.join(timeout=2)
        for s in streams + stuck + [probe]:
            s.close()
        print(f"soak: {EDITS} edits in {soak:.1f} s; {stats['requests']} page requests by {CONNS} clients; "
              f"{STREAMS} event streams ({STUCK} never read); {SLOW} slow-header clients")
        print(f"peak: {peak[0]} threads, {peak[1] / 1024:.1f} MiB RSS")
        if latencies:
            q = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else latencies * 19
            print(f"edit->reload: p50 {statistics.median(latencies):.0f} ms, p95 {q[18]:.0f} ms, "
                  f"max {max(latencies):.0f} ms; {missed} edits without a reload in 10 s")
        print(f"failed requests: {stats['failed']} {stats['failures'] or ''}")
        ok &= stats["failed"] == 0 and missed == 0
        bad = [u for u in urls if get(port, u) != 200]
        print(f"afterwards: {len(urls) - len(bad)} of {len(urls)} pages served" + (f"; not: {bad[:5]}" if bad else ""))
        ok &= not bad
        t_after = time.monotonic()
        while True:
            threads, rss = proc(server.pid)
            settled = threads <= threads0 * 1.1 and rss <= rss0 * 1.2
            if settled or time.monotonic() - t_after > 5:
                break
            time.sleep(0.1)
        print(f"after {time.monotonic() - t_after:.1f} s: {threads} threads ({threads0} before), "
              f"{rss / 1024:.1f} MiB RSS ({rss_parts(server.pid)}; {rss0 / 1024:.1f} before): "
              f"{'ok' if settled else 'NOT SETTLED'}")
        ok &= settled
    finally:
        done.set()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        refused = [l for l in open(os.path.join(work, "serve.log")) if "refused" in l]
        if refused:
            print("server log: " + "".join(refused[:5]).strip())
        shutil.rmtree(work, ignore_errors=True)
    print("ok" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
