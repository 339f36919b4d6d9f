//! Property test: random non-blocking operations on one channel (any
//! capacity, unbuffered included) against a model of Go's semantics — a
//! FIFO of at most `cap` values plus a closed flag — with the invariants
//! checked after every step. `PROPTEST_CASES` sets the number of cases.

use std::collections::VecDeque;

use gochan::{CloseError, TryRecvError, TrySendError, make, select};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    TrySend(u16),
    TryRecv,
    SelectSend(u16),
    SelectRecv,
    Close,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<u16>().prop_map(Op::TrySend),
        4 => Just(Op::TryRecv),
        2 => any::<u16>().prop_map(Op::SelectSend),
        2 => Just(Op::SelectRecv),
        1 => Just(Op::Close),
    ]
}

proptest! {
    #[test]
    fn matches_fifo_model(cap in 0usize..6, ops in proptest::collection::vec(op(), 0..64)) {
        let ch = make::<u16>(cap);
        let mut model: VecDeque<u16> = VecDeque::new();
        let mut closed = false;
        for op in ops {
            match op {
                Op::TrySend(v) => {
                    let expect = if closed {
                        Err(TrySendError::Closed(v))
                    } else if model.len() < cap {
                        model.push_back(v);
                        Ok(())
                    } else {
                        Err(TrySendError::Full(v))
                    };
                    prop_assert_eq!(ch.try_send(v), expect);
                }
                Op::SelectSend(v) => {
                    if closed {
                        // Go panics; the checked path is covered above.
                        continue;
                    }
                    let sent = select! {
                        send(ch, v) => true,
                        default => false,
                    };
                    prop_assert_eq!(sent, model.len() < cap);
                    if sent {
                        model.push_back(v);
                    }
                }
                Op::TryRecv => {
                    let expect = match model.pop_front() {
                        Some(v) => Ok(v),
                        None if closed => Err(TryRecvError::Closed),
                        None => Err(TryRecvError::Empty),
                    };
                    prop_assert_eq!(ch.try_recv(), expect);
                }
                Op::SelectRecv => {
                    let got = select! {
                        recv(ch) -> v => Some(v),
                        default => None,
                    };
                    let expect = match model.pop_front() {
                        Some(v) => Some(Some(v)),
                        None if closed => Some(None),
                        None => None,
                    };
                    prop_assert_eq!(got, expect);
                }
                Op::Close => {
                    let expect = if closed { Err(CloseError::Closed) } else { Ok(()) };
                    closed = true;
                    prop_assert_eq!(ch.close_checked(), expect);
                }
            }
            // Invariants after every step.
            prop_assert_eq!(ch.len(), model.len());
            prop_assert!(ch.len() <= ch.cap());
            prop_assert_eq!(ch.cap(), cap);
            prop_assert_eq!(ch.is_closed(), closed);
            prop_assert_eq!(ch.waiting(), (0, 0));
        }
        // Draining after close yields the model's values, then None.
        ch.close_checked().ok();
        let rest: Vec<u16> = ch.iter().collect();
        prop_assert_eq!(rest, model.into_iter().collect::<Vec<_>>());
    }
}
