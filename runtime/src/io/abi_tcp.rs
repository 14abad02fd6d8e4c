//! Entry points of the TCP built-ins.
