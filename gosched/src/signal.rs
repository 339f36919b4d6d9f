//! Goroutine stack overflow: a SIGSEGV/SIGBUS handler on an alternate
//! signal stack that recognises faults in a goroutine stack's guard page and
//! dies with Go's message (`runtime/stack.go: newstack` prints
//! `runtime: goroutine stack exceeds N-byte limit` and throws
//! `stack overflow`, Go 1.27) instead of a bare SIGSEGV.
//!
//! Any other fault goes to the handler that was installed before ours
//! (Rust's own stack-overflow reporter for thread stacks, or the default
//! action). The handler only reads atomics and thread-locals with const
//! initialisers and calls `write(2)` and `abort(3)`: async-signal-safe.

use std::sync::Once;

use crate::g::G;

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
        let g = crate::schedule::with_m(|m| m.curg.get()).unwrap_or(std::ptr::null());
        report_overflow(limit, g);
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

/// Prints Go's stack-overflow report for goroutine `g` (may be null) and
/// aborts. Async-signal-safe.
pub(crate) fn report_overflow(limit: usize, g: *const G) -> ! {
    let mut buf = Buf::new();
    buf.s("runtime: goroutine stack exceeds ");
    buf.n(limit as u64);
    buf.s("-byte limit\nfatal error: stack overflow\n");
    if !g.is_null() {
        // SAFETY: `g` is the goroutine that was running on this M; it is
        // kept alive by the M's `execute` frame below us.
        let g = unsafe { &*g };
        buf.s("\ngoroutine ");
        buf.n(g.id);
        buf.s(" [running]:\ncreated by goroutine ");
        buf.n(g.parent);
        buf.s(" at ");
        buf.s(g.spawned_at.file());
        buf.s(":");
        buf.n(u64::from(g.spawned_at.line()));
        buf.s("\n");
    }
    buf.flush();
    // SAFETY: abort is async-signal-safe and never returns.
    unsafe { libc::abort() }
}

/// A fixed buffer written with `write(2)`: no allocation in the handler.
struct Buf {
    b: [u8; 1024],
    n: usize,
}

impl Buf {
    fn new() -> Buf {
        Buf { b: [0; 1024], n: 0 }
    }
    fn s(&mut self, s: &str) {
        for &c in s.as_bytes() {
            if self.n == self.b.len() {
                self.flush();
            }
            self.b[self.n] = c;
            self.n += 1;
        }
    }
    fn n(&mut self, mut v: u64) {
        let mut d = [0u8; 20];
        let mut i = d.len();
        loop {
            i -= 1;
            d[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        for &c in &d[i..] {
            self.s(std::str::from_utf8(&[c]).unwrap_or("?"));
        }
    }
    fn flush(&mut self) {
        let mut off = 0;
        while off < self.n {
            // SAFETY: writing initialised bytes of our buffer to stderr.
            let w = unsafe { libc::write(2, self.b[off..self.n].as_ptr().cast(), self.n - off) };
            if w <= 0 {
                break;
            }
            off += w as usize;
        }
        self.n = 0;
    }
}
