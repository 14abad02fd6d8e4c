//! Entry points of the file, directory and symlink built-ins.
