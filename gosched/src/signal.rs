//! Goroutine stack overflow: a SIGSEGV/SIGBUS handler on an alternate
//! signal stack that recognises faults in a goroutine stack's guard page and
//! dies as Go does (`runtime/stack.go: newstack` prints `runtime: goroutine
//! stack exceeds N-byte limit` and throws `stack overflow`, exit status 2,
//! Go 1.27) instead of a bare SIGSEGV; and the same report for an overflow
//! the canaries of an unguarded stack caught (`stack.rs`).
//!
//! Any other fault goes to the handler that was installed before ours
//! (Rust's own stack-overflow reporter for thread stacks, or the default
//! action). The handler only reads atomics and thread-locals with const
//! initialisers, formats into a fixed buffer and calls `write(2)` and
//! `_exit(2)`: async-signal-safe.

use std::sync::Once;
use std::sync::atomic::Ordering;

use crate::g::G;
use crate::report::{self, StderrBuf, Throwing};

static INSTALL: Once = Once::new();
static mut PREV_SEGV: Option<libc::sigaction> = None;
static mut PREV_BUS: Option<libc::sigaction> = None;

/// Installs the handler once per process.
pub(crate) fn install() {
    INSTALL.call_once(|| {
        for sig in [libc::SIGSEGV, libc::SIGBUS] {
            // SAFETY: a zeroed sigaction is a valid "no flags, empty mask"
            // value; we fill in the handler and flags before installing it,
            // and the PREV_* statics are written once here, before the
            // handler that reads them can run.
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = on_fault as *const () as usize;
                sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut sa.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, &sa, &mut old) == 0 {
                    if sig == libc::SIGSEGV {
                        PREV_SEGV = Some(old);
                    } else {
                        PREV_BUS = Some(old);
                    }
                }
            }
        }
    });
}

/// Gives the calling thread an alternate signal stack if it has none (Rust
/// threads usually have one already), so the handler can run when the
/// fault is a stack overflow.
pub(crate) fn ensure_altstack() {
    const SIZE: usize = 64 * 1024;
    // SAFETY: querying with a null new-stack pointer only writes `old`; a
    // fresh anonymous mapping owned by this thread becomes its alternate
    // stack, deliberately leaked for the thread's lifetime (Ms are few).
    unsafe {
        let mut old: libc::stack_t = std::mem::zeroed();
        if libc::sigaltstack(std::ptr::null(), &mut old) != 0
            || old.ss_flags & libc::SS_DISABLE == 0
        {
            return;
        }
        let mem = libc::mmap(
            std::ptr::null_mut(),
            SIZE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if mem == libc::MAP_FAILED {
            return;
        }
        let st = libc::stack_t {
            ss_sp: mem,
            ss_flags: 0,
            ss_size: SIZE,
        };
        libc::sigaltstack(&st, std::ptr::null_mut());
    }
}

extern "C" fn on_fault(sig: libc::c_int, info: *mut libc::siginfo_t, uctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let addr = unsafe { (*info).si_addr() } as usize;
    if let Some(limit) = crate::stack::guard_hit(addr) {
        let sp = stack_pointer(uctx).unwrap_or(addr);
        let (g, mp) = crate::schedule::with_m(|m| (m.curg.get(), std::sync::Arc::as_ptr(&m.m)))
            .unwrap_or((std::ptr::null(), std::ptr::null()));
        // SAFETY: a non-null `curg` is the goroutine running on this M, kept
        // alive by the M's `execute` frame below us.
        let g = unsafe { g.as_ref() };
        write_overflow(limit, g, Some(sp), mp as usize);
    }
    // Not ours: hand over to the previous disposition.
    // SAFETY: PREV_* were written before this handler was installed and
    // never change afterwards.
    let prev = unsafe {
        if sig == libc::SIGSEGV {
            PREV_SEGV
        } else {
            PREV_BUS
        }
    };
    match prev {
        Some(p) if p.sa_sigaction != libc::SIG_DFL && p.sa_sigaction != libc::SIG_IGN => {
            if p.sa_flags & libc::SA_SIGINFO != 0 {
                // SAFETY: the previous handler was installed as an
                // SA_SIGINFO handler with this signature.
                let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    unsafe { std::mem::transmute(p.sa_sigaction) };
                f(sig, info, uctx);
            } else {
                // SAFETY: a plain handler takes the signal number.
                let f: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(p.sa_sigaction) };
                f(sig);
            }
        }
        _ => {
            // SAFETY: restoring the default action; returning re-runs the
            // faulting instruction, which then kills the process as usual.
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(sig, &sa, std::ptr::null_mut());
            }
        }
    }
}

/// The interrupted stack pointer, from the signal's machine context.
fn stack_pointer(uctx: *mut libc::c_void) -> Option<usize> {
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    {
        // SAFETY: for an SA_SIGINFO handler the kernel passes a valid
        // `ucontext_t` as the third argument.
        let uc = unsafe { &*(uctx as *const libc::ucontext_t) };
        Some(uc.uc_mcontext.gregs[libc::REG_RSP as usize] as usize)
    }
    #[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
    {
        let _ = uctx;
        None
    }
}

/// Prints Go's stack overflow report for the goroutine that overflowed a
/// `limit`-byte stack (when known) and exits with status 2, as Go's
/// `throw` does. Used where a canary caught the overflow, outside the
/// signal handler.
pub(crate) fn overflow_exit(limit: usize, g: Option<&G>) -> ! {
    let mp = g.map_or(0, |g| g.sched.m_addr(g.m.load(Ordering::Relaxed)));
    write_overflow(limit, g, None, mp)
}

/// The report and the exit: no allocation, no lock (the signal handler's
/// path).
fn write_overflow(limit: usize, g: Option<&G>, sp: Option<usize>, mp: usize) -> ! {
    let mut buf = StderrBuf::new();
    let bounds = g.map(|g| g.stack.get());
    // Built from fields that need no lock: this may run in a signal
    // handler. It was running when it overflowed.
    let report = g.map(|g| report::Goroutine {
        id: g.id,
        status: "running",
        waiting_minutes: 0,
        throwing: Some(Throwing {
            gp: std::ptr::from_ref(g) as usize,
            m: g.m.load(Ordering::Relaxed),
            mp,
        }),
        function: g.entry,
        frame_at: None,
        created_by: g.created_by(),
    });
    let stack = sp.zip(bounds.map(|b| (b.limit, b.top)));
    let _ = report::overflow(&mut buf, limit, stack, report.as_ref());
    buf.flush();
    // SAFETY: `_exit` is async-signal-safe and never returns.
    unsafe { libc::_exit(2) }
}
