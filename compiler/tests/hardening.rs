//! Runtime hardening (issue 15, items 4 and 5), process by process:
//!
//! - signals from outside: `SIGINT` / `SIGTERM` end a busy or a waiting
//!   program with whole lines on stdout and exit 130 / 143; `SIGQUIT`
//!   prints every task and the program goes on; a fault signal sent with
//!   `kill` is reported as such, with the task, never a bare crash.
//! - an address-space limit (`ulimit -v`): a program starts, runs tasks
//!   and allocates under a 1 GiB limit, and an allocation past it is an
//!   out-of-memory panic; so is a channel buffer grown past it (a send or
//!   a `select` send arm).
//! - untrusted input: a Plat echo server (`tests/hardening/server.plat`)
//!   survives a client that sends 100 MB in one write (echoed as it
//!   reads, in bounded memory), a client that connects and never sends,
//!   1,000 clients that connect and vanish, and bytes that are not UTF-8,
//!   and serves every other client meanwhile.
//!
//! Nothing here measures time: every step waits for output (a line on
//! stdout or stderr, an echo) before the next; a watchdog kills a hung
//! program after a minute so a regression fails instead of hanging.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};

mod support;

use support::watchdog;

/// Sends `sig` to `child`.
fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: `kill` on the pid of our own live (not yet waited) child.
    let r = unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    assert_eq!(r, 0, "kill failed");
}

