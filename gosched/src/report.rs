//! Go's goroutine reports, written in one place (Go 1.27): the goroutine
//! header and `created by` lines (`runtime/traceback.go: goroutineheader,
//! printcreatedby1`), the panic report (`runtime/panic.go: printpanics`),
//! the deadlock report (`runtime/proc.go: checkdead`), the stack overflow
//! report (`runtime/stack.go: newstack`), and the leak report (goleak's
//! `found unexpected goroutines:` around the same goroutine blocks). Every
//! place that prints one of these goes through here; `tests/golden/` holds
//! real Go's text for each, and the tests compare line by line.
//!
//! The writers take any [`fmt::Write`] and allocate nothing, so the stack
//! overflow report can be written from a signal handler into a fixed
//! buffer. Rust makes three differences:
//! - **One frame.** Go walks each goroutine's stack; a parked coroutine's
//!   stack cannot be walked from outside, so a goroutine shows one frame:
//!   its function and where it last parked or panicked (none when neither
//!   is known).
//! - **Rust names.** A goroutine running a closure written in `app::serve`
//!   is `app::serve::{{closure}}` (Go: `main.serve.func1`), and its
//!   creator is `app::serve`, the function the closure was written in. Go
//!   names the function that ran the `go` statement: the same one whenever
//!   the closure is written at the `go` call. A goroutine running a named
//!   function has an unknown creator, printed `?`.
//! - **Locations** are `file:line:col` (Go: `file:line +0xPC`).

use std::any::Any;
use std::backtrace::{Backtrace, BacktraceStatus};
use std::fmt::{self, Display, Write};

/// One goroutine, as a report prints it.
pub(crate) struct Goroutine<'a> {
    pub(crate) id: u64,
    /// Go's status word or wait reason (`running`, `chan receive`).
    pub(crate) status: &'a str,
    /// Whole minutes it has waited (Go prints `, N minutes` from 1 on).
    pub(crate) waiting_minutes: u64,
    /// Set for the goroutine whose failure is being reported as a fatal
    /// error: Go then adds `gp=0x… m=N mp=0x…` to its header.
    pub(crate) throwing: Option<Throwing>,
    /// The function it runs (a Rust type path).
    pub(crate) function: &'a str,
    /// Where it last parked or panicked.
    pub(crate) frame_at: Option<&'a dyn Display>,
    /// Who made it; `None` for a runtime's main goroutine (Go prints no
    /// creator for goroutine 1).
    pub(crate) created_by: Option<CreatedBy<'a>>,
}

/// `gp=0x… m=N mp=0x…`: the G, and the M it failed on.
pub(crate) struct Throwing {
    pub(crate) gp: usize,
    pub(crate) m: u64,
    pub(crate) mp: usize,
}

/// `created by F in goroutine N` and the spawn site.
pub(crate) struct CreatedBy<'a> {
    /// The function the goroutine's closure was written in ([`creator`]).
    pub(crate) function: &'a str,
    /// The spawning goroutine (0: a thread or a timer; Go then omits
    /// `in goroutine`).
    pub(crate) goroutine: u64,
    pub(crate) at: &'a dyn Display,
}

/// The creator of a goroutine that runs `function`: the function its
/// closure was written in (`app::serve::{{closure}}` → `app::serve`), or
/// `?` when it runs a named function.
pub(crate) fn creator(function: &str) -> &str {
    function.strip_suffix("::{{closure}}").unwrap_or("?")
}

/// `goroutine N [status, M minutes]:`, its frame and its creator
/// (`goroutineheader`, a traceback of one frame, `printcreatedby1`).
pub(crate) fn goroutine(w: &mut dyn Write, g: &Goroutine<'_>) -> fmt::Result {
    write!(w, "goroutine {}", g.id)?;
    if let Some(t) = &g.throwing {
        write!(w, " gp={:#x} m={} mp={:#x}", t.gp, t.m, t.mp)?;
    }
    write!(w, " [{}", g.status)?;
    if g.waiting_minutes >= 1 {
        write!(w, ", {} minutes", g.waiting_minutes)?;
    }
    w.write_str("]:\n")?;
    if let Some(at) = g.frame_at {
        write!(w, "{}()\n\t{at}\n", g.function)?;
    }
    if let Some(c) = &g.created_by {
        write!(w, "created by {}", c.function)?;
        if c.goroutine != 0 {
            write!(w, " in goroutine {}", c.goroutine)?;
        }
        write!(w, "\n\t{}\n", c.at)?;
    }
    Ok(())
}

