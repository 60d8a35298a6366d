//! Work that is the same for each item of a list, spread over the machine's
//! cores. The results come back in the list's order, whichever thread made
//! each one, so the output never depends on how the work was scheduled.
//!
//! The generator's costly stages are per file (parsing a YAML file,
//! rendering a module to Rust, JSON Schema or Markdown), and each file's
//! result depends only on its input and the shared, read-only IR.

use std::sync::OnceLock;

use rayon::prelude::*;

/// The stack of a worker thread: as large as a program's main thread has.
/// `syn` parses nested expressions by recursion, and a worker must not run
/// out of stack on a file the calling thread would have rendered.
const WORKER_STACK: usize = 8 << 20;

/// The generator's workers (rayon's pool, one thread per core), made once.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(WORKER_STACK)
            .thread_name(|index| format!("codegen-{index}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// `work` applied to each item, in the items' order. Idle workers take
/// work from busy ones, so a large file does not hold up a whole share of
/// the list. A single item, or a pool that could not start, runs on the
/// calling thread.
pub fn map<T, R, F>(items: &[T], work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    match pool() {
        Some(pool) if items.len() > 1 => pool.install(|| items.par_iter().map(&work).collect()),
        _ => items.iter().map(work).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_the_items_order() {
        let items: Vec<u64> = (0..1000).collect();
        // Uneven work, so threads finish out of order.
        let squares = map(&items, |&n| {
            let mut sum = 0u64;
            for i in 0..(n % 7) * 1000 {
                sum = sum.wrapping_add(i);
            }
            (n * n, sum)
        });
        let expected: Vec<u64> = items.iter().map(|n| n * n).collect();
        assert_eq!(
            squares
                .iter()
                .map(|(square, _)| *square)
                .collect::<Vec<_>>(),
            expected
        );
    }

    #[test]
    fn no_items_no_results() {
        assert!(map(&[] as &[u8], |_| 0).is_empty());
    }
}
