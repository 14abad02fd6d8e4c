//! Entry points of the environment, randomness, process and standard
//! input built-ins.