/// `panic: MSG` (with ` [recovered, repanicked]` for a panic re-raised
/// after a recover, as `WaitGroup.Go` does), a blank line, the goroutine.
pub(crate) fn panic(
    w: &mut dyn Write,
    message: &str,
    repanicked: bool,
    g: &Goroutine<'_>,
) -> fmt::Result {
    write!(w, "panic: {message}")?;
    if repanicked {
        w.write_str(" [recovered, repanicked]")?;
    }
    w.write_str("\n\n")?;
    goroutine(w, g)
}

/// The first line of the deadlock report; a blank line and the goroutine
/// blocks ([`goroutines`]) follow.
pub(crate) const DEADLOCK: &str = "fatal error: all goroutines are asleep - deadlock!";

/// Goroutine blocks separated by blank lines, as Go's `tracebackothers`.
pub(crate) fn goroutines<'a>(
    w: &mut dyn Write,
    gs: impl IntoIterator<Item = Goroutine<'a>>,
) -> fmt::Result {
    for (i, g) in gs.into_iter().enumerate() {
        if i > 0 {
            w.write_str("\n")?;
        }
        goroutine(w, &g)?;
    }
    Ok(())
}

/// The stack overflow report: the limit, the stack pointer and bounds
/// (when known: a canary does not know the stack pointer),
/// `fatal error: stack overflow`, then the goroutine (if known). Go follows
/// with the runtime's own stack and every other goroutine; those are left
/// out (they cannot be gathered in a signal handler).
pub(crate) fn overflow(
    w: &mut dyn Write,
    limit: usize,
    sp_and_stack: Option<(usize, (usize, usize))>,
    g: Option<&Goroutine<'_>>,
) -> fmt::Result {
    writeln!(w, "runtime: goroutine stack exceeds {limit}-byte limit")?;
    if let Some((sp, (lo, hi))) = sp_and_stack {
        writeln!(w, "runtime: sp={sp:#x} stack=[{lo:#x}, {hi:#x}]")?;
    }
    w.write_str("fatal error: stack overflow\n")?;
    if let Some(g) = g {
        w.write_str("\n")?;
        goroutine(w, g)?;
    }
    Ok(())
}

/// The first line of the leak report (goleak's `Find`).
pub(crate) const LEAK: &str = "found unexpected goroutines:";

/// A panic payload as Go's `printpanicval` would print it: the text of a
/// `&str` or `String` payload (a re-raised one unwrapped), else Rust's
/// `Box<dyn Any>`. The bool says whether it was re-raised after a recover.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> (String, bool) {
    if let Some(Repanicked(inner)) = payload.downcast_ref::<Repanicked>() {
        return (panic_message(&**inner).0, true);
    }
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_owned()
    };
    (text, false)
}

/// A panic payload re-raised after it was caught (Go's `panic(recover())`),
/// reported with ` [recovered, repanicked]`.
pub(crate) struct Repanicked(pub(crate) Box<dyn Any + Send>);

/// Where a panic started, recorded by the panic hook (`panic.rs`) before
/// unwinding begins: the frame of its goroutine's report.
#[derive(Debug)]
pub(crate) struct PanicSite {
    /// `file:line:col` of the `panic!`.
    pub(crate) at: String,
    /// Captured when `RUST_BACKTRACE` asks for it (resolved only if
    /// printed).
    pub(crate) backtrace: Backtrace,
}

/// Prints a panic report to stderr, followed by the panic's Rust backtrace
/// when `RUST_BACKTRACE` asked for one.
pub(crate) fn print_panic(text: &str, site: Option<&PanicSite>) {
    match site
        .map(|s| &s.backtrace)
        .filter(|b| b.status() == BacktraceStatus::Captured)
    {
        Some(b) => eprint!("{text}\nstack backtrace:\n{b}"),
        None => eprint!("{text}"),
    }
}

