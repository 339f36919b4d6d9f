//! The global free list's storage (`runtime/proc.go: sched.gFree`,
//! Go 1.27): a LIFO of dead Gs that also remembers, for the stack
//! scavenger, which of them have given their pages back and which have
//! rested untouched for a whole scavenger period.
//!
//! Items are taken and put at the top (the end). Three marks count from
//! the bottom: `items[..clean]` are scavenged; `items[..low]` have not been
//! touched since the current scavenger pass started; `items[..rested]` are
//! that pass's to scavenge (what rested through the whole period before
//! it). Taking from the top lowers every mark above the new top. Generic
//! over what it holds, so it sits below the G.

use std::ops::Range;

/// The list (see the module docs).
#[derive(Debug)]
pub(crate) struct FreeList<T> {
    items: Vec<T>,
    clean: usize,
    low: usize,
    rested: usize,
}

impl<T> Default for FreeList<T> {
    fn default() -> Self {
        FreeList {
            items: Vec::new(),
            clean: 0,
            low: 0,
            rested: 0,
        }
    }
}

impl<T> FreeList<T> {
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Puts items on top.
    pub(crate) fn put(&mut self, items: impl IntoIterator<Item = T>) {
        self.items.extend(items);
    }

    /// Takes the top `n` (fewer if it holds fewer).
    pub(crate) fn take(&mut self, n: usize) -> std::vec::Drain<'_, T> {
        let from = self.items.len().saturating_sub(n);
        for mark in [&mut self.clean, &mut self.low, &mut self.rested] {
            *mark = (*mark).min(from);
        }
        self.items.drain(from..)
    }

    /// Starts a scavenger pass: what rested since the last one started is
    /// this one's.
    pub(crate) fn new_pass(&mut self) {
        self.rested = self.low;
        self.low = self.items.len();
    }

    /// Takes out up to `max` of the current pass's unscavenged items,
    /// leaving the top `keep` alone; they come back through
    /// [`put_back_clean`](Self::put_back_clean).
    pub(crate) fn take_to_scavenge(&mut self, keep: usize, max: usize) -> Vec<T> {
        let start = self.clean;
        let end = self
            .rested
            .min(self.items.len().saturating_sub(keep))
            .min(start + max);
        if start >= end {
            return Vec::new();
        }
        self.remove(start..end)
    }

    fn remove(&mut self, r: Range<usize>) -> Vec<T> {
        let n = r.len();
        let out: Vec<T> = self.items.drain(r).collect();
        self.low -= n.min(self.low);
        self.rested -= n.min(self.rested);
        out
    }

    /// Returns scavenged items to the bottom, above the clean ones.
    pub(crate) fn put_back_clean(&mut self, items: Vec<T>) {
        let at = self.clean.min(self.items.len());
        let n = items.len();
        self.items.splice(at..at, items);
        self.clean = at + n;
        // Marks at or above `at` moved up with the items.
        for mark in [&mut self.low, &mut self.rested] {
            if *mark >= at {
                *mark += n;
            }
        }
    }

    /// Empties the list.
    pub(crate) fn take_all(&mut self) -> Vec<T> {
        std::mem::take(self).items
    }
}

#[cfg(test)]
mod tests {
    use super::FreeList;

    #[test]
    fn a_pass_takes_only_what_rested_through_the_whole_period() {
        let mut l = FreeList::default();
        l.new_pass();
        l.put(0..10);
        assert!(l.take_to_scavenge(0, 100).is_empty(), "nothing rested yet");
        l.new_pass();
        assert!(
            l.take_to_scavenge(0, 100).is_empty(),
            "put after the last pass"
        );
        assert_eq!(l.take(3).collect::<Vec<_>>(), [7, 8, 9]);
        l.put([70, 80]);
        l.new_pass();
        // 0..7 rested through a whole period; 70 and 80 did not.
        let out = l.take_to_scavenge(1, 4);
        assert_eq!(out, [0, 1, 2, 3], "at most `max`, from the bottom");
        l.put_back_clean(out);
        let out = l.take_to_scavenge(1, 100);
        assert_eq!(out, [4, 5, 6]);
        l.put_back_clean(out);
        assert!(l.take_to_scavenge(0, 100).is_empty(), "all scavenged");
        assert_eq!(
            l.take(100).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4, 5, 6, 70, 80]
        );
        assert_eq!(l.len(), 0);
    }

    #[test]
    fn taking_below_the_marks_lowers_them() {
        let mut l = FreeList::default();
        l.put(0..10);
        l.new_pass();
        l.new_pass();
        let out = l.take_to_scavenge(0, 3);
        assert_eq!(out, [0, 1, 2]);
        // Spawners take everything meanwhile, then free new items.
        assert_eq!(l.take(100).count(), 7);
        l.put([100, 101]);
        l.put_back_clean(out);
        assert_eq!(l.take_all(), [0, 1, 2, 100, 101]);
        l.put([5]);
        l.new_pass();
        assert!(l.take_to_scavenge(0, 10).is_empty(), "5 rested no period");
    }
}
