//! The readiness poller (epoll).
