//! TCP sockets on the readiness poller: listen, accept, connect, read,
//! write and close, each parking only the calling task.
//!
//! Every socket is non-blocking, close-on-exec and registered with the
//! poller once ([`netpoll::register`]). An operation tries its system
//! call and, on `EAGAIN`, waits for readiness ([`netpoll::wait`]) and
//! tries again. Writes use `send(MSG_NOSIGNAL)`: a peer that went away
//! is an `Err`, never a `SIGPIPE`.
//!
//! Text: `tcp_read` returns whole UTF-8 characters. A read that ends
//! inside a character keeps the cut-off bytes for the next read (and
//! reads on if they are all it has, so `Ok("")` always means end of
//! stream); bytes that are not UTF-8 become U+FFFD, as do cut-off bytes
//! left at the end of the stream (docs/io.md).

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Mutex;

use super::blocking;
use super::netpoll::{self, PollDesc, Side, WaitError};

/// Pending connections a listener queues (the kernel caps it at
/// `net.core.somaxconn`).
const BACKLOG: i32 = 4096;
/// Most bytes one `tcp_read` asks the kernel for.
const MAX_READ: usize = 1 << 20;

/// An open socket (listening or connected). Its OS descriptor is closed
/// when the last reference goes (see `handles`).
pub struct Socket {
    fd: i32,
    pd: &'static PollDesc,
    listener: bool,
    /// Bytes of a UTF-8 character cut off by the last read (at most 3).
    tail: Mutex<Vec<u8>>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        netpoll::close(self.pd);
        // SAFETY: we own `fd`; nobody uses it once the last reference goes.
        unsafe { libc::close(self.fd) };
        netpoll::release(self.pd);
    }
}

/// What went wrong, as the `Err` message the built-in returns.
pub type Outcome<T> = Result<T, String>;

