//! The channel lock: Go's `runtime.mutex` as `hchan.lock` uses it
//! (`runtime/lock_spinbit.go`, Go 1.27: spin, then yield, then sleep),
//! here without the sleeping stage.
//!
//! Critical sections under a channel lock are a few dozen instructions
//! (never an allocation on the send/receive paths, never a park), so a
//! test-and-test-and-set lock whose waiters spin briefly and then yield the
//! thread beats a lock that parks waiters in the kernel: with four
//! producers on one channel, parking turned every contended acquisition
//! into a futex sleep and wake. Unlock is one release store.

use std::sync::atomic::{AtomicBool, Ordering};

/// A spin-then-yield lock.
#[derive(Debug, Default)]
pub(crate) struct Lock {
    locked: AtomicBool,
}

impl Lock {
    pub(crate) const fn new() -> Lock {
        Lock {
            locked: AtomicBool::new(false),
        }
    }

    #[inline]
    pub(crate) fn lock(&self) {
        if self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_contended();
        }
    }

    #[cold]
    fn lock_contended(&self) {
        let mut step = 0u32;
        loop {
            // Test, then test-and-set: wait on a shared read of the line.
            while self.locked.load(Ordering::Relaxed) {
                if step < SPIN_STEPS {
                    for _ in 0..1u32 << step {
                        std::hint::spin_loop();
                    }
                    step += 1;
                } else {
                    // The holder may be descheduled: let it (or anyone) run.
                    std::thread::yield_now();
                }
            }
            if self
                .locked
                .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }

    /// # Safety
    /// The caller holds the lock.
    #[inline]
    pub(crate) unsafe fn unlock(&self) {
        self.locked.store(false, Ordering::Release);
    }
}

/// Doubling spin rounds (1 + 2 + ... + 32 hints) before yielding.
const SPIN_STEPS: u32 = 6;
