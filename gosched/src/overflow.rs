//! Death by stack overflow (`runtime/stack.go: newstack`'s "goroutine
//! stack exceeds N-byte limit" and `throw("stack overflow")`, exit status 2,
//! Go 1.27): the report for the goroutine that overflowed, written without
//! allocating or locking, whether the SIGSEGV handler (`signal.rs`) saw it
//! hit a guard page or a canary check (`stack.rs`) saw it clobber a
//! neighbour; and the alternate signal stack every M gets so that handler
//! can run at all on an overflowed stack (Go's `minitSignalStack`).

use std::sync::atomic::Ordering;

use crate::g::G;
use crate::report::{self, StderrBuf, Throwing};

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
pub(crate) fn write_overflow(limit: usize, g: Option<&G>, sp: Option<usize>, mp: usize) -> ! {
    let mut buf = StderrBuf::new();
    let bounds = g.map(|g| g.stack.get());
    // Built from fields that need no lock: this may run in a signal
    // handler. It was running when it overflowed.
    let report = g.map(|g| report::Goroutine {
        id: g.id(),
        status: "running",
        waiting_minutes: 0,
        throwing: Some(Throwing {
            gp: std::ptr::from_ref(g) as usize,
            m: g.m.load(Ordering::Relaxed),
            mp,
        }),
        function: g.entry(),
        frame_at: None,
        created_by: g.created_by(),
    });
    let stack = sp.zip(bounds.map(|b| (b.limit, b.top)));
    let _ = report::overflow(&mut buf, limit, stack, report.as_ref());
    buf.flush();
    // SAFETY: `_exit` is async-signal-safe and never returns.
    unsafe { libc::_exit(2) }
}