fn os_err(what: &str) -> String {
    format!("{what}: {}", std::io::Error::last_os_error())
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

impl Socket {
    fn new(fd: i32, listener: bool) -> Outcome<Socket> {
        match netpoll::register(fd) {
            Ok(pd) => Ok(Socket {
                fd,
                pd,
                listener,
                tail: Mutex::new(Vec::new()),
            }),
            Err(e) => {
                // SAFETY: our fresh descriptor, not shared.
                unsafe { libc::close(fd) };
                Err(format!("cannot register socket with the poller: {e}"))
            }
        }
    }

    /// Marks the socket closed: tasks waiting on it get an `Err` now.
    pub fn shut(&self) {
        netpoll::close(self.pd);
    }

    /// Waits for readiness of `side`; `Err` when the socket was closed or
    /// another task waits on the same side.
    fn wait(&self, side: Side, what: &'static str, op: &str) -> Outcome<()> {
        match netpoll::wait(self.pd, side, what) {
            Ok(()) => Ok(()),
            Err(WaitError::Closed) => Err(format!("{op}: socket closed")),
            Err(WaitError::Busy) => Err(format!(
                "{op}: another task is already waiting on this socket"
            )),
            Err(WaitError::Cancelled) => Err(CANCELLED.to_owned()),
        }
    }
}

/// The message of a wait ended by cancellation (the entry point then
/// ends the task instead of returning it).
pub const CANCELLED: &str = "\0cancelled";

/// The addresses `host:port` names: parsed directly when `host` is an IP
/// address, else looked up on the blocking pool.
fn resolve(host: &str, port: i32, op: &str) -> Outcome<Vec<SocketAddr>> {
    let port =
        u16::try_from(port).map_err(|_| format!("{op}: port {port} out of range (0-65535)"))?;
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let name = if host == "localhost" || host.is_empty() {
        "localhost".to_owned()
    } else {
        host.to_owned()
    };
    let op = op.to_owned();
    blocking::run("resolving a host name", move || {
        match (name.as_str(), port).to_socket_addrs() {
            Ok(list) => {
                let v: Vec<SocketAddr> = list.collect();
                if v.is_empty() {
                    Err(format!("{op}: no address found for {name:?}"))
                } else {
                    Ok(v)
                }
            }
            Err(e) => Err(format!("{op}: cannot resolve {name:?}: {e}")),
        }
    })
}

/// `addr` as a C socket address.
fn sockaddr(addr: &SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: all-zero is a valid sockaddr_storage.
    let mut st: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than sockaddr_in and
            // suitably aligned.
            unsafe { (&mut st as *mut _ as *mut libc::sockaddr_in).write(sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: as above for sockaddr_in6.
            unsafe { (&mut st as *mut _ as *mut libc::sockaddr_in6).write(sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (st, len as libc::socklen_t)
}

fn new_socket(addr: &SocketAddr) -> Outcome<i32> {
    let family = match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    };
    // SAFETY: plain system call.
    let fd = unsafe {
        libc::socket(
            family,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    };
    if fd < 0 {
        return Err(os_err("socket"));
    }
    Ok(fd)
}

fn set_opt(fd: i32, level: i32, name: i32, value: i32) {
    // SAFETY: `value` is a valid int option value for `fd`.
    unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            &value as *const i32 as *const libc::c_void,
            std::mem::size_of::<i32>() as libc::socklen_t,
        )
    };
}

/// `tcp_listen(host, port)`.
pub fn listen(host: &str, port: i32) -> Outcome<Socket> {
    let op = format!("tcp_listen({host:?}, {port})");
    let addrs = resolve(host, port, &op)?;
    let mut last = format!("{op}: no address");
    for addr in addrs {
        let fd = new_socket(&addr)?;
        set_opt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1);
        let (sa, len) = sockaddr(&addr);
        // SAFETY: `sa` is a valid address of `len` bytes.
        let bound = unsafe { libc::bind(fd, &sa as *const _ as *const libc::sockaddr, len) } == 0
            // SAFETY: plain system call on our descriptor.
            && unsafe { libc::listen(fd, BACKLOG) } == 0;
        if bound {
            return Socket::new(fd, true);
        }
        last = os_err(&op);
        // SAFETY: our descriptor, not shared.
        unsafe { libc::close(fd) };
    }
    Err(last)
}

/// `tcp_accept(listener)`: the next connection, waiting for one.
pub fn accept(l: &Socket, number: i32) -> Outcome<Socket> {
    let op = format!("tcp_accept({number})");
    if !l.listener {
        return Err(format!("{op}: socket {number} is not listening"));
    }
    loop {
        // SAFETY: plain system call; no address wanted.
        let fd = unsafe {
            libc::accept4(
                l.fd,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            )
        };
        if fd >= 0 {
            set_opt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1);
            return Socket::new(fd, false);
        }
        match errno() {
            libc::EAGAIN => l.wait(Side::Read, "accepting a connection", &op)?,
            libc::EINTR | libc::ECONNABORTED => {}
            _ => return Err(os_err(&op)),
        }
    }
}

/// `tcp_connect(host, port)`.
pub fn connect(host: &str, port: i32) -> Outcome<Socket> {
    let op = format!("tcp_connect({host:?}, {port})");
    let addrs = resolve(host, port, &op)?;
    let mut last = format!("{op}: no address");
    for addr in addrs {
        let fd = new_socket(&addr)?;
        let s = Socket::new(fd, false)?;
        let (sa, len) = sockaddr(&addr);
        // SAFETY: `sa` is a valid address of `len` bytes.
        let r = unsafe { libc::connect(fd, &sa as *const _ as *const libc::sockaddr, len) };
        if r == 0 {
            set_opt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1);
            return Ok(s);
        }
        if errno() != libc::EINPROGRESS {
            last = os_err(&op);
            continue;
        }
        s.wait(Side::Write, "connecting", &op)?;
        let mut err: i32 = 0;
        let mut len = std::mem::size_of::<i32>() as libc::socklen_t;
        // SAFETY: `err` and `len` are valid out-pointers for SO_ERROR.
        unsafe {
            libc::getsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_ERROR,
                &mut err as *mut i32 as *mut libc::c_void,
                &mut len,
            )
        };
        if err == 0 {
            set_opt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1);
            return Ok(s);
        }
        last = format!("{op}: {}", std::io::Error::from_raw_os_error(err));
    }
    Err(last)
}