/// Prints `fatal error: MSG` and ends the process with status 2 (Go's
/// `fatal`/`throw`), for what the runtime cannot go on without (a thread
/// or a stack it could not get).
pub(crate) fn fatal(msg: &str) -> ! {
    eprintln!("fatal error: {msg}");
    std::process::exit(2)
}

/// A fixed buffer that writes itself to stderr with `write(2)` when full
/// or flushed: the allocation-free, lock-free sink the signal handler and
/// a dying runtime print through.
pub(crate) struct StderrBuf {
    b: [u8; 1024],
    n: usize,
}

impl StderrBuf {
    pub(crate) const fn new() -> StderrBuf {
        StderrBuf { b: [0; 1024], n: 0 }
    }

    pub(crate) fn flush(&mut self) {
        let mut off = 0;
        while off < self.n {
            // SAFETY: writing initialised bytes of our buffer to stderr;
            // `write(2)` is async-signal-safe.
            let w = unsafe { libc::write(2, self.b[off..self.n].as_ptr().cast(), self.n - off) };
            if w <= 0 {
                break;
            }
            off += w as usize;
        }
        self.n = 0;
    }
}

impl Write for StderrBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &c in s.as_bytes() {
            if self.n == self.b.len() {
                self.flush();
            }
            self.b[self.n] = c;
            self.n += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "../tests/common/shape.rs"]
mod shape;

#[cfg(test)]
mod tests {
    //! Each format against real Go 1.27's text (`tests/golden/*.txt`, made
    //! by `tests/golden/gen.sh`), compared line by line after both sides
    //! are reduced to their shape: ids, names, paths and addresses become
    //! placeholders, and Go's runs of frames become one frame.
    use super::shape::{overflow_shape, shape};
    use super::*;

