//! The SIGSEGV/SIGBUS handler (`runtime/signal_unix.go: sighandler`,
//! Go 1.27): on the alternate signal stack every M has (`overflow.rs`), it
//! recognises a fault in a goroutine stack's guard page and dies with Go's
//! stack overflow report (`overflow.rs`) instead of a bare SIGSEGV.
//!
//! Any other fault goes to the handler that was installed before ours
//! (Rust's own stack-overflow reporter for thread stacks, or the default
//! action). The handler only reads atomics and thread-locals with const
//! initialisers, formats into a fixed buffer and calls `write(2)` and
//! `_exit(2)`: async-signal-safe.

use std::sync::Once;

use crate::current::with_m;
use crate::overflow::write_overflow;
use crate::panic;
use crate::stack::guard_hit;

/// Installs the SIGSEGV/SIGBUS handler and the panic hook (`panic.rs`):
/// what a process needs before anything runs on a goroutine stack or a
/// timer callback runs, whichever comes first.
pub(crate) fn install_handlers() {
    install();
    panic::install_hook();
}

static INSTALL: Once = Once::new();
static mut PREV_SEGV: Option<libc::sigaction> = None;
static mut PREV_BUS: Option<libc::sigaction> = None;

/// Installs the handler once per process.
fn install() {
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

extern "C" fn on_fault(sig: libc::c_int, info: *mut libc::siginfo_t, uctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let addr = unsafe { (*info).si_addr() } as usize;
    if let Some(limit) = guard_hit(addr) {
        let sp = stack_pointer(uctx).unwrap_or(addr);
        let (g, mp) = with_m(|m| (m.curg.get(), std::sync::Arc::as_ptr(&m.m)))
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
