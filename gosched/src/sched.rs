//! The scheduler's shared state — `schedt`, the Ps and the Ms
//! (`runtime/runtime2.go: schedt, p, m`; `runtime/proc.go: globrunqput,
//! globrunqget, pidleput, pidleget, wakep, startm, handoffp`, Go 1.27).
//!
//! One `Mutex` plays `sched.lock`: it guards the global run queue, the idle
//! P list and the idle M list. Counters that the fast paths read without the
//! lock (`npidle`, `nmspinning`, the global queue length) are atomics, as in
//! Go, and are only changed with the lock held (except `nmspinning`).
//!
//! # The spinning protocol (`proc.go`'s "Worker thread parking/unparking")
//! An M with nothing to do may *spin* (look for work to steal) only while
//! fewer than half of the busy Ps have spinning Ms. Whoever makes work
//! runnable calls [`Sched::wakep`], which starts an M only if no M is
//! spinning (a spinning M will find the work). A spinning M that finds work
//! stops spinning and, if it was the last spinner, wakes a replacement. A
//! spinning M that gives up first drops `nmspinning`, then looks at every
//! queue once more: either it sees the new work, or the producer saw
//! `nmspinning == 0` and woke someone — the work is never stranded.

use std::collections::VecDeque;
use std::panic::Location;
use std::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering,
};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::allgs::AllGs;
use crate::g::{Body, G, GStatus, Spawn};
use crate::runq::{RUNQ_SIZE, RunQueue};
use crate::timers::TimerHeap;

pub(crate) const NO_P: usize = usize::MAX;

/// P status (`_Pidle`, `_Prunning`, and Go ≤ 1.25's `_Psyscall`; Go 1.26+
/// leaves the P `_Prunning` and reads the G's status instead — same effect).
pub(crate) const P_IDLE: u8 = 0;
pub(crate) const P_RUNNING: u8 = 1;
pub(crate) const P_SYSCALL: u8 = 2;

/// Go checks the global queue every 61 schedule ticks (`proc.go: findRunnable`).
pub(crate) const GLOBAL_CHECK_TICKS: u32 = 61;

/// A processor: the right to run goroutines, with its local run queue.
///
/// Aligned to 128 bytes (two cache lines, the unit the adjacent-line
/// prefetcher moves) so the fields one M writes on every schedule never
/// share a line with the next P's, which another M writes.
#[repr(align(128))]
pub(crate) struct P {
    pub(crate) id: usize,
    pub(crate) runq: RunQueue,
    pub(crate) status: AtomicU8,
    /// Incremented on every schedule that does not inherit a time slice.
    pub(crate) schedtick: AtomicU32,
    /// Incremented on every `syscall` entry.
    pub(crate) syscalltick: AtomicU32,
    /// Id of the M that holds the P (0: none).
    pub(crate) m: AtomicU64,
    /// Id of the goroutine running on it (0: none).
    pub(crate) curg: AtomicU64,
    /// Where that goroutine was spawned (null: none); always a
    /// `&'static Location`, for sysmon's long-runner warning.
    pub(crate) curg_site: AtomicPtr<Location<'static>>,
    /// sysmon's last observation (`p.sysmontick`).
    pub(crate) sysmon: Mutex<SysmonTick>,
    /// Resumptions of goroutines on this P (tells a goroutine that runs on
    /// from a chain of hand-offs sharing one time slice).
    pub(crate) runs: AtomicU64,
    /// Pulls from the global queue into this P.
    pub(crate) global_pulls: AtomicU64,
    /// Parks committed by goroutines that ran on this P (per P, like
    /// `global_pulls`: a runtime-wide counter bumped on every park is a
    /// cache line every M writes).
    pub(crate) parks: AtomicU64,
    /// Set by sysmon when one time slice ran over 10 ms (`preemptone`);
    /// honoured at the P's next schedule point.
    pub(crate) preempt: AtomicBool,
}

/// `sysmontick`: what sysmon last saw on a P.
#[derive(Debug, Default)]
pub(crate) struct SysmonTick {
    pub(crate) schedtick: u32,
    pub(crate) schedwhen: u64,
    pub(crate) runs: u64,
    pub(crate) syscalltick: u32,
    pub(crate) syscallwhen: u64,
    pub(crate) warned_tick: Option<u32>,
}

impl std::fmt::Debug for P {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("P")
            .field("id", &self.id)
            .field("status", &self.status.load(Ordering::Relaxed))
            .field("runq", &self.runq)
            .finish_non_exhaustive()
    }
}

