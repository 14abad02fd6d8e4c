//! Open files: what a file descriptor number refers to.

/// An open file (its OS descriptor is closed when the last reference goes).
pub struct File {
    pub file: std::fs::File,
}
