//! loom models of a context's cancellation (`cancel.rs`, Go's
//! `cancelCtx.cancel`, `Err` and `propagateCancel`, `context/context.go`,
//! Go 1.27): the real [`CancelState`] under every interleaving and the
//! C11 memory model (`RUSTFLAGS="--cfg loom" cargo test --profile loom -p
//! goctx --lib loom_`).
//!
//! The `done` channels are gochan's, whose atomics are loom's in this
//! build, so a channel's close is a write loom tracks like any other. A
//! model makes its `done` channel before the race: a state canceled before
//! anyone asked shares Go's `closedchan`, one per process, which a loom
//! execution must not reuse from the one before it ([`assert_done_closed`]
//! accepts either kind without opening it).
//!
//! Each model fails on a bug planted in `cancel.rs` (`--cfg
//! 'loom_planted_bug="…"'`, one a build; `cargo xtask verify --deep
//! goctx/loom_planted` runs all three).

use std::sync::Arc;

use gochan::TryRecvError;
use loom::thread;

use super::{CancelState, Done, Hook};
use crate::error::{Cause, Error};

fn cause(why: &str) -> Cause {
    Cause::new(std::io::Error::other(why.to_owned()))
}

/// `done` is closed: the channel a `done()` made, or Go's `closedchan`.
fn assert_done_closed(state: &CancelState) {
    match state.done.get() {
        Some(Done::Made(d)) => assert_eq!(
            d.rx.try_recv(),
            Err(TryRecvError::Closed),
            "an error seen while `done` is still open"
        ),
        Some(Done::Closed) => {}
        None => panic!("canceled without a done channel"),
    }
}

/// A cancel against a reader on another thread: the reader sees no error,
/// or the error with `done` closed and the cause set (Go's promise since
/// issue #75533: a non-nil `Err` means `Done` is closed).
///
/// Planted bug: `err_relaxed`, the fast path's load of `err` Relaxed where
/// Acquire is needed: the reader sees `DONE_CLOSED` but not the close it
/// stands for, and finds `done` open.
#[test]
fn loom_cancel_against_a_reader() {
    loom::model(|| {
        let state = Arc::new(CancelState::new(Hook::None));
        let why = cause("shutting down");
        state.done();
        // The reader on the spawned thread: loom runs the main thread on
        // first, so the reader's load comes after the cancel's stores and
        // loom chooses which of them it reads.
        let reader = {
            let (state, why) = (Arc::clone(&state), why.clone());
            thread::spawn(move || {
                if let Some(err) = state.err() {
                    assert_eq!(err, Error::Canceled);
                    assert_done_closed(&state);
                    assert_eq!(state.cause(), Some(why));
                }
            })
        };
        assert!(state.cancel(Error::Canceled, Some(why.clone())));
        reader.join().unwrap();
        assert_eq!(state.err(), Some(Error::Canceled));
        assert_eq!(state.cause(), Some(why));
    });
}

/// Two cancels race (a cancel function and a deadline): exactly one wins,
/// and its error and cause are the ones every reader sees; `done` is
/// closed once (a second close would panic, as in Go).
///
/// Planted bug: `cancel_unlocked`, the first-cancel check made before
/// taking the lock and not again under it (a missing re-check): both
/// cancels see no error, both win, the second closes `done` again.
#[test]
fn loom_two_cancels_the_first_wins() {
    loom::model(|| {
        let state = Arc::new(CancelState::new(Hook::None));
        let (mine, theirs) = (cause("canceled"), cause("deadline"));
        state.done();
        let deadline = {
            let (state, theirs) = (Arc::clone(&state), theirs.clone());
            thread::spawn(move || state.cancel(Error::DeadlineExceeded, Some(theirs)))
        };
        let i_won = state.cancel(Error::Canceled, Some(mine.clone()));
        let they_won = deadline.join().unwrap();
        assert!(i_won != they_won, "{i_won} and {they_won}: one cancel wins");
        let (err, why) = if i_won {
            (Error::Canceled, mine)
        } else {
            (Error::DeadlineExceeded, theirs)
        };
        assert_eq!(state.err(), Some(err));
        assert_eq!(state.cause(), Some(why));
        assert_done_closed(&state);
    });
}

/// A child linked (`propagateCancel`) while its parent is canceled on
/// another thread: whichever comes first, the child ends canceled with the
/// parent's error and cause, and the parent keeps no child.
///
/// Planted bug: `adopt_unlocked`, the parent's `err` checked before taking
/// its lock and not again under it (a missing re-check): the cancel drains
/// `children` between the check and the push, and the child is linked
/// under a parent that never cancels it.
#[test]
fn loom_child_linked_against_its_parents_cancel() {
    loom::model(|| {
        let parent = Arc::new(CancelState::new(Hook::None));
        let mut child = Arc::new(CancelState::new(Hook::None));
        let why = cause("parent gone");
        let canceller = {
            let (parent, why) = (Arc::clone(&parent), why.clone());
            thread::spawn(move || assert!(parent.cancel(Error::Canceled, Some(why))))
        };
        parent.adopt(&mut child);
        canceller.join().unwrap();
        assert_eq!(
            child.err(),
            Some(Error::Canceled),
            "the child was left live"
        );
        assert_eq!(child.cause(), Some(why));
        assert_done_closed(&child);
        assert_eq!(parent.children_len(), 0);
        assert!(!parent.has_child(&child));
    });
}