/// A machine: an OS thread that runs goroutines while it holds a P.
#[derive(Debug)]
pub(crate) struct M {
    pub(crate) id: u64,
    parked: Mutex<bool>,
    cv: Condvar,
    /// P handed over by `startm` (`m.nextp`).
    pub(crate) nextp: AtomicUsize,
    /// Whether `startm` asked it to spin.
    pub(crate) start_spinning: AtomicBool,
    pub(crate) spinning: AtomicBool,
    /// Id of the goroutine it runs (0: none), for `scheddetail`.
    pub(crate) curg: AtomicU64,
    pub(crate) p: AtomicUsize,
}

impl M {
    fn new(id: u64) -> M {
        M {
            id,
            parked: Mutex::new(false),
            cv: Condvar::new(),
            nextp: AtomicUsize::new(NO_P),
            start_spinning: AtomicBool::new(false),
            spinning: AtomicBool::new(false),
            curg: AtomicU64::new(0),
            p: AtomicUsize::new(NO_P),
        }
    }

    /// `notewakeup(&mp.park)`.
    pub(crate) fn wake(&self) {
        let mut w = self.parked.lock().unwrap_or_else(|e| e.into_inner());
        *w = true;
        drop(w);
        self.cv.notify_one();
    }

    /// `notesleep(&mp.park)` with an optional timeout; consumes a wake-up.
    pub(crate) fn sleep(&self, timeout: Option<Duration>) {
        let mut w = self.parked.lock().unwrap_or_else(|e| e.into_inner());
        if !*w {
            w = match timeout {
                None => self.cv.wait(w).unwrap_or_else(|e| e.into_inner()),
                Some(t) => {
                    self.cv
                        .wait_timeout(w, t)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
            };
        }
        *w = false;
    }
}

/// Under `sched.lock`.
#[derive(Debug, Default)]
pub(crate) struct Locked {
    pub(crate) globq: VecDeque<Arc<G>>,
    pub(crate) pidle: Vec<usize>,
    pub(crate) midle: Vec<Arc<M>>,
    pub(crate) allm: Vec<Arc<M>>,
}

/// Scheduler counters (all monotonic).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) steals: AtomicU64,
    pub(crate) stolen_gs: AtomicU64,
    pub(crate) handoffs: AtomicU64,

    pub(crate) spawned: AtomicU64,
    pub(crate) long_runners: AtomicU64,
}

/// How a run ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    MainReturned,
    Failed(crate::runtime::RunError),
}

/// The outcome as it is being decided.
#[derive(Debug, Default)]
enum OutcomeSlot {
    /// Still running.
    #[default]
    Open,
    /// A failure is being reported (Go's `panicking`): main returning now
    /// does not end the run; the failure will.
    Failing,
    Decided(Outcome),
    /// `wait_outcome` took it.
    Taken,
}

/// Configuration fixed at start.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) gomaxprocs: usize,
    pub(crate) stack_size: usize,
    pub(crate) schedtrace_ms: u64,
    pub(crate) scheddetail: bool,
    /// `None`: no deadlock detection (the default runtime has no main).
    pub(crate) deadlock_grace: Option<Duration>,
}

/// `schedt` plus `allp` and `allgs`.
pub(crate) struct Sched {
    pub(crate) cfg: Config,
    pub(crate) epoch: Instant,
    /// sysmon's last reading of [`Sched::now`]; see [`Sched::coarse_now`].
    pub(crate) coarse_now: AtomicU64,
    pub(crate) ps: Box<[P]>,
    lock: Mutex<Locked>,
    pub(crate) globq_len: AtomicUsize,
    pub(crate) npidle: AtomicUsize,
    pub(crate) nmspinning: AtomicUsize,
    pub(crate) nmidle: AtomicUsize,
    pub(crate) mcount: AtomicUsize,
    next_mid: AtomicU64,
    /// Goroutines inside `syscall`.
    pub(crate) nsyscall: AtomicUsize,
    /// Live goroutines (not dead).
    pub(crate) ngoroutines: AtomicUsize,
    /// Goroutines unwinding from a panic not yet caught (Go's
    /// `runningPanicDefers`): main waits for them before it ends the run.
    pub(crate) unwinding: AtomicUsize,
    next_gid: AtomicU64,
    allgs: AllGs,
    pub(crate) timers: TimerHeap,
    pub(crate) counters: Counters,
    pub(crate) shutdown: AtomicBool,
    outcome: Mutex<OutcomeSlot>,
    outcome_cv: Condvar,
    /// sysmon sleeps on this, so shutdown need not wait out its back-off.
    sysmon_cv: Condvar,
    sysmon_lock: Mutex<()>,
}

