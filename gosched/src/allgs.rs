//! `allgs`: every G the runtime ever made, behind goroutine dumps, leak
//! reports and deadlock detection (`runtime/proc.go: allgadd, forEachG`,
//! Go 1.27).
//!
//! As in Go, the registry only grows, and only when a spawn finds no dead
//! G to reuse (`gfree.rs`): a dead G stays registered while it waits on a
//! free list, and whoever reads the registry skips the dead. So spawning
//! and exiting cost it nothing in a steady state, and it holds as many Gs
//! as were ever alive at once.
//!
//! The registry is generic over what it holds, so it sits below the G.

use std::sync::{Arc, Mutex, MutexGuard};

/// The registry.
pub(crate) struct AllGs<G> {
    gs: Mutex<Vec<Arc<G>>>,
}

impl<G> std::fmt::Debug for AllGs<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AllGs")
            .field("len", &self.lock().len())
            .finish()
    }
}

impl<G> AllGs<G> {
    pub(crate) fn new() -> AllGs<G> {
        AllGs {
            gs: Mutex::new(Vec::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Arc<G>>> {
        self.gs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `allgadd`: a newly made G.
    pub(crate) fn add(&self, g: &Arc<G>) {
        self.lock().push(Arc::clone(g));
    }

    /// Gs made so far (`allglen`).
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// Every registered G, dead ones included, in the order they were made.
    pub(crate) fn snapshot(&self) -> Vec<Arc<G>> {
        self.lock().clone()
    }

    /// Empties the registry (runtime shutdown), returning what it held.
    pub(crate) fn take_all(&self) -> Vec<Arc<G>> {
        std::mem::take(&mut *self.lock())
    }
}

#[cfg(test)]
mod tests {
    use super::AllGs;
    use std::sync::Arc;

    #[test]
    fn grows_only_and_empties_at_shutdown() {
        let r = AllGs::new();
        let (a, b) = (Arc::new(1), Arc::new(2));
        r.add(&a);
        r.add(&b);
        assert_eq!(r.len(), 2);
        assert_eq!(*r.snapshot()[1], 2);
        assert_eq!(r.take_all().len(), 2);
        assert_eq!(r.len(), 0);
        assert_eq!(Arc::strong_count(&a), 1, "the registry let go of its Gs");
    }
}
