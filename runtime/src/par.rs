//! Data parallelism (concurrency.md section 7): how many chunks
//! `xs.par_map(f =)` and its siblings split a list into.
//!
//! The compiler lowers the four `par_*` methods of `List` to HIR
//! (`compiler/src/check/list_par.rs`): it asks [`plat_par_chunks`] for a
//! chunk count, runs a plain loop when the answer is 1, and otherwise
//! spawns one task per chunk in a scope of its own. The policy lives here
//! so that it can follow the scheduler (the number of workers) without
//! recompiling programs.
//!
//! The cost of `f` is unknown, so the policy only bounds the overhead:
//! no chunk is shorter than [`MIN_CHUNK`] elements (a list of 10 is one
//! chunk, so it runs as a plain loop with no task at all), and there are
//! at most [`CHUNKS_PER_WORKER`] chunks per worker, enough for the
//! workers to balance uneven chunks by stealing, few enough that a list
//! of ten million elements costs a few dozen spawns.

/// The shortest chunk worth a task of its own.
pub const MIN_CHUNK: i64 = 8;

/// Chunks per worker for long lists.
pub const CHUNKS_PER_WORKER: i64 = 4;

/// The chunk count for a list of `len` elements on `workers` workers:
/// between 1 and `len` (1 for an empty list).
pub fn chunks_for(len: i64, workers: usize) -> i64 {
    let by_len = len / MIN_CHUNK;
    let by_workers = CHUNKS_PER_WORKER.saturating_mul(workers.max(1) as i64);
    by_len.min(by_workers).max(1)
}

/// `xs.par_map(f =)` and siblings: the number of chunks for a list of
/// `len` elements on the running scheduler.
#[no_mangle]
pub extern "C" fn plat_par_chunks(len: i64) -> i64 {
    chunks_for(len, crate::sched::running_workers())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lists_are_one_chunk() {
        for len in [0, 1, 10, 2 * MIN_CHUNK - 1] {
            assert_eq!(chunks_for(len, 4), 1, "len {len}");
        }
        assert_eq!(chunks_for(2 * MIN_CHUNK, 4), 2);
    }

    #[test]
    fn long_lists_get_a_few_chunks_per_worker() {
        assert_eq!(chunks_for(1_000_000, 1), CHUNKS_PER_WORKER);
        assert_eq!(chunks_for(1_000_000, 2), 2 * CHUNKS_PER_WORKER);
        assert_eq!(chunks_for(10_000_000, 16), 16 * CHUNKS_PER_WORKER);
    }

    #[test]
    fn chunks_never_exceed_the_length_or_go_below_one() {
        for workers in [0, 1, 2, 3, 64, 1024] {
            for len in 0..200 {
                let c = chunks_for(len, workers);
                assert!(
                    c >= 1 && (c <= len || len == 0),
                    "len {len} workers {workers}: {c}"
                );
                assert!(c == 1 || len / c >= MIN_CHUNK, "len {len}: chunk too short");
            }
        }
    }

    #[test]
    fn sixty_four_heavy_elements_split_across_two_workers() {
        // The benchmark case: enough chunks for two workers to share.
        assert!(chunks_for(64, 2) >= 4);
    }
}
