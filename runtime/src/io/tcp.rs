//! TCP sockets on the readiness poller.

/// An open socket.
pub struct Socket {
    pub fd: std::os::fd::OwnedFd,
}
