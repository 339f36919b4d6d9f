//! The chaos schedule: random perturbations at the places where the order
//! of events is the scheduler's choice, so that stress tests and Go's test
//! ports see more interleavings on a machine with few cores. Go has no such
//! mode; its race detector and `GODEBUG=asyncpreemptoff`-style knobs play
//! the part for Go's own runtime tests.
//!
//! Built only with the `chaos` cargo feature (`cargo test -p gosched
//! --features chaos`, which `cargo xtask verify --deep` runs); without it
//! every function here is an empty `#[inline(always)]` one, and the
//! scheduler is the same code as without the hooks.
//!
//! What it perturbs:
//! - **yields at schedule points**: a goroutine that spawns (`go`) or is
//!   about to operate on a channel (gochan asks [`roll`]) yields its P now
//!   and then, as Go's asynchronous preemption may stop it there;
//! - **`runnext` bypass**: a goroutine readied or spawned goes now and then
//!   to the tail of its P's queue instead of `runnext`, as if a different G
//!   had been readied after it;
//! - **victim order**: a thief visits the other Ps in a fresh random
//!   permutation each round (Go walks a random coprime stride);
//! - **spins inside a lock** ([`spin_in_lock`], called by gochan with its
//!   channel lock held): a holder dawdles, so the lock is more often found
//!   held and the contended paths run.
//!
//! The odds are fixed (one in [`ODDS`]): high enough to reorder often, low
//! enough that the Go-port suites still finish in seconds.

/// One perturbation in this many chances (with the chaos schedule).
pub const ODDS: u64 = 8;

/// Whether the chaos schedule is built in.
///
/// ```
/// assert_eq!(gosched::chaos::ENABLED, cfg!(feature = "chaos"));
/// ```
pub const ENABLED: bool = cfg!(feature = "chaos");

#[cfg(feature = "chaos")]
mod rng {
    use std::cell::Cell;

    thread_local! {
        // Seeded from the thread-local's own address and the clock, so that
        // threads (and runs) draw different sequences.
        static STATE: Cell<u64> = const { Cell::new(0) };
    }

    /// xorshift64*: the next draw of this thread's generator.
    pub(super) fn next() -> u64 {
        STATE.with(|s| {
            let mut x = s.get();
            if x == 0 {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64);
                x = (std::ptr::from_ref(s) as u64 ^ nanos) | 1;
            }
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            s.set(x);
            x.wrapping_mul(0x2545_f491_4f6c_dd1d)
        })
    }
}

/// Whether to perturb here: one chance in [`ODDS`] with the chaos
/// schedule, never without it.
///
/// A schedule point a goroutine passes without parking (a spawn, the start
/// of a channel operation) yields there when this says so, as an
/// asynchronous preemption might stop it there — but only where it holds
/// no lock another goroutine could wait for on the same P:
///
/// ```
/// if gosched::chaos::roll() {
///     gosched::yield_now();
/// }
/// # assert!(!gosched::chaos::ENABLED || gosched::chaos::ODDS > 1);
/// ```
#[inline(always)]
pub fn roll() -> bool {
    #[cfg(feature = "chaos")]
    {
        rng::next() % ODDS == 0
    }
    #[cfg(not(feature = "chaos"))]
    {
        false
    }
}

/// Called with a lock held: with the chaos schedule, now and then spin a
/// random while (up to a few microseconds) before going on, so that the
/// lock is found held more often.
///
/// ```
/// gosched::chaos::spin_in_lock(); // a no-op without the `chaos` feature
/// ```
#[inline(always)]
pub fn spin_in_lock() {
    #[cfg(feature = "chaos")]
    if roll() {
        for _ in 0..rng::next() % 2048 {
            std::hint::spin_loop();
        }
    }
}

/// The order in which a thief visits `n` Ps in one stealing round: with
/// the chaos schedule, a fresh random permutation; without, `None` (the
/// caller walks from a random start).
#[inline(always)]
pub(crate) fn victim_order(n: usize) -> Option<Vec<usize>> {
    #[cfg(feature = "chaos")]
    {
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            order.swap(i, (rng::next() % (i as u64 + 1)) as usize);
        }
        Some(order)
    }
    #[cfg(not(feature = "chaos"))]
    {
        let _ = n;
        None
    }
}
