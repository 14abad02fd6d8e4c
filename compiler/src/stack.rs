//! The compiler's own stack. Parsing, checking and code generation recurse
//! on the nesting of the program (a block in an `if` in a block...), so
//! the whole pipeline runs on a thread with a big stack: [`STACK_SIZE`] is
//! reserved address space, and only the pages a deep program really
//! touches are ever committed. Nesting deeper than the front end accepts
//! (`syntax::limits`) is a diagnostic, so no input can exhaust it.
//!
//! The heaviest user is the parser in an unoptimised (debug) build of the
//! compiler, about 100 KiB per level of `if` nesting; a release build
//! needs a fraction of that. Should a stack still run low, the recursive
//! passes stop with a diagnostic (`syntax::limits::stack_is_low`).

/// Stack reserved for the compiler thread: address space only, so
/// generous. The deepest nesting `syntax::limits` allows needs about
/// 1 GiB in an unoptimised build of the compiler.
pub const STACK_SIZE: usize = 4 << 30;

/// Smaller reservations to fall back on where the big one is refused
/// (a low `ulimit -v`, say). With them, very deep programs may get the
/// "ran out of stack" diagnostic before the nesting limit.
const FALLBACK_SIZES: [usize; 3] = [1 << 30, 256 << 20, 64 << 20];

/// Runs `work` on a thread with a big stack and returns its result. If no
/// such thread can be made, `work` runs on the current thread.
pub fn run<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let mut work = Some(work);
    for size in std::iter::once(STACK_SIZE).chain(FALLBACK_SIZES) {
        let outcome = std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("plat".into())
                .stack_size(size)
                .spawn_scoped(scope, || work.take().map(|w| w()))
                .map(|handle| handle.join())
        });
        match outcome {
            Ok(Ok(Some(value))) => return value,
            Ok(Ok(None)) => unreachable!("the work is taken by one thread only"),
            // A panic in the compiler thread is a compiler bug: pass it on.
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            // No thread with this stack: try a smaller one.
            Err(_) => continue,
        }
    }
    let work = work.take().expect("no thread ran the work");
    work()
}
