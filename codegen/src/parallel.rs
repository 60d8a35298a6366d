//! Work that is the same for each item of a list, spread over the machine's
//! cores. The results come back in the list's order, whichever thread made
//! each one, so the output never depends on how the work was scheduled.
//!
//! The generator's costly stages are per file (parsing a YAML file,
//! rendering a module to Rust, JSON Schema or Markdown), and each file's
//! result depends only on its input and the shared, read-only IR.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The stack of a helper thread: as large as a program's main thread has.
const HELPER_STACK: usize = 8 << 20;

/// `work` applied to each item, in the items' order. Threads take the next
/// item as they finish one, so a large file does not hold up a whole share
/// of the list; a single core, or a single item, runs on the calling thread.
pub fn map<T, R, F>(items: &[T], work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                return done;
            };
            done.push((index, work(item)));
        }
    };
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        // Helpers get a main thread's stack: `syn` parses nested
        // expressions by recursion, and a helper must not run out of stack
        // on a file the calling thread would have rendered.
        let spawn = || {
            std::thread::Builder::new()
                .stack_size(HELPER_STACK)
                .spawn_scoped(scope, worker)
        };
        let helpers: Vec<_> = (1..threads).map(|_| spawn()).collect();
        let mut results = worker();
        for helper in helpers {
            // A helper that could not start left its share to the others.
            let Ok(helper) = helper else { continue };
            match helper.join() {
                Ok(done) => results.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    });
    results.sort_unstable_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
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