    fn golden(name: &str) -> &'static str {
        match name {
            "panic" => include_str!("../tests/golden/panic.txt"),
            "mainpanic" => include_str!("../tests/golden/mainpanic.txt"),
            "wgpanic" => include_str!("../tests/golden/wgpanic.txt"),
            "deadlock" => include_str!("../tests/golden/deadlock.txt"),
            "overflow" => include_str!("../tests/golden/overflow.txt"),
            "afterfunc" => include_str!("../tests/golden/afterfunc.txt"),
            "minutes" => include_str!("../tests/golden/minutes.txt"),
            _ => unreachable!(),
        }
    }

    /// The golden text without its `exit status N` line.
    fn go_report(name: &str) -> Vec<String> {
        let mut s = shape(golden(name));
        assert!(s.pop().unwrap().starts_with("exit status "));
        s
    }

    fn text(f: impl FnOnce(&mut String) -> fmt::Result) -> String {
        let mut s = String::new();
        f(&mut s).unwrap();
        s
    }

    const SITE: &str = "src/app.rs:7:5";

    fn spawned(id: u64, parent: u64) -> Goroutine<'static> {
        Goroutine {
            id,
            status: "running",
            waiting_minutes: 0,
            throwing: None,
            function: "app::main::{{closure}}",
            frame_at: Some(&"src/app.rs:8:9"),
            created_by: Some(CreatedBy {
                function: creator("app::main::{{closure}}"),
                goroutine: parent,
                at: &SITE,
            }),
        }
    }

    #[test]
    fn creator_is_the_function_the_closure_was_written_in() {
        assert_eq!(
            creator("app::main::{{closure}}::{{closure}}"),
            "app::main::{{closure}}"
        );
        assert_eq!(creator("app::worker"), "?");
    }

    #[test]
    fn a_goroutine_panic_reads_like_gos() {
        let ours = text(|w| panic(w, "boom in goroutine", false, &spawned(2, 1)));
        assert_eq!(
            ours,
            "panic: boom in goroutine\n\ngoroutine 2 [running]:\napp::main::{{closure}}()\n\
             \tsrc/app.rs:8:9\ncreated by app::main in goroutine 1\n\tsrc/app.rs:7:5\n"
        );
        assert_eq!(shape(&ours), go_report("panic"));
    }

    #[test]
    fn the_main_goroutine_has_no_creator() {
        let g = Goroutine {
            created_by: None,
            ..spawned(1, 0)
        };
        let ours = text(|w| panic(w, "boom in main", false, &g));
        assert_eq!(shape(&ours), go_report("mainpanic"));
    }

    #[test]
    fn a_repanicked_panic_says_so() {
        let ours = text(|w| panic(w, "boom in goroutine", true, &spawned(2, 1)));
        assert!(ours.starts_with("panic: boom in goroutine [recovered, repanicked]\n\n"));
        assert_eq!(shape(&ours), go_report("wgpanic"));
    }

    #[test]
    fn a_timer_goroutine_is_created_by_no_goroutine() {
        let ours = text(|w| panic(w, "tick failed", false, &spawned(3, 0)));
        assert!(ours.contains("\ncreated by app::main\n\tsrc/app.rs:7:5\n"));
        assert_eq!(shape(&ours), go_report("afterfunc"));
    }

    #[test]
    fn the_deadlock_report_reads_like_gos() {
        let main = Goroutine {
            status: "chan receive",
            created_by: None,
            ..spawned(1, 0)
        };
        let waiter = Goroutine {
            status: "sync.WaitGroup.Wait",
            ..spawned(2, 1)
        };
        let ours = text(|w| {
            writeln!(w, "{DEADLOCK}\n")?;
            goroutines(w, [main, waiter])
        });
        assert_eq!(shape(&ours), go_report("deadlock"));
    }

    #[test]
    fn the_overflow_report_reads_like_gos() {
        let g = Goroutine {
            throwing: Some(Throwing {
                gp: 0x7f00_1000,
                m: 1,
                mp: 0x5600_2000,
            }),
            frame_at: None,
            ..spawned(2, 1)
        };
        let ours = text(|w| {
            overflow(
                w,
                65536,
                Some((0x7f00_04e8, (0x7f00_0000, 0x7f01_0000))),
                Some(&g),
            )
        });
        assert!(ours.starts_with(
            "runtime: goroutine stack exceeds 65536-byte limit\n\
             runtime: sp=0x7f0004e8 stack=[0x7f000000, 0x7f010000]\n\
             fatal error: stack overflow\n\n\
             goroutine 2 gp=0x7f001000 m=1 mp=0x56002000 [running]:\n"
        ));
        let mut ours = shape(&ours);
        ours.retain(|l| !l.is_empty());
        let want = overflow_shape(&go_report("overflow"));
        assert_eq!(ours, want);
    }

    #[test]
    fn minutes_appear_from_the_first_whole_minute() {
        let waiting = |minutes| Goroutine {
            status: "chan receive",
            waiting_minutes: minutes,
            ..spawned(2, 1)
        };
        assert!(text(|w| goroutine(w, &waiting(0))).starts_with("goroutine 2 [chan receive]:\n"));
        let one = text(|w| goroutine(w, &waiting(1)));
        assert!(one.starts_with("goroutine 2 [chan receive, 1 minutes]:\n"));
        // Go's own dump of a goroutine blocked for 61 s.
        let go = golden("minutes");
        assert!(
            go.contains("\ngoroutine ") && go.contains(" [chan receive, 1 minutes]:\n"),
            "{go}"
        );
        let go_block: Vec<String> = shape(go)
            .into_iter()
            .skip_while(|l| !l.contains("minutes"))
            .take(3)
            .collect();
        assert_eq!(shape(&one), go_block);
    }

    #[test]
    fn panic_messages_unwrap_re_raised_payloads() {
        assert_eq!(panic_message(&"x"), ("x".to_owned(), false));
        assert_eq!(panic_message(&String::from("y")), ("y".to_owned(), false));
        assert_eq!(panic_message(&3_u8), ("Box<dyn Any>".to_owned(), false));
        let again = Repanicked(Box::new("z"));
        assert_eq!(panic_message(&again), ("z".to_owned(), true));
    }
}
