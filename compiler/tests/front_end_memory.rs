//! The front end frees what it allocates: parsing, loading and checking a
//! program many times in one process holds no more memory than doing it
//! once (a long-lived front end, an editor server or tools/frontfuzz,
//! must not grow). Live heap bytes are counted by this test binary's own
//! allocator; the binary holds this one test, so nothing else allocates
//! meanwhile.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicIsize, Ordering};

use platc::source::{SourceMap, Span};
use platc::{check, modules, syntax};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Parses, loads (std modules included) and checks `path` once.
fn front_end(path: &Path, text: &str) {
    let mut sources = SourceMap::default();
    let file = sources.add(path, path.display().to_string(), text.to_string());
    let (module, diags) = syntax::parse_file(file, &sources.get(file).text);
    assert!(diags.is_empty(), "{diags:?}");
    let root = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let (mods, diags) = modules::load(module, &root, &mut sources);
    assert!(diags.is_empty(), "{diags:?}");
    let (program, diags) = check::check_mode(&mods, Span::new(file, 0, 0), check::Mode::Program);
    assert!(program.is_some() && diags.is_empty(), "{diags:?}");
}

#[test]
fn ensure_that_the_front_end_frees_what_it_allocates() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/parallel_word_count.plat");
    let text = std::fs::read_to_string(&path).expect("the example");
    platc::stack::run(move || {
        // The first run may fill caches that live for the process.
        front_end(&path, &text);
        let before = LIVE.load(Ordering::Relaxed);
        for _ in 0..50 {
            front_end(&path, &text);
        }
        let grown = LIVE.load(Ordering::Relaxed) - before;
        // A leak of the parser alone was ~25 KB per run (1.2 MB here).
        assert!(
            grown < 64 << 10,
            "50 runs of the front end kept {grown} more bytes than one"
        );
    });
}