/// `tcp_read(socket, max_bytes)`: whole characters, `""` at end of stream.
pub fn read(s: &Socket, number: i32, max_bytes: i32) -> Outcome<String> {
    let op = format!("tcp_read({number})");
    if max_bytes <= 0 {
        return Err(format!("{op}: max_bytes must be positive, not {max_bytes}"));
    }
    if s.listener {
        return Err(format!("{op}: socket {number} is listening, not connected"));
    }
    let mut buf = std::mem::take(&mut *s.tail.lock().unwrap_or_else(|e| e.into_inner()));
    let want = (max_bytes as usize).min(MAX_READ);
    loop {
        let have = buf.len();
        // Room for `want` bytes, or at least one more byte of a cut-off
        // character (a character longer than `max_bytes` comes whole).
        let room = want.saturating_sub(have).max(1);
        buf.resize(have + room, 0);
        // SAFETY: `buf[have..]` is `room` writable bytes.
        let n = unsafe {
            libc::recv(
                s.fd,
                buf.as_mut_ptr().add(have) as *mut libc::c_void,
                room,
                0,
            )
        };
        if n > 0 {
            buf.truncate(have + n as usize);
            let keep = cut_off_tail(&buf);
            if keep < buf.len() {
                let tail = buf.split_off(buf.len() - keep);
                *s.tail.lock().unwrap_or_else(|e| e.into_inner()) = tail;
                return Ok(String::from_utf8_lossy(&buf).into_owned());
            }
            // Only a cut-off character so far: read on.
            continue;
        }
        buf.truncate(have);
        if n == 0 {
            return Ok(String::from_utf8_lossy(&buf).into_owned());
        }
        match errno() {
            libc::EAGAIN => {
                if let Err(e) = s.wait(Side::Read, "reading a socket", &op) {
                    *s.tail.lock().unwrap_or_else(|e| e.into_inner()) = buf;
                    return Err(e);
                }
            }
            libc::EINTR => {}
            _ => {
                let e = os_err(&op);
                *s.tail.lock().unwrap_or_else(|e| e.into_inner()) = buf;
                return Err(e);
            }
        }
    }
}

/// How many bytes at the end of `b` are the start of a UTF-8 character
/// cut off by the read (0 to 3; the rest of `b` is complete).
fn cut_off_tail(b: &[u8]) -> usize {
    for k in 1..=b.len().min(3) {
        let c = b[b.len() - k];
        if c & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back
        }
        let need = match c {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return 0,
        };
        return if need > k { k } else { 0 };
    }
    0
}

/// `tcp_write(socket, data)`: all of `data`; returns the bytes written.
pub fn write(s: &Socket, number: i32, data: &[u8]) -> Outcome<i32> {
    let op = format!("tcp_write({number})");
    if s.listener {
        return Err(format!("{op}: socket {number} is listening, not connected"));
    }
    let mut done = 0;
    while done < data.len() {
        // SAFETY: `data[done..]` is readable.
        let n = unsafe {
            libc::send(
                s.fd,
                data.as_ptr().add(done) as *const libc::c_void,
                data.len() - done,
                libc::MSG_NOSIGNAL,
            )
        };
        if n >= 0 {
            done += n as usize;
            continue;
        }
        match errno() {
            libc::EAGAIN => s.wait(Side::Write, "writing a socket", &op)?,
            libc::EINTR => {}
            _ => return Err(os_err(&op)),
        }
    }
    Ok(done as i32)
}

/// `tcp_local_port(socket)`: the port the socket is bound to (what a
/// listener on port 0 got).
pub fn local_port(s: &Socket, number: i32) -> Outcome<i32> {
    // SAFETY: all-zero is a valid sockaddr_storage.
    let mut st: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    // SAFETY: `st` has room for `len` bytes.
    if unsafe { libc::getsockname(s.fd, &mut st as *mut _ as *mut libc::sockaddr, &mut len) } < 0 {
        return Err(os_err(&format!("tcp_local_port({number})")));
    }
    let port = match st.ss_family as i32 {
        // SAFETY: the kernel wrote a sockaddr_in for this family.
        libc::AF_INET => unsafe { (*(&st as *const _ as *const libc::sockaddr_in)).sin_port },
        // SAFETY: as above, a sockaddr_in6.
        _ => unsafe { (*(&st as *const _ as *const libc::sockaddr_in6)).sin6_port },
    };
    Ok(i32::from(u16::from_be(port)))
}

#[cfg(test)]
mod tests {
    use super::cut_off_tail;

    #[test]
    fn cut_off_tails() {
        assert_eq!(cut_off_tail(b"abc"), 0);
        assert_eq!(cut_off_tail("é".as_bytes()), 0);
        assert_eq!(cut_off_tail(&"é".as_bytes()[..1]), 1);
        assert_eq!(cut_off_tail(&"€".as_bytes()[..2]), 2);
        assert_eq!(cut_off_tail(&"a😀".as_bytes()[..4]), 3);
        assert_eq!(cut_off_tail("a😀".as_bytes()), 0);
        assert_eq!(cut_off_tail(&[0x80]), 0);
        assert_eq!(cut_off_tail(&[0xFF]), 0);
    }
}
