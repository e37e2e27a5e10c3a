//! The sockets: a small HTTP/1.1 server on `std::net` with every resource bounded.
//!
//! - one accept thread, which never ends until the server stops: a connection over
//!   [`Limits::connections`] gets a 503 at once, and an accept error is logged and retried;
//! - one collector thread reads the request heads of every open connection without blocking,
//!   each within [`Limits::head_timeout`] from its accept (a 408 after) and the caps of
//!   [`http::parse_head`] (it stops reading there), so slow or half-open clients hold a slot,
//!   never a thread;
//! - a fixed pool of [`Limits::workers`] threads answers complete heads with
//!   [`super::answer::answer`], from a queue of [`Limits::queue`]; a panic while answering loses
//!   that one connection, never the worker;
//! - an event stream gets a thread of its own, at most [`Limits::streams`] of them (503 past
//!   it, and when a thread cannot be started, logged).
//!
//! Every reply closes its connection, so an idle keep-alive connection never holds anything.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::answer::Answer;
use super::http::{self, Reply};
use super::{Note, Notes, Shared};
use crate::error::Error;

/// The server's bounds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Threads answering requests.
    pub workers: usize,
    /// Complete requests waiting for a worker.
    pub queue: usize,
    /// Open connections, event streams not counted.
    pub connections: usize,
    /// Open event streams.
    pub streams: usize,
    /// Time from accepting a connection to the end of its request head.
    pub head_timeout: Duration,
    /// Time a write may block (a client that stopped reading).
    pub write_timeout: Duration,
}

/// The bounds `lore serve` uses.
pub const LIMITS: Limits = Limits {
    workers: 8,
    queue: 64,
    connections: 512,
    streams: 64,
    head_timeout: Duration::from_secs(10),
    write_timeout: Duration::from_secs(10),
};

/// Starts a thread for an event stream.
pub type Spawn = fn(Box<dyn FnOnce() + Send>) -> std::io::Result<()>;

fn spawn_stream(f: Box<dyn FnOnce() + Send>) -> std::io::Result<()> {
    std::thread::Builder::new().name("lore-events".into()).stack_size(256 * 1024).spawn(f).map(drop)
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    accept: JoinHandle<()>,
    stopped: Arc<AtomicBool>,
}

/// Binds `ip:port`, with a clear error when the port is taken.
pub fn bind(ip: IpAddr, port: u16) -> Result<TcpListener, Error> {
    let addr = SocketAddr::new(ip, port);
    TcpListener::bind(addr).map_err(|e| {
        if e.kind() == ErrorKind::AddrInUse {
            Error::Usage(format!(
                "port {port} on {ip} is already in use\n  = hint: stop the other server, or pass `--port 0` to use any free port"
            ))
        } else {
            Error::Usage(format!("cannot listen on {addr}: {e}"))
        }
    })
}

/// What the server's threads share.
struct Ctx {
    shared: Arc<Shared>,
    limits: Limits,
    spawn: Spawn,
    /// Open connections.
    open: Arc<AtomicUsize>,
    /// Open event streams.
    streams: Arc<AtomicUsize>,
    stopped: Arc<AtomicBool>,
    log: Refusals,
}

impl Server {
    /// Serves `shared` on `listener` until [`Server::stop`].
    pub(super) fn start(listener: TcpListener, shared: Arc<Shared>, note: Arc<Notes>) -> Result<Self, Error> {
        Self::start_with(listener, shared, note, LIMITS, spawn_stream)
    }

    fn start_with(
        listener: TcpListener,
        shared: Arc<Shared>,
        note: Arc<Notes>,
        limits: Limits,
        spawn: Spawn,
    ) -> Result<Self, Error> {
        let addr =
            listener.local_addr().map_err(|e| Error::Usage(format!("the server has no address: {e}")))?;
        let stopped = Arc::new(AtomicBool::new(false));
        let ctx = Arc::new(Ctx {
            shared,
            limits,
            spawn,
            open: Arc::new(AtomicUsize::new(0)),
            streams: Arc::new(AtomicUsize::new(0)),
            stopped: stopped.clone(),
            log: Refusals { note, last: Mutex::new((None, 0)) },
        });
        let start = |name: &'static str, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.to_owned())
                .spawn(f)
                .map_err(|e| Error::Thread { name, source: Some(e) })
        };
        let (jobs, queue) = mpsc::sync_channel::<Conn>(limits.queue);
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..limits.workers {
            let (queue, ctx) = (queue.clone(), ctx.clone());
            start("lore-http", Box::new(move || work(&queue, &ctx)))?;
        }
        let (to_collector, incoming) = mpsc::channel::<Conn>();
        {
            let ctx = ctx.clone();
            start("lore-http-heads", Box::new(move || collect(&incoming, &jobs, &ctx)))?;
        }
        let accept =
            start("lore-http-accept", Box::new(move || accept_loop(&listener, &to_collector, &ctx)))?;
        Ok(Self { addr, accept, stopped })
    }

    /// The address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting; the other threads end on their own once their work is done.
    pub fn stop(self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wake the accept thread with a connection of our own.
        let ip = match self.addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => IpAddr::from([127, 0, 0, 1]),
            ip if ip.is_unspecified() => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let _ = TcpStream::connect_timeout(&SocketAddr::new(ip, self.addr.port()), Duration::from_secs(1));
        let _ = self.accept.join();
    }
}

