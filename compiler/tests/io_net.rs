//! TCP between processes: a Plat server serving a Rust client, and a Plat
//! client of a Rust server, on every worker count and a seeded schedule.
//! The server waits in `tcp_accept` with nothing else to do, so every
//! worker is idle with a task parked on I/O: deadlock detection must not
//! fire, and the poller must wake the task when the client connects.
//! Also: `PLAT_TRACE` shows the I/O parks. Nothing here measures time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

mod support;

use support::watchdog;

const SCHEDULES: &[(&str, &str)] = &[
    ("PLAT_WORKERS", "1"),
    ("PLAT_WORKERS", "2"),
    ("PLAT_WORKERS", "4"),
    ("PLAT_SEED", "3"),
];

/// Runs the Plat server with `env`, talks to it, returns its stdout.
fn serve_one_client(env: &[(&str, &str)]) -> String {
    let mut child = Command::new(support::build("io_net", "server"))
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server");
    watchdog(&child);
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut port = String::new();
    out.read_line(&mut port).expect("read the port");
    let port: u16 = port.trim().parse().expect("the server prints its port");
    // Let the server park in tcp_accept with every worker idle (not
    // needed for the test to pass; it makes that state likely).
    std::thread::sleep(Duration::from_millis(100));
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let message = "héllo over tcp, ".repeat(500);
    s.write_all(message.as_bytes()).expect("write");
    s.shutdown(Shutdown::Write).expect("shutdown");
    let mut back = String::new();
    s.read_to_string(&mut back).expect("read the echo");
    assert_eq!(back, message, "the echo differs under {env:?}");
    let mut rest = String::new();
    out.read_to_string(&mut rest).expect("read the rest");
    let status = child.wait().expect("wait");
    assert!(status.success(), "server failed under {env:?}: {status}");
    rest
}

#[test]
fn a_plat_server_serves_a_client_in_another_process() {
    let bytes = "héllo over tcp, ".len() * 500;
    for &(k, v) in SCHEDULES {
        assert_eq!(
            serve_one_client(&[(k, v)]),
            format!("served {bytes} bytes\n")
        );
    }
}

#[test]
fn a_plat_client_talks_to_a_server_in_another_process() {
    let exe = support::build("io_net", "client");
    for &(k, v) in SCHEDULES {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mut child = Command::new(&exe)
            .arg(port.to_string())
            .env(k, v)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the client");
        watchdog(&child);
        let (mut conn, _) = listener.accept().expect("accept");
        let mut line = String::new();
        BufReader::new(conn.try_clone().expect("clone"))
            .read_line(&mut line)
            .expect("read the line");
        assert_eq!(line, "hello from plat\n");
        // Slowly, in pieces that split a character: the client reads
        // three bytes at a time and must rebuild the text.
        for piece in [&b"welcome, pla"[..], b"t \xE2\x82", b"\xAC\n"] {
            conn.write_all(piece).expect("write");
            conn.flush().expect("flush");
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(conn);
        let mut out = String::new();
        child
            .stdout
            .take()
            .expect("piped stdout")
            .read_to_string(&mut out)
            .expect("read");
        assert!(child.wait().expect("wait").success());
        assert_eq!(out, "reply: welcome, plat €\n", "under {k}={v}");
    }
}

#[test]
fn the_trace_shows_io_parks() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("io_net");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let trace = dir.join("trace.json");
    let trace_s = trace.to_string_lossy().into_owned();
    serve_one_client(&[("PLAT_TRACE", &trace_s)]);
    let text = std::fs::read_to_string(&trace).expect("the trace file");
    assert!(
        text.contains("accepting a connection"),
        "no I/O park in the trace"
    );
}

/// The original compiler's `examples/tcp_echo_server.plat` and
/// `examples/tcp_client.plat` (copied verbatim into tests/io_net/), which
/// talk over the fixed port 8080: the client's message comes back.
#[test]
fn the_original_tcp_examples_talk_to_each_other() {
    // The port is fixed by the programs: if something else holds it, the
    // programs cannot be tried here (said, not hidden).
    match TcpListener::bind("127.0.0.1:8080") {
        Ok(probe) => drop(probe),
        Err(e) => {
            eprintln!("skipped: port 8080 is in use ({e})");
            return;
        }
    }
    let server_exe = support::build("io_net", "original_tcp_echo_server");
    let client_exe = support::build("io_net", "original_tcp_client");
    let mut server = Command::new(server_exe)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server");
    watchdog(&server);
    let mut out = BufReader::new(server.stdout.take().expect("piped stdout"));
    let mut seen = String::new();
    while !seen.contains("Waiting for connection...") {
        let mut line = String::new();
        if out.read_line(&mut line).expect("read") == 0 {
            panic!("the server ended early: {seen}");
        }
        seen.push_str(&line);
    }
    let client = Command::new(client_exe).output().expect("run the client");
    assert!(client.status.success(), "client: {client:?}");
    assert_eq!(
        String::from_utf8_lossy(&client.stdout),
        "Connecting to 127.0.0.1:8080...\nConnected!\nSent 16 bytes\n\
         Received echo: Hello from Plat!\nConnection closed\n"
    );
    out.read_to_string(&mut seen).expect("read the rest");
    assert!(server.wait().expect("wait").success());
    assert_eq!(
        seen,
        "Starting TCP echo server on 127.0.0.1:8080...\nServer listening on 127.0.0.1:8080\n\
         Waiting for connection...\nClient connected!\nReceived: Hello from Plat!\n\
         Echoed 16 bytes back to client\nClient socket closed\nServer socket closed\n\
         Server shutdown complete\n"
    );
}