/// Waits for `child` (its pipes already taken): (exit code, or 128 +
/// the signal that killed it; peak RSS in bytes).
fn wait_measured(child: Child) -> (i32, u64) {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data, written by `wait4`.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, with valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    std::mem::forget(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    // Linux reports ru_maxrss in KiB.
    (code, usage.ru_maxrss as u64 * 1024)
}

struct Running {
    child: Child,
    out: BufReader<ChildStdout>,
    err: BufReader<ChildStderr>,
}

fn start(name: &str, args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut child = Command::new(support::build("hardening", name))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the program");
    watchdog(&child);
    let out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let err = BufReader::new(child.stderr.take().expect("piped stderr"));
    Running { child, out, err }
}

fn line(r: &mut impl BufRead) -> String {
    let mut l = String::new();
    r.read_line(&mut l).expect("read a line");
    l
}

fn rest(r: &mut impl Read) -> String {
    let mut s = String::new();
    r.read_to_string(&mut s).expect("read to the end");
    s
}

/// A busy program (printing without end) stopped by `sig`: exits with
/// `code`, and its stdout is whole lines `tick 0`, `tick 1`... with no
/// gap and no cut-off line at the end (the buffer is flushed whole).
fn busy_program_ends_on(sig: libc::c_int, code: i32, env: &[(&str, &str)]) {
    let mut p = start("signals", &["busy"], env);
    assert_eq!(line(&mut p.out), "tick 0\n");
    signal(&p.child, sig);
    let out = rest(&mut p.out);
    let err = rest(&mut p.err);
    let (status, _) = wait_measured(p.child);
    assert_eq!(status, code, "{env:?}: stderr: {err}");
    assert_eq!(err, "", "{env:?}: a clean exit says nothing");
    assert!(
        out.is_empty() || out.ends_with('\n'),
        "{env:?}: cut-off line"
    );
    for (i, l) in out.lines().enumerate() {
        assert_eq!(l, format!("tick {}", i + 1), "{env:?}: lines lost");
    }
}

#[test]
fn ensure_that_sigint_and_sigterm_end_a_busy_program_with_whole_output() {
    for env in [&[][..], &[("PLAT_WORKERS", "1")], &[("PLAT_SEED", "7")]] {
        busy_program_ends_on(libc::SIGINT, 130, env);
        busy_program_ends_on(libc::SIGTERM, 143, env);
    }
}

#[test]
fn ensure_that_sigint_ends_a_waiting_program_with_its_output_flushed() {
    let mut p = start("signals", &["wait"], &[]);
    assert_eq!(line(&mut p.out), "2\n");
    assert_eq!(line(&mut p.out), "ready\n");
    signal(&p.child, libc::SIGINT);
    assert_eq!(rest(&mut p.out), "");
    assert_eq!(rest(&mut p.err), "");
    assert_eq!(wait_measured(p.child).0, 130);
}

#[test]
fn ensure_that_sigquit_prints_every_task_and_the_program_goes_on() {
    for env in [
        &[][..],
        &[("PLAT_GC_PERCENT", "off")],
        &[("PLAT_WORKERS", "1")],
    ] {
        let mut p = start("signals", &["wait"], env);
        assert_eq!(line(&mut p.out), "2\n");
        assert_eq!(line(&mut p.out), "ready\n");
        signal(&p.child, libc::SIGQUIT);
        let head = line(&mut p.err);
        assert_eq!(head, "SIGQUIT: 2 tasks\n", "{env:?}");
        let main = line(&mut p.err);
        let recv = line(&mut p.err);
        // The line of the read (27), also when the MIR inliner copied
        // `wait` into `main`: the runtime's line table gives inlined code
        // its own line (docs/mir.md).
        assert!(
            main.starts_with("  task main: waiting: ")
                && main.contains("at tests/hardening/signals.plat:27:"),
            "{env:?}: {main}"
        );
        assert!(
            recv.starts_with("  task 1 (spawned at tests/hardening/signals.plat:20:")
                && recv.contains(
                    ": waiting: receiving from channel made at tests/hardening/signals.plat:19:"
                )
                && recv.contains(", at tests/hardening/signals.plat:20:"),
            "{env:?}: {recv}"
        );
        // The program goes on: a second dump, then its input lets it end.
        signal(&p.child, libc::SIGQUIT);
        assert_eq!(line(&mut p.err), "SIGQUIT: 2 tasks\n", "{env:?}");
        let mut stdin = p.child.stdin.take().expect("piped stdin");
        stdin.write_all(b"go\n").expect("write stdin");
        drop(stdin);
        assert_eq!(rest(&mut p.out), "1\ndone\n", "{env:?}");
        let err = rest(&mut p.err);
        assert_eq!(err.lines().count(), 2, "{env:?}: {err}");
        assert_eq!(wait_measured(p.child).0, 0, "{env:?}");
    }
}

/// Seeded, the one worker itself blocks reading stdin: the world cannot
/// stop until the read returns. A line says so; the dump follows.
#[test]
fn ensure_that_sigquit_says_why_a_dump_is_late() {
    let mut p = start("signals", &["wait"], &[("PLAT_SEED", "3")]);
    assert_eq!(line(&mut p.out), "2\n");
    assert_eq!(line(&mut p.out), "ready\n");
    signal(&p.child, libc::SIGQUIT);
    assert!(line(&mut p.err).starts_with("SIGQUIT: the tasks cannot be stopped now"));
    let mut stdin = p.child.stdin.take().expect("piped stdin");
    stdin.write_all(b"go\n").expect("write stdin");
    drop(stdin);
    assert_eq!(line(&mut p.err), "SIGQUIT: 2 tasks\n");
    assert_eq!(rest(&mut p.out), "1\ndone\n");
    assert_eq!(wait_measured(p.child).0, 0);
}

#[test]
fn ensure_that_a_fault_signal_sent_from_outside_is_reported_not_a_bare_crash() {
    for (sig, name) in [
        (libc::SIGSEGV, "SIGSEGV"),
        (libc::SIGBUS, "SIGBUS"),
        (libc::SIGFPE, "SIGFPE"),
        (libc::SIGILL, "SIGILL"),
    ] {
        let mut p = start("signals", &["wait"], &[]);
        assert_eq!(line(&mut p.out), "2\n");
        assert_eq!(line(&mut p.out), "ready\n");
        signal(&p.child, sig);
        let err = rest(&mut p.err);
        let out = rest(&mut p.out);
        let (code, _) = wait_measured(p.child);
        assert_eq!(code, 128 + sig, "{name}: {err}");
        assert!(
            err.starts_with(&format!(
                "fatal: signal {name} sent by process {}\n",
                std::process::id()
            )),
            "{name}: {err}"
        );
        assert_eq!(out, "", "{name}");
    }
}

/// The echo server, its port, and a thread printing nothing.
/// Runs tests/hardening/NAME.plat on `workers` workers under an
/// address-space limit of 1 GiB (`ulimit -v`): (stdout, stderr, exit
/// code).
fn run_limited(name: &str, workers: &str) -> (String, String, Option<i32>) {
    let mut cmd = Command::new(support::build("hardening", name));
    cmd.env("PLAT_WORKERS", workers)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: `setrlimit` is async-signal-safe; the closure touches
    // nothing else between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        })
    };
    let child = cmd.spawn().expect("start the program");
    watchdog(&child);
    let out = child.wait_with_output().expect("wait");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn ensure_that_a_program_runs_under_an_address_space_limit() {
    for workers in ["1", "2"] {
        let (stdout, stderr, code) = run_limited("address_limit", workers);
        assert_eq!(stdout, "8955050\n2000000\n", "stderr: {stderr}");
        assert_eq!(code, Some(101), "stderr: {stderr}");
        assert!(
            stderr.contains("panic: out of memory: allocation of 16000000016 bytes"),
            "{stderr}"
        );
    }
}

/// A channel buffer that would outgrow memory: refused under the
/// channel's lock, then the send's panic (a plain send, and a `select`
/// send arm in a task), never a fatal exit or a lock left held.
#[test]
fn ensure_that_a_channel_buffer_past_memory_is_a_panic() {
    let oom =
        "panic: out of memory: allocation of 134217744 bytes (channel buffer of 16777216 values)";
    for (name, line) in [
        ("channel_flood_send", "channel_flood_send.plat:13:"),
        ("channel_flood_select", "channel_flood_select.plat:12:"),
    ] {
        for workers in ["1", "2"] {
            let (stdout, stderr, code) = run_limited(name, workers);
            assert_eq!(
                stdout, "sent 0\nsent 4000000\nsent 8000000\n",
                "{name}: {stderr}"
            );
            assert_eq!(code, Some(101), "{name}: {stderr}");
            assert!(stderr.contains(oom), "{name}: {stderr}");
            assert!(stderr.contains(line), "{name}: {stderr}");
        }
    }
}

fn start_server() -> (Running, u16) {
    let mut p = start("server", &[], &[]);
    let port = line(&mut p.out)
        .trim()
        .parse()
        .expect("the server prints its port");
    (p, port)
}

/// One ordinary client: sends `msg`, closes its end, reads the echo.
fn echo(port: u16, msg: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.write_all(msg).expect("write");
    s.shutdown(Shutdown::Write).expect("shutdown");
    let mut back = Vec::new();
    s.read_to_end(&mut back).expect("read the echo");
    back
}

/// Sends `total` bytes of ASCII in one `write_all` while a second
/// thread reads the echo, which must be the same bytes.
fn huge_write(port: u16, total: usize) {
    let data: Vec<u8> = (0..total).map(|i| b'a' + (i % 26) as u8).collect();
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut r = s.try_clone().expect("clone the socket");
    let reader = std::thread::spawn(move || {
        let mut got = 0usize;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = r.read(&mut buf).expect("read the echo");
            if n == 0 {
                return got;
            }
            for (k, &b) in buf[..n].iter().enumerate() {
                assert_eq!(
                    b,
                    b'a' + ((got + k) % 26) as u8,
                    "echo differs at {}",
                    got + k
                );
            }
            got += n;
        }
    });
    s.write_all(&data).expect("the big write");
    s.shutdown(Shutdown::Write).expect("shutdown");
    assert_eq!(reader.join().expect("reader"), total);
}

