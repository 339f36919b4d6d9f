//! The scheduler's shared state, `schedt`: the global run queue, idle Ps
//! and Ms, the Ps themselves, the goroutine registry, the timer heap and
//! how the run ends (`runtime/runtime2.go: schedt`; `runtime/proc.go:
//! schedinit, globrunqput, globrunqget, pidleput, pidleget, wakep, startm,
//! handoffp`, Go 1.27). `startm` starts an M's loop (`mstart.rs`), which
//! reads this state: the one circle of the core, as in Go.
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
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::allgs::AllGs;
use crate::freelist::FreeList;
use crate::g::G;
use crate::m::M;
use crate::mstart::mstart;
use crate::outcome::RunOutcome;
use crate::p::{P, P_IDLE, P_RUNNING};
use crate::report;
use crate::runq::RUNQ_SIZE;
use crate::stack::DEFAULT_STACK_SIZE;
use crate::status::GStatus;
use crate::timerheap::{Callback, Origin, Timer, TimerHeap, nanos, nanos_since};

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

    pub(crate) long_runners: AtomicU64,
    /// Dead Gs' stacks whose pages the scavenger gave back.
    pub(crate) stacks_scavenged: AtomicU64,
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
    /// Nobody waits on this runtime's outcome (the default runtime behind
    /// `go`): a failure exits the process with status 2 after its report,
    /// as Go's does.
    pub(crate) exit_on_failure: bool,
}

impl Config {
    /// Go's defaults: `GOMAXPROCS` from the environment or the number of
    /// cores, [`DEFAULT_STACK_SIZE`], `GODEBUG=schedtrace=N,scheddetail=1`
    /// read now, deadlock detection after 100 ms.
    pub(crate) fn from_env() -> Config {
        let (schedtrace_ms, scheddetail) = godebug();
        Config {
            gomaxprocs: default_gomaxprocs(),
            stack_size: DEFAULT_STACK_SIZE,
            schedtrace_ms,
            scheddetail,
            deadlock_grace: Some(Duration::from_millis(100)),
            exit_on_failure: false,
        }
    }
}

/// GOMAXPROCS from the environment, else the available parallelism.
pub(crate) fn default_gomaxprocs() -> usize {
    std::env::var("GOMAXPROCS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `GODEBUG=schedtrace=N,scheddetail=1`.
fn godebug() -> (u64, bool) {
    let v = std::env::var("GODEBUG").unwrap_or_default();
    let mut trace = 0;
    let mut detail = false;
    for kv in v.split(',') {
        match kv.split_once('=') {
            Some(("schedtrace", n)) => trace = n.trim().parse().unwrap_or(0),
            Some(("scheddetail", n)) => detail = n.trim() == "1",
            _ => {}
        }
    }
    (trace, detail)
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
    /// Goroutines spawned and exited off any P (from threads, and timer
    /// callbacks off a runtime); the rest are counted per P.
    pub(crate) spawned_off_p: AtomicU64,
    pub(crate) exited_off_p: AtomicU64,
    /// Goroutines unwinding from a panic not yet caught (Go's
    /// `runningPanicDefers`): main waits for them before it ends the run.
    pub(crate) unwinding: AtomicUsize,
    pub(crate) next_gid: AtomicU64,
    pub(crate) allgs: AllGs<G>,
    /// The global free list of dead Gs (`sched.gFree`) and its length.
    pub(crate) gfree: Mutex<FreeList<Arc<G>>>,
    pub(crate) gfree_len: AtomicUsize,
    pub(crate) timers: TimerHeap,
    pub(crate) counters: Counters,
    pub(crate) shutdown: AtomicBool,
    pub(crate) outcome: RunOutcome,
    /// sysmon sleeps on this, so shutdown need not wait out its back-off.
    sysmon_cv: Condvar,
    sysmon_lock: Mutex<()>,
}

impl std::fmt::Debug for Sched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sched")
            .field("gomaxprocs", &self.cfg.gomaxprocs)
            .field("ngoroutines", &self.gcount())
            .finish_non_exhaustive()
    }
}

impl Sched {
    pub(crate) fn new(cfg: Config) -> Arc<Sched> {
        let n = cfg.gomaxprocs.max(1);
        let ps: Box<[P]> = (0..n).map(P::new).collect();
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
            spawned_off_p: AtomicU64::new(0),
            exited_off_p: AtomicU64::new(0),
            unwinding: AtomicUsize::new(0),
            next_gid: AtomicU64::new(1),
            allgs: AllGs::new(),
            gfree: Mutex::new(FreeList::default()),
            gfree_len: AtomicUsize::new(0),
            timers: TimerHeap::new(),
            counters: Counters::default(),
            shutdown: AtomicBool::new(false),
            outcome: RunOutcome::default(),
            sysmon_cv: Condvar::new(),
            sysmon_lock: Mutex::new(()),
        })
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Locked> {
        self.lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn now(&self) -> u64 {
        nanos_since(self.epoch)
    }

    /// The time as sysmon last read it: at most one sysmon tick (≤ 10 ms)
    /// old while the runtime runs. Parking stamps a G's wait with this
    /// instead of reading the clock, which would cost a `clock_gettime` on
    /// every park; a wait's length is only ever shown in whole minutes.
    pub(crate) fn coarse_now(&self) -> u64 {
        self.coarse_now.load(Ordering::Relaxed)
    }

    // ---- goroutines -------------------------------------------------------

    /// The live G with this id, if any (a report naming a goroutine found
    /// by id).
    pub(crate) fn find_g(&self, id: u64) -> Option<Arc<G>> {
        self.allgs
            .snapshot()
            .into_iter()
            .find(|g| g.id() == id && g.status() != GStatus::Dead)
    }

    /// Every live G (a snapshot), by id.
    pub(crate) fn all_gs(&self) -> Vec<Arc<G>> {
        let mut gs = self.allgs.snapshot();
        gs.retain(|g| g.status() != GStatus::Dead);
        gs.sort_by_key(|g| g.id());
        gs
    }

    // ---- global run queue ---------------------------------------------------

    /// `globrunqput`.
    pub(crate) fn globrunqput(&self, g: Arc<G>) {
        let mut l = self.lock();
        self.globrunqput_locked(&mut l, g);
    }

    /// `globrunqput` (lock held).
    pub(crate) fn globrunqput_locked(&self, l: &mut Locked, g: Arc<G>) {
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
                .spawn(move || mstart(sched, m));
            if let Err(e) = spawned {
                report::fatal(&format!("runtime: failed to create new OS thread: {e}"));
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
        // Go checks the global queue again under the lock it idles the P
        // with: a G queued by a thread that found no idle P (a syscall's
        // return, a wake-up from outside) after the check above would
        // otherwise wait beside an idle P with nobody told.
        let mut l = self.lock();
        if !l.globq.is_empty() {
            drop(l);
            self.startm(Some(p), false);
            return;
        }
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

    // ---- timers ---------------------------------------------------------------

    /// A timer on this runtime's heap running `f` after `d` (on whichever
    /// M finds it due).
    pub(crate) fn add_timer(&self, d: Duration, origin: Origin, f: Callback) -> Timer {
        let when = self.now().saturating_add(nanos(d));
        let (timer, earliest) = self.timers.add(when, origin, f);
        if earliest {
            // An idle M may be sleeping towards the old earliest deadline.
            self.kick_idle_m();
        }
        timer
    }

    // ---- shutdown -------------------------------------------------------------

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
        drop(self.gfpurge());
        let forget = self.allgs.take_all();
        drop(forget);
    }
}
