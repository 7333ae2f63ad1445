//! Generation and formatting are independent per module and per file: a small
//! scoped thread pool runs them on every core.

/// `work` on every input, on as many threads as the machine has; results in
/// input order. Inputs are taken one at a time, so a big file does not hold
/// up a thread's share of small ones.
pub(crate) fn in_parallel<I: Sync, O: Send>(inputs: &[I], work: impl Fn(&I) -> O + Sync) -> Vec<O> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(inputs.len());
    // Inside a proc-macro, proc-macro2 talks to the compiler, which only
    // answers on the macro's own thread.
    if threads <= 1 || proc_macro::is_available() {
        return inputs.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, O)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(input) = inputs.get(index) else {
                            break done;
                        };
                        done.push((index, work(input)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, output)| output).collect()
}