#[test]
fn ensure_that_an_echo_server_survives_hostile_clients_in_bounded_memory() {
    let (mut p, port) = start_server();
    // A client that connects and never sends: held open throughout.
    let mut silent = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    assert_eq!(echo(port, b"hello\n"), b"hello\n");
    assert_eq!(line(&mut p.out), "closed 6\n");
    // 100 MB in one write, echoed as it is read.
    let total = 100usize << 20;
    huge_write(port, total);
    assert_eq!(line(&mut p.out), format!("closed {total}\n"));
    // 1,000 clients that connect and vanish: half without a byte, half
    // with bytes whose echo nobody reads. Each connection's task ends
    // (a line each, in any order).
    for i in 0..1000 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        if i % 2 == 1 {
            s.write_all(b"gone before the echo\n").expect("write");
        }
    }
    for _ in 0..1000 {
        let l = line(&mut p.out);
        assert!(
            l == "closed 0\n" || l == "closed 21\n" || l.starts_with("failed: "),
            "{l:?}"
        );
    }
    // Bytes that are not UTF-8 come back as U+FFFD.
    let back = echo(port, b"ok \xff\xfe \xc3 \x80 end\n");
    let text = String::from_utf8(back).expect("the echo is UTF-8");
    assert!(
        text.starts_with("ok \u{fffd}") && text.ends_with(" end\n"),
        "{text:?}"
    );
    line(&mut p.out);
    // Every other client is still served.
    let word = "après tout\n".as_bytes();
    assert_eq!(echo(port, word), word);
    assert_eq!(line(&mut p.out), format!("closed {}\n", word.len()));
    // The silent client is still connected: the server answers it too.
    silent.write_all(b"late\n").expect("write");
    let mut buf = [0u8; 5];
    silent.read_exact(&mut buf).expect("read the late echo");
    assert_eq!(&buf, b"late\n");
    signal(&p.child, libc::SIGTERM);
    let out = rest(&mut p.out);
    let err = rest(&mut p.err);
    let (code, peak) = wait_measured(p.child);
    assert_eq!(code, 143, "stderr: {err}");
    assert_eq!(err, "");
    eprintln!("echo server peak RSS: {} MiB", peak >> 20);
    // The silent connection was still open: no line for it.
    assert_eq!(out, "");
    assert!(
        peak < 200 << 20,
        "peak RSS {} MiB for a server that keeps nothing",
        peak >> 20
    );
}