/// One of a bounded number of slots (connections or streams), given back when dropped.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(count: &Arc<AtomicUsize>, max: usize) -> Option<Self> {
        count.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| (n < max).then_some(n + 1)).ok()?;
        Some(Self(count.clone()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A connection whose request head is being read.
struct Conn {
    sock: TcpStream,
    buf: Vec<u8>,
    deadline: Instant,
    /// The head is complete (or over the caps, or the client stopped sending).
    ready: bool,
    _slot: Slot,
}

/// Logs refused requests, at most one line every few seconds.
struct Refusals {
    note: Arc<Notes>,
    /// When the last line was logged, and refusals since.
    last: Mutex<(Option<Instant>, u64)>,
}

impl Refusals {
    fn refused(&self, why: &str) {
        let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        last.1 += 1;
        if last.0.is_none_or(|t| t.elapsed() >= Duration::from_secs(5)) {
            (self.note)(Note::Refused { why, count: last.1 });
            *last = (Some(Instant::now()), 0);
        }
    }
}

/// Answers `status` on a connection the server will not read, without waiting for the client.
fn refuse(sock: &TcpStream, status: u16, why: &str) {
    let _ = sock.set_nonblocking(true);
    let _ = (&*sock).write_all(&Reply::text(status, format!("{why}\n")).wire(false));
    let _ = sock.shutdown(Shutdown::Write);
}

fn accept_loop(listener: &TcpListener, to_collector: &Sender<Conn>, ctx: &Ctx) {
    loop {
        let accepted = listener.accept();
        if ctx.stopped.load(Ordering::SeqCst) {
            return;
        }
        match accepted {
            Ok((sock, _)) => match Slot::take(&ctx.open, ctx.limits.connections) {
                Some(slot) => {
                    if sock.set_nonblocking(true).is_err() {
                        continue;
                    }
                    let _ = sock.set_nodelay(true);
                    let deadline = Instant::now() + ctx.limits.head_timeout;
                    let conn = Conn { sock, buf: Vec::new(), deadline, ready: false, _slot: slot };
                    if to_collector.send(conn).is_err() {
                        return;
                    }
                }
                None => {
                    let why =
                        format!("{} connections are open, the most served at once", ctx.limits.connections);
                    refuse(&sock, 503, &why);
                    ctx.log.refused(&why);
                }
            },
            Err(e) => {
                // Out of file descriptors, or a connection reset before it was accepted: the
                // loop goes on.
                ctx.log.refused(&format!("cannot accept a connection: {e}"));
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// Reads request heads until each is complete, then queues it for a worker.
fn collect(incoming: &Receiver<Conn>, jobs: &SyncSender<Conn>, ctx: &Ctx) {
    let mut pending: Vec<Conn> = Vec::new();
    loop {
        if ctx.stopped.load(Ordering::SeqCst) {
            return;
        }
        // Nothing to read: wait for a connection. Otherwise look again in a moment.
        let wait = if pending.is_empty() { Duration::from_millis(200) } else { Duration::from_millis(2) };
        match incoming.recv_timeout(wait) {
            Ok(conn) => pending.push(conn),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        pending.extend(incoming.try_iter());
        pending = pending.into_iter().filter_map(|conn| step(conn, jobs)).collect();
    }
}

/// Reads what a connection sent so far; returns it while its head is still to come or no
/// worker could take it yet.
fn step(mut conn: Conn, jobs: &SyncSender<Conn>) -> Option<Conn> {
    let mut chunk = [0u8; 4096];
    while !conn.ready {
        match conn.sock.read(&mut chunk) {
            Ok(0) if conn.buf.is_empty() => return None,
            Ok(0) => conn.ready = true,
            Ok(n) => {
                conn.buf.extend_from_slice(&chunk[..n]);
                // Past the caps, what was read is enough to answer 414 or 431.
                conn.ready = http::head_end(&conn.buf).is_some() || conn.buf.len() > http::MAX_HEAD;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    if !conn.ready {
        if Instant::now() >= conn.deadline {
            refuse(&conn.sock, 408, "the request head did not arrive in time");
            return None;
        }
        return Some(conn);
    }
    match jobs.try_send(conn) {
        Ok(()) => None,
        // Every worker is busy: keep it here, its slot still counted.
        Err(TrySendError::Full(conn)) => Some(conn),
        Err(TrySendError::Disconnected(_)) => None,
    }
}

/// A worker: answers queued connections until the server stops.
fn work(queue: &Mutex<Receiver<Conn>>, ctx: &Ctx) {
    loop {
        let next = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
        let Ok(conn) = next else { return };
        // A bug in answering one request loses that request, not the worker.
        let _ = catch_unwind(AssertUnwindSafe(|| serve(conn, ctx)));
    }
}

fn serve(conn: Conn, ctx: &Ctx) {
    let sock = &conn.sock;
    if sock.set_nonblocking(false).is_err() {
        return;
    }
    let _ = sock.set_write_timeout(Some(ctx.limits.write_timeout));
    match ctx.shared.answer(&conn.buf) {
        Answer::Reply { reply, head_only } => {
            let _ = (&*sock).write_all(&reply.wire(head_only));
            let _ = sock.shutdown(Shutdown::Write);
            if matches!(reply.status, 400 | 408 | 413 | 414 | 431) {
                linger(sock);
            }
        }
        Answer::Events { page } => stream(conn, page, ctx),
    }
}

/// Reads and drops what a client is still sending (a request over the caps), briefly, so
/// closing the socket does not reset the connection before the client read the reply.
fn linger(sock: &TcpStream) {
    let _ = sock.set_read_timeout(Some(Duration::from_millis(100)));
    let until = Instant::now() + Duration::from_millis(500);
    let mut chunk = [0u8; 16 * 1024];
    let mut left: usize = 4 << 20;
    while Instant::now() < until && left > 0 {
        match (&*sock).read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

/// Hands the connection to an event stream on a thread of its own.
fn stream(conn: Conn, page: Option<String>, ctx: &Ctx) {
    let sock = &conn.sock;
    let Some(slot) = Slot::take(&ctx.streams, ctx.limits.streams) else {
        let why = format!("{} event streams are open, the most served at once", ctx.limits.streams);
        refuse(sock, 503, &why);
        ctx.log.refused(&why);
        return;
    };
    let (Ok(writer), Ok(reader)) = (sock.try_clone(), sock.try_clone()) else { return };
    let _ = reader.set_read_timeout(Some(Duration::from_millis(1)));
    // The thread first, then the stream: a thread that cannot start leaves no stream behind.
    let (give, take) = mpsc::channel::<super::reload::Stream>();
    let started = (ctx.spawn)(Box::new(move || {
        let _slot = slot;
        if let Ok(stream) = take.recv() {
            stream.run();
        }
    }));
    if let Err(e) = started {
        let why = format!("cannot start a thread for an event stream: {e}");
        refuse(sock, 503, &why);
        ctx.log.refused(&why);
        return;
    }
    let alive = move || {
        let mut byte = [0u8; 64];
        match (&reader).read(&mut byte) {
            Ok(0) => false,
            Ok(_) => true,
            Err(e) => {
                matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted)
            }
        }
    };
    let hub_stream =
        ctx.shared.hub.add(Box::new(writer), &ctx.shared.hello(), page).watching(Box::new(alive));
    let _ = give.send(hub_stream);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(dir: &std::path::Path) -> Arc<Shared> {
        std::fs::write(dir.join("index.html"), "<body>home</body>").unwrap();
        let shared = Shared::new(dir.to_path_buf(), dir.to_path_buf(), Vec::new());
        // No first build here: the folder is the site.
        shared.first.settle();
        Arc::new(shared)
    }

    fn start(dir: &std::path::Path, limits: Limits, spawn: Spawn) -> (Server, Arc<Mutex<Vec<String>>>) {
        let logged = Arc::new(Mutex::new(Vec::new()));
        let log = logged.clone();
        let note: Arc<Notes> = Arc::new(move |n: Note<'_>| {
            if let Note::Refused { why, .. } = n {
                log.lock().unwrap().push(why.to_owned());
            }
        });
        let listener = bind(IpAddr::from([127, 0, 0, 1]), 0).unwrap();
        (Server::start_with(listener, shared(dir), note, limits, spawn).unwrap(), logged)
    }

    fn request(addr: SocketAddr, raw: &[u8]) -> String {
        let mut sock = TcpStream::connect(addr).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        sock.write_all(raw).unwrap();
        let mut out = Vec::new();
        let _ = sock.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    fn failing_spawn(_: Box<dyn FnOnce() + Send>) -> std::io::Result<()> {
        Err(std::io::Error::new(ErrorKind::WouldBlock, "Resource temporarily unavailable"))
    }

    /// Issue 10, item 6: a thread that cannot be started for an event stream is a 503 and a
    /// line in the log; the server goes on answering.
    #[test]
    fn issue_10_a_failed_spawn_is_a_503_and_the_server_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let (server, logged) = start(dir.path(), LIMITS, failing_spawn);
        for _ in 0..3 {
            let reply = request(server.addr(), b"GET /__lore/events HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assert!(reply.starts_with("HTTP/1.1 503 Service Unavailable\r\n"), "{reply}");
            assert!(
                reply.ends_with(
                    "cannot start a thread for an event stream: Resource temporarily unavailable\n"
                )
            );
        }
        assert_eq!(
            logged.lock().unwrap().as_slice(),
            ["cannot start a thread for an event stream: Resource temporarily unavailable"],
            "logged once for a burst"
        );
        let reply = request(server.addr(), b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
        server.stop();
    }

    /// Issue 10, item 6: streams past their cap get a 503; half-open connections hold no
    /// worker and get a 408 after the head timeout; connections past their cap get a 503.
    #[test]
    fn issue_10_streams_connections_and_slow_heads_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits {
            workers: 2,
            queue: 2,
            connections: 40,
            streams: 3,
            // Long enough that on a loaded machine the half-open connections below still hold
            // their slots when the connection cap is checked.
            head_timeout: Duration::from_secs(5),
            ..LIMITS
        };
        let (server, _) = start(dir.path(), limits, spawn_stream);
        let mut streams = Vec::new();
        for _ in 0..3 {
            let mut sock = TcpStream::connect(server.addr()).unwrap();
            sock.write_all(b"GET /__lore/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
            let mut head = [0u8; 32];
            sock.read_exact(&mut head).unwrap();
            assert!(head.starts_with(b"HTTP/1.1 200 OK"));
            streams.push(sock);
        }
        let reply = request(server.addr(), b"GET /__lore/events HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assert!(reply.starts_with("HTTP/1.1 503 "), "{reply}");
        assert!(reply.ends_with("3 event streams are open, the most served at once\n"), "{reply}");
        // 30 half-open requests: more than workers and queue together.
        let half: Vec<TcpStream> = (0..30)
            .map(|_| {
                let mut sock = TcpStream::connect(server.addr()).unwrap();
                sock.write_all(b"GET / HTTP/1.1\r\nHost: local").unwrap();
                sock
            })
            .collect();
        std::thread::sleep(Duration::from_millis(100));
        let started = Instant::now();
        let reply = request(server.addr(), b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
        // Well before the half-open connections time out: they hold no worker.
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
        // Past the connection cap (30 half-open + this batch). The answered request's slot is
        // given back when its worker is done, just after the client saw the answer end.
        std::thread::sleep(Duration::from_millis(100));
        let more: Vec<TcpStream> = (0..10).map(|_| TcpStream::connect(server.addr()).unwrap()).collect();
        let reply = request(server.addr(), b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assert!(reply.starts_with("HTTP/1.1 503 "), "{reply}");
        for mut sock in half {
            sock.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
            let mut out = String::new();
            let _ = sock.read_to_string(&mut out);
            assert!(out.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{out}");
        }
        drop(more);
        drop(streams);
        // Closed streams give their slots back within a second.
        std::thread::sleep(Duration::from_millis(1200));
        let mut sock = TcpStream::connect(server.addr()).unwrap();
        sock.write_all(b"GET /__lore/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut head = [0u8; 15];
        sock.read_exact(&mut head).unwrap();
        assert_eq!(&head, b"HTTP/1.1 200 OK");
        server.stop();
    }
}