impl std::fmt::Debug for Sched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sched")
            .field("gomaxprocs", &self.cfg.gomaxprocs)
            .field("ngoroutines", &self.ngoroutines.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Sched {
    pub(crate) fn new(cfg: Config) -> Arc<Sched> {
        let n = cfg.gomaxprocs.max(1);
        let ps: Box<[P]> = (0..n)
            .map(|id| P {
                id,
                runq: RunQueue::new(),
                status: AtomicU8::new(P_IDLE),
                schedtick: AtomicU32::new(0),
                syscalltick: AtomicU32::new(0),
                m: AtomicU64::new(0),
                curg: AtomicU64::new(0),
                curg_site: AtomicPtr::new(std::ptr::null_mut()),
                sysmon: Mutex::new(SysmonTick::default()),
                preempt: AtomicBool::new(false),
                runs: AtomicU64::new(0),
                global_pulls: AtomicU64::new(0),
                parks: AtomicU64::new(0),
            })
            .collect();
        let locked = Locked {
            pidle: (0..n).rev().collect(),
            ..Locked::default()
        };
        Arc::new(Sched {
            cfg: Config {
                gomaxprocs: n,
                ..cfg
            },
            epoch: Instant::now(),
            coarse_now: AtomicU64::new(0),
            ps,
            lock: Mutex::new(locked),
            globq_len: AtomicUsize::new(0),
            npidle: AtomicUsize::new(n),
            nmspinning: AtomicUsize::new(0),
            nmidle: AtomicUsize::new(0),
            mcount: AtomicUsize::new(0),
            next_mid: AtomicU64::new(1),
            nsyscall: AtomicUsize::new(0),
            ngoroutines: AtomicUsize::new(0),
            unwinding: AtomicUsize::new(0),
            next_gid: AtomicU64::new(1),
            allgs: AllGs::new(),
            timers: TimerHeap::new(),
            counters: Counters::default(),
            shutdown: AtomicBool::new(false),
            outcome: Mutex::new(OutcomeSlot::Open),
            outcome_cv: Condvar::new(),
            sysmon_cv: Condvar::new(),
            sysmon_lock: Mutex::new(()),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Locked> {
        self.lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn now(&self) -> u64 {
        crate::g::nanos_since(self.epoch)
    }

    /// The time as sysmon last read it: at most one sysmon tick (≤ 10 ms)
    /// old while the runtime runs. Parking stamps a G's wait with this
    /// instead of reading the clock: gochan's `pingpong` went from 498–578
    /// to 448–523 ns per round trip (same machine, alternating runs).
    pub(crate) fn coarse_now(&self) -> u64 {
        self.coarse_now.load(Ordering::Relaxed)
    }

    // ---- goroutines -------------------------------------------------------

    /// `newproc1`: makes a runnable G (its stack comes at first run).
    pub(crate) fn new_g(self: &Arc<Self>, spawn: Spawn, body: Body) -> Arc<G> {
        let id = self.next_gid.fetch_add(1, Ordering::Relaxed);
        let g = Arc::new(G::new(id, spawn, Arc::clone(self), body));
        self.allgs.add(&g);
        self.ngoroutines.fetch_add(1, Ordering::AcqRel);
        self.counters.spawned.fetch_add(1, Ordering::Relaxed);
        tracing::trace!(goroutine = id, parent = spawn.parent, spawned_at = %spawn.at, "spawn");
        g
    }

    /// The live G with this id, if any (a report naming a goroutine found
    /// by id).
    pub(crate) fn find_g(&self, id: u64) -> Option<Arc<G>> {
        self.allgs.snapshot().into_iter().find(|g| g.id == id)
    }

    /// `gdestroy`: the G returned.
    pub(crate) fn g_dead(&self, g: &G) {
        g.set_status(GStatus::Dead);
        self.allgs.remove(g);
        self.ngoroutines.fetch_sub(1, Ordering::AcqRel);
    }

    /// Every live G (a snapshot).
    pub(crate) fn all_gs(&self) -> Vec<Arc<G>> {
        self.allgs.snapshot()
    }

    // ---- global run queue ---------------------------------------------------

    /// `globrunqput`.
    pub(crate) fn globrunqput(&self, g: Arc<G>) {
        let mut l = self.lock();
        l.globq.push_back(g);
        self.globq_len.store(l.globq.len(), Ordering::SeqCst);
    }

    /// `globrunqputbatch` (local queue overflow).
    pub(crate) fn globrunqputbatch(&self, gs: Vec<Arc<G>>) {
        let mut l = self.lock();
        l.globq.extend(gs);
        self.globq_len.store(l.globq.len(), Ordering::SeqCst);
    }

    /// `globrunqget`: takes a fair share of the global queue for P `p`
    /// (returns one, moves the rest to the local queue). With `max > 0`,
    /// takes at most `max`.
    pub(crate) fn globrunqget_locked(
        &self,
        l: &mut Locked,
        p: usize,
        max: usize,
    ) -> Option<Arc<G>> {
        let len = l.globq.len();
        if len == 0 {
            return None;
        }
        let mut n = (len / self.cfg.gomaxprocs + 1)
            .min(len)
            .min(RUNQ_SIZE as usize / 2);
        if max > 0 {
            n = n.min(max);
        }
        let first = l.globq.pop_front();
        for _ in 1..n {
            if let Some(g) = l.globq.pop_front() {
                // Cannot overflow: the local queue is empty or nearly so
                // whenever we pull, and n <= RUNQ_SIZE / 2.
                if let Some(batch) = self.ps[p].runq.put(g, false) {
                    l.globq.extend(batch);
                }
            }
        }
        self.globq_len.store(l.globq.len(), Ordering::SeqCst);
        // Single writer: only P `p`'s owner pulls for it.
        let pulls = &self.ps[p].global_pulls;
        pulls.store(pulls.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        first
    }

    pub(crate) fn globrunqget(&self, p: usize, max: usize) -> Option<Arc<G>> {
        if self.globq_len.load(Ordering::SeqCst) == 0 {
            return None;
        }
        let mut l = self.lock();
        self.globrunqget_locked(&mut l, p, max)
    }

    // ---- Ps and Ms ------------------------------------------------------------

    /// Goroutine resumptions so far, over all Ps (deadlock detection's
    /// "did anything run" clock).
    pub(crate) fn runs(&self) -> u64 {
        self.ps.iter().map(|p| p.runs.load(Ordering::Relaxed)).sum()
    }

    /// `pidleput` (lock held).
    pub(crate) fn pidleput_locked(&self, l: &mut Locked, p: usize) {
        self.ps[p].status.store(P_IDLE, Ordering::Release);
        self.ps[p].m.store(0, Ordering::Relaxed);
        l.pidle.push(p);
        self.npidle.fetch_add(1, Ordering::SeqCst);
    }

    /// `pidleget` (lock held).
    pub(crate) fn pidleget_locked(&self, l: &mut Locked) -> Option<usize> {
        let p = l.pidle.pop()?;
        self.npidle.fetch_sub(1, Ordering::SeqCst);
        Some(p)
    }

    /// `wakep`: start a spinning M if there is an idle P and nobody spins.
    pub(crate) fn wakep(self: &Arc<Self>) {
        if self.npidle.load(Ordering::SeqCst) == 0 {
            return;
        }
        if self.nmspinning.load(Ordering::SeqCst) != 0
            || self
                .nmspinning
                .compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
        {
            return;
        }
        self.startm(None, true);
    }

    /// `startm`: hand P `p` (or an idle one) to an idle or new M.
    pub(crate) fn startm(self: &Arc<Self>, p: Option<usize>, spinning: bool) {
        let mut l = self.lock();
        let p = match p.or_else(|| self.pidleget_locked(&mut l)) {
            Some(p) => p,
            None => {
                drop(l);
                if spinning {
                    self.nmspinning.fetch_sub(1, Ordering::SeqCst);
                }
                return;
            }
        };
        if self.shutdown.load(Ordering::Acquire) {
            self.pidleput_locked(&mut l, p);
            if spinning {
                self.nmspinning.fetch_sub(1, Ordering::SeqCst);
            }
            return;
        }
        self.ps[p].status.store(P_RUNNING, Ordering::Release);
        if let Some(m) = l.midle.pop() {
            self.nmidle.fetch_sub(1, Ordering::SeqCst);
            drop(l);
            m.start_spinning.store(spinning, Ordering::Relaxed);
            m.nextp.store(p, Ordering::Release);
            m.wake();
        } else {
            let m = Arc::new(M::new(self.next_mid.fetch_add(1, Ordering::Relaxed)));
            m.start_spinning.store(spinning, Ordering::Relaxed);
            m.nextp.store(p, Ordering::Release);
            l.allm.push(Arc::clone(&m));
            self.mcount.fetch_add(1, Ordering::SeqCst);
            drop(l);
            let sched = Arc::clone(self);
            let mid = m.id;
            let spawned = std::thread::Builder::new()
                .name(format!("gosched-m{mid}"))
                .spawn(move || crate::schedule::m_main(sched, m));
            if let Err(e) = spawned {
                crate::runtime::fatal(&format!("runtime: failed to create new OS thread: {e}"));
            }
        }
    }

    /// `handoffp`: P `p` was taken from an M blocked in a syscall.
    pub(crate) fn handoffp(self: &Arc<Self>, p: usize) {
        self.counters.handoffs.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(p, "handoff");
        if !self.ps[p].runq.is_empty() || self.globq_len.load(Ordering::SeqCst) != 0 {
            self.startm(Some(p), false);
            return;
        }
        if self.nmspinning.load(Ordering::SeqCst) + self.npidle.load(Ordering::SeqCst) == 0
            && self
                .nmspinning
                .compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            self.startm(Some(p), true);
            return;
        }
        let mut l = self.lock();
        self.pidleput_locked(&mut l, p);
        drop(l);
        // A timer may be due with nobody left to run it.
        if self.timers.next_when() != u64::MAX {
            self.kick_idle_m();
        }
    }

    /// The address of M `id` (0 if unknown), for `mp=` in reports.
    pub(crate) fn m_addr(&self, id: u64) -> usize {
        self.lock()
            .allm
            .iter()
            .find(|m| m.id == id)
            .map_or(0, |m| Arc::as_ptr(m) as usize)
    }

    /// Wakes one idle M without a P so it re-reads the timer heap.
    pub(crate) fn kick_idle_m(&self) {
        let l = self.lock();
        if let Some(m) = l.midle.last() {
            m.wake();
        }
    }

    // ---- outcome --------------------------------------------------------------

    fn outcome(&self) -> MutexGuard<'_, OutcomeSlot> {
        self.outcome.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Claims the right to report a failure (Go's `startpanic_m`): true for
    /// the first claimant while the run is still open. From then on main
    /// returning does not end the run; the claimant's [`finish`] will.
    /// Others (a second panic, a panic after the end) print nothing.
    ///
    /// [`finish`]: Sched::finish
    pub(crate) fn claim_failure(&self) -> bool {
        let mut slot = self.outcome();
        let open = matches!(*slot, OutcomeSlot::Open);
        if open {
            *slot = OutcomeSlot::Failing;
        }
        open
    }

    /// Records how the run ended and wakes `run`: a failure after its
    /// [`claim_failure`](Sched::claim_failure); main's return only while
    /// nothing is failing.
    pub(crate) fn finish(&self, o: Outcome) {
        let mut slot = self.outcome();
        let decide = matches!(
            (&*slot, &o),
            (OutcomeSlot::Open, Outcome::MainReturned) | (OutcomeSlot::Failing, Outcome::Failed(_))
        );
        if decide {
            *slot = OutcomeSlot::Decided(o);
            drop(slot);
            self.outcome_cv.notify_all();
        }
    }

    pub(crate) fn wait_outcome(&self) -> Outcome {
        let mut slot = self.outcome();
        loop {
            match std::mem::take(&mut *slot) {
                OutcomeSlot::Decided(o) => {
                    *slot = OutcomeSlot::Taken;
                    return o;
                }
                other => *slot = other,
            }
            slot = self
                .outcome_cv
                .wait(slot)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// sysmon's `usleep(delay)`, cut short by shutdown.
    pub(crate) fn sysmon_sleep(&self, d: Duration) {
        let g = self.sysmon_lock.lock().unwrap_or_else(|e| e.into_inner());
        if self.shutdown.load(Ordering::Acquire) {
            return;
        }
        drop(
            self.sysmon_cv
                .wait_timeout(g, d)
                .unwrap_or_else(|e| e.into_inner()),
        );
    }

    /// Stops every M and sysmon; drops queued Gs so that reference cycles
    /// (G -> Sched -> queues -> G) break. Goroutines still blocked are leaked
    /// with their stacks, as a Go program's die with the process.
    pub(crate) fn shut_down(&self) {
        self.shutdown.store(true, Ordering::Release);
        drop(self.sysmon_lock.lock().unwrap_or_else(|e| e.into_inner()));
        self.sysmon_cv.notify_all();
        let (gs, ms) = {
            let mut l = self.lock();
            let gs: Vec<_> = l.globq.drain(..).collect();
            self.globq_len.store(0, Ordering::SeqCst);
            (gs, l.allm.clone())
        };
        for m in &ms {
            m.wake();
        }
        drop(gs);
        for p in &self.ps[..] {
            drop(p.runq.drain());
        }
        self.timers.clear();
        let forget = self.allgs.take_all();
        drop(forget);
    }
}
