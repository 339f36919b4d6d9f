//! Go's channel and select tests (`src/runtime/chan_test.go`, Go 1.27; the
//! runtime's select tests live in that file) rewritten in Rust against
//! gochan. Each scenario runs three times: on OS threads, on goroutines, and
//! mixed (senders on threads, receivers and `main` on goroutines). Sizes are
//! Go's `testing.Short()` ones.
//!
//! Source: https://go.googlesource.com/go/+/refs/tags/go1.27/src/runtime/chan_test.go
//!
//! Copyright 2009 The Go Authors.
//!
//! Redistribution and use in source and binary forms, with or without
//! modification, are permitted provided that the following conditions are
//! met:
//!
//!    * Redistributions of source code must retain the above copyright
//!      notice, this list of conditions and the following disclaimer.
//!    * Redistributions in binary form must reproduce the above
//!      copyright notice, this list of conditions and the following disclaimer
//!      in the documentation and/or other materials provided with the
//!      distribution.
//!    * Neither the name of Google LLC nor the names of its
//!      contributors may be used to endorse or promote products derived from
//!      this software without specific prior written permission.
//!
//! THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
//! "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
//! LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
//! A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
//! OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
//! SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
//! LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
//! DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
//! THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
//! (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
//! OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use common::{Rt, ms, sleep};
use gochan::{Chan, make, select};
use gosched::WaitGroup;

/// `TestChan`, with `testing.Short()`'s N = 20 capacities.
fn test_chan(rt: Rt) {
    const N: usize = 20;
    for chan_cap in 0..N {
        {
            // Ensure that receive from empty chan blocks.
            let c: Chan<i32> = make(chan_cap);
            let recv1 = Arc::new(AtomicBool::new(false));
            let recv2 = Arc::new(AtomicBool::new(false));
            let (c1, r1) = (c.clone(), recv1.clone());
            rt.go(move || {
                let _ = c1.recv();
                r1.store(true, Ordering::SeqCst);
            });
            let (c2, r2) = (c.clone(), recv2.clone());
            rt.go(move || {
                let _ = c2.recv();
                r2.store(true, Ordering::SeqCst);
            });
            sleep(ms(1));
            assert!(
                !recv1.load(Ordering::SeqCst) && !recv2.load(Ordering::SeqCst),
                "chan[{chan_cap}]: receive from empty chan"
            );
            // Ensure that non-blocking receive does not block.
            select! {
                recv(c) -> _ => panic!("chan[{chan_cap}]: receive from empty chan"),
                default => {}
            }
            c.send(0);
            c.send(0);
        }

        {
            // Ensure that send to full chan blocks.
            let c: Chan<i32> = make(chan_cap);
            for i in 0..chan_cap {
                c.send(i as i32);
            }
            let sent = Arc::new(AtomicU32::new(0));
            let (c1, s1) = (c.clone(), sent.clone());
            rt.go_send(move || {
                c1.send(0);
                s1.store(1, Ordering::SeqCst);
            });
            sleep(ms(1));
            assert_eq!(
                sent.load(Ordering::SeqCst),
                0,
                "chan[{chan_cap}]: send to full chan"
            );
            // Ensure that non-blocking send does not block.
            select! {
                send(c, 0) => panic!("chan[{chan_cap}]: send to full chan"),
                default => {}
            }
            c.recv();
        }

        {
            // Ensure that we receive 0 from closed chan.
            let c: Chan<i32> = make(chan_cap);
            for i in 0..chan_cap {
                c.send(i as i32);
            }
            c.close();
            for i in 0..chan_cap {
                let v = c.recv();
                assert_eq!(v, Some(i as i32), "chan[{chan_cap}]");
            }
            assert_eq!(c.recv(), None, "chan[{chan_cap}]");
            assert_eq!(c.recv(), None, "chan[{chan_cap}]");
        }

        {
            // Ensure that close unblocks receive.
            let c: Chan<i32> = make(chan_cap);
            let done: Chan<bool> = make(0);
            let (c1, d1) = (c.clone(), done.clone());
            rt.go(move || {
                let v = c1.recv();
                d1.send(v.is_none());
            });
            sleep(ms(1));
            c.close();
            assert!(
                done.recv().unwrap(),
                "chan[{chan_cap}]: received non zero from closed chan"
            );
        }

        {
            // Send 100 integers, ensure that we receive them non-corrupted
            // in FIFO order.
            let c: Chan<i32> = make(chan_cap);
            let c1 = c.clone();
            rt.go_send(move || {
                for i in 0..100 {
                    c1.send(i);
                }
            });
            for i in 0..100 {
                assert_eq!(c.recv(), Some(i), "chan[{chan_cap}]");
            }

            // Same, but using recv2.
            let c1 = c.clone();
            rt.go_send(move || {
                for i in 0..100 {
                    c1.send(i);
                }
            });
            for i in 0..100 {
                let v = c.recv();
                assert!(
                    v.is_some(),
                    "chan[{chan_cap}]: receive failed, expected {i}"
                );
                assert_eq!(v, Some(i), "chan[{chan_cap}]");
            }

            // Send 1000 integers in 4 goroutines, ensure that we receive
            // what we send.
            const P: usize = 4;
            const L: i32 = 1000;
            for _ in 0..P {
                let c1 = c.clone();
                rt.go_send(move || {
                    for i in 0..L {
                        c1.send(i);
                    }
                });
            }
            let done: Chan<HashMap<i32, usize>> = make(0);
            for _ in 0..P {
                let (c1, d1) = (c.clone(), done.clone());
                rt.go(move || {
                    let mut recv = HashMap::new();
                    for _ in 0..L {
                        let v = c1.recv().unwrap();
                        *recv.entry(v).or_insert(0) += 1;
                    }
                    d1.send(recv);
                });
            }
            let mut recv: HashMap<i32, usize> = HashMap::new();
            for _ in 0..P {
                for (k, v) in done.recv().unwrap() {
                    *recv.entry(k).or_insert(0) += v;
                }
            }
            assert_eq!(recv.len(), L as usize, "chan[{chan_cap}]: received values");
            for v in recv.values() {
                assert_eq!(*v, P, "chan[{chan_cap}]: received values");
            }
        }

        {
            // Test len/cap.
            let c: Chan<i32> = make(chan_cap);
            assert_eq!(
                (c.len(), c.cap()),
                (0, chan_cap),
                "chan[{chan_cap}]: bad len/cap"
            );
            for i in 0..chan_cap {
                c.send(i as i32);
            }
            assert_eq!(
                (c.len(), c.cap()),
                (chan_cap, chan_cap),
                "chan[{chan_cap}]: bad len/cap"
            );
        }
    }
}

/// `TestNonblockRecvRace` (short: 100 rounds).
fn test_nonblock_recv_race(rt: Rt) {
    for _ in 0..100 {
        let c: Chan<i32> = make(1);
        c.send(1);
        let failed: Chan<bool> = make(1);
        let (c1, f1) = (c.clone(), failed.clone());
        rt.go(move || {
            select! {
                recv(c1) -> _ => f1.send(false),
                default => f1.send(true),
            }
        });
        c.close();
        c.recv();
        assert!(!failed.recv().unwrap(), "chan is not ready");
    }
}

/// `TestNonblockSelectRace` (short: 1000 rounds).
fn test_nonblock_select_race(rt: Rt) {
    let done: Chan<bool> = make(1);
    for _ in 0..1000 {
        let c1: Chan<i32> = make(1);
        let c2: Chan<i32> = make(1);
        c1.send(1);
        let (a, b, d) = (c1.clone(), c2.clone(), done.clone());
        rt.go(move || {
            select! {
                recv(a) -> _ => {},
                recv(b) -> _ => {},
                default => {
                    d.send(false);
                    return;
                }
            }
            d.send(true);
        });
        c2.send(1);
        select! {
            recv(c1) -> _ => {},
            default => {}
        }
        assert!(done.recv().unwrap(), "no chan is ready");
    }
}

/// `TestNonblockSelectRace2` (short: 1000 rounds).
fn test_nonblock_select_race2(rt: Rt) {
    let done: Chan<bool> = make(1);
    for _ in 0..1000 {
        let c1: Chan<i32> = make(1);
        let c2: Chan<i32> = make(0);
        c1.send(1);
        let (a, b, d) = (c1.clone(), c2.clone(), done.clone());
        rt.go(move || {
            select! {
                recv(a) -> _ => {},
                recv(b) -> _ => {},
                default => {
                    d.send(false);
                    return;
                }
            }
            d.send(true);
        });
        c2.close();
        select! {
            recv(c1) -> _ => {},
            default => {}
        }
        assert!(done.recv().unwrap(), "no chan is ready");
    }
}

/// `TestSelfSelect`: a goroutine's select must not match its own send
/// with its own receive on an unbuffered channel.
fn test_self_select(rt: Rt) {
    for chan_cap in [0usize, 10] {
        let wg = WaitGroup::new();
        wg.add(2);
        let c: Chan<usize> = make(chan_cap);
        let errors: Chan<String> = make(2);
        for p in 0..2usize {
            let (c, wg, errors) = (c.clone(), wg.clone(), errors.clone());
            rt.go(move || {
                for i in 0..1000 {
                    let v = if p == 0 || i % 2 == 0 {
                        select! {
                            send(c, p) => None,
                            recv(c) -> v => v,
                        }
                    } else {
                        select! {
                            recv(c) -> v => v,
                            send(c, p) => None,
                        }
                    };
                    if chan_cap == 0 && v == Some(p) {
                        errors.send("self receive".into());
                        break;
                    }
                }
                wg.done();
            });
        }
        wg.wait();
        assert_eq!(errors.try_recv().ok(), None);
    }
}

/// `TestSelectStress` (short: N = 1e4): four channels of capacity 0, 0, 2,
/// 3; a dedicated sender and receiver per channel, plus one select sender
/// and one select receiver over all four that nil out channels as they
/// finish.
fn test_select_stress(rt: Rt) {
    let c: [Chan<i32>; 4] = [make(0), make(0), make(2), make(3)];
    const N: usize = 10_000;
    let wg = WaitGroup::new();
    wg.add(10);
    for chan in &c {
        let (ck, w) = (chan.clone(), wg.clone());
        rt.go_send(move || {
            for _ in 0..N {
                ck.send(0);
            }
            w.done();
        });
        let (ck, w) = (chan.clone(), wg.clone());
        rt.go(move || {
            for _ in 0..N {
                ck.recv();
            }
            w.done();
        });
    }
    let (mut c1, w) = (c.clone(), wg.clone());
    rt.go_send(move || {
        let mut n = [0usize; 4];
        for _ in 0..4 * N {
            let k = select! {
                send(c1[3], 0) => 3,
                send(c1[2], 0) => 2,
                send(c1[0], 0) => 0,
                send(c1[1], 0) => 1,
            };
            n[k] += 1;
            if n[k] == N {
                c1[k] = Chan::nil();
            }
        }
        w.done();
    });
    let (mut c1, w) = (c.clone(), wg.clone());
    rt.go(move || {
        let mut n = [0usize; 4];
        for _ in 0..4 * N {
            let k = select! {
                recv(c1[0]) -> _ => 0,
                recv(c1[1]) -> _ => 1,
                recv(c1[2]) -> _ => 2,
                recv(c1[3]) -> _ => 3,
            };
            n[k] += 1;
            if n[k] == N {
                c1[k] = Chan::nil();
            }
        }
        w.done();
    });
    wg.wait();
}

/// `TestSelectFairness`: with two always-ready channels, each is chosen
/// about half the time (within 10 standard deviations over 10 000 trials).
fn test_select_fairness(rt: Rt) {
    const TRIALS: usize = 10_000;
    let c1: Chan<u8> = make(TRIALS + 1);
    let c2: Chan<u8> = make(TRIALS + 1);
    for _ in 0..TRIALS + 1 {
        c1.send(1);
        c2.send(2);
    }
    let c3: Chan<u8> = make(0);
    let c4: Chan<u8> = make(0);
    let out: Chan<u8> = make(0);
    let done: Chan<u8> = make(0);
    let wg = WaitGroup::new();
    wg.add(1);
    let (o, d, w) = (out.clone(), done.clone(), wg.clone());
    rt.go(move || {
        loop {
            let b = select! {
                recv(c3) -> b => b.unwrap(),
                recv(c4) -> b => b.unwrap(),
                recv(c1) -> b => b.unwrap(),
                recv(c2) -> b => b.unwrap(),
            };
            let stop = select! {
                send(o, b) => false,
                recv(d) -> _ => true,
            };
            if stop {
                break;
            }
        }
        w.done();
    });
    let (mut cnt1, mut cnt2) = (0usize, 0usize);
    for _ in 0..TRIALS {
        match out.recv().unwrap() {
            1 => cnt1 += 1,
            2 => cnt2 += 1,
            b => panic!("unexpected value {b} on channel"),
        }
    }
    let mean = TRIALS as f64 * 0.5;
    let variance = TRIALS as f64 * 0.5 * (1.0 - 0.5);
    let stddev = variance.sqrt();
    assert!(
        (cnt1 as f64 - mean).abs() <= 10.0 * stddev,
        "unfair select: in {TRIALS} trials, results were {cnt1}, {cnt2}"
    );
    done.close();
    wg.wait();
}

/// `TestChanSendInterface`: sends of a boxed value through select with
/// default, including two send cases on one channel.
fn test_chan_send_interface(_rt: Rt) {
    #[derive(Debug)]
    struct Mt;
    let m: Arc<dyn std::any::Any + Send + Sync> = Arc::new(Mt);
    let c: Chan<Arc<dyn std::any::Any + Send + Sync>> = make(1);
    c.send(m.clone());
    select! {
        send(c, m.clone()) => panic!("full channel accepted a send"),
        default => {}
    }
    select! {
        send(c, m.clone()) => panic!("full channel accepted a send"),
        send(c, Arc::new(Mt)) => panic!("full channel accepted a send"),
        default => {}
    }
    assert!(c.recv().unwrap().downcast_ref::<Mt>().is_some());
}

/// `TestPseudoRandomSend`: two send cases on one channel are both chosen.
fn test_pseudo_random_send(rt: Rt) {
    let n = 100;
    for chan_cap in [0, n] {
        let c: Chan<usize> = make(chan_cap);
        let result: Chan<Vec<usize>> = make(1);
        let (c1, r1) = (c.clone(), result.clone());
        rt.go(move || {
            let mut l = vec![0; n];
            for slot in &mut l {
                gosched::yield_now();
                *slot = c1.recv().unwrap();
            }
            r1.send(l);
        });
        for _ in 0..n {
            select! {
                send(c, 1) => {},
                send(c, 0) => {},
            }
        }
        let l = result.recv().unwrap();
        let n0 = l.iter().map(|i| (i + 1) % 2).sum::<usize>();
        let n1 = l.iter().sum::<usize>();
        assert!(
            n0 > n / 10 && n1 > n / 10,
            "Want pseudorandom, got {n0} zeros and {n1} ones (chan cap {chan_cap})"
        );
    }
}

/// `TestMultiConsumer`: 23 workers ranging over a shared queue, results
/// counted through a second channel closed once all workers finished.
fn test_multi_consumer(rt: Rt) {
    const NWORK: usize = 23;
    const NITER: usize = 271_828;
    const PN: [usize; 10] = [2, 3, 7, 11, 13, 17, 19, 23, 27, 31];
    let q: Chan<usize> = make(NWORK * 3);
    let r: Chan<usize> = make(NWORK * 3);
    let wg = WaitGroup::new();
    for w in 0..NWORK {
        wg.add(1);
        let (q, r, wg) = (q.clone(), r.clone(), wg.clone());
        rt.go(move || {
            for v in &q {
                if PN[w % PN.len()] == v {
                    gosched::yield_now();
                }
                r.send(v);
            }
            wg.done();
        });
    }
    let expect: Chan<usize> = make(1);
    let (q2, r2, e2) = (q.clone(), r.clone(), expect.clone());
    rt.go_send(move || {
        let mut expect = 0;
        for i in 0..NITER {
            let v = PN[i % PN.len()];
            expect += v;
            q2.send(v);
        }
        q2.close(); // no more work
        wg.wait(); // workers done
        r2.close(); // ... so there can be no more results
        e2.send(expect);
    });
    let (mut n, mut s) = (0, 0);
    for v in &r {
        n += 1;
        s += v;
    }
    let expect = expect.recv().unwrap();
    assert!(
        n == NITER && s == expect,
        "Expected sum {expect} (got {s}) from {NITER} iter (saw {n})"
    );
}

/// `TestShrinkStackDuringBlockedSend` without the GC: values sent while the
/// receiver sleeps between receives arrive intact and in order.
fn test_blocked_send_then_sleep(rt: Rt) {
    const N: i32 = 10;
    let c: Chan<i32> = make(0);
    let done: Chan<()> = make(0);
    let (c1, d1) = (c.clone(), done.clone());
    rt.go_send(move || {
        for i in 0..N {
            c1.send(i);
        }
        d1.send(());
    });
    for i in 0..N {
        assert_eq!(c.recv(), Some(i), "bad channel read");
        sleep(ms(1));
    }
    done.recv();
}

/// `TestNoShrinkStackWhileParking` without the GC: many short rendezvous
/// with a slow receiver.
fn test_parking_round_trips(rt: Rt) {
    const N: i32 = 10;
    for _ in 0..N * 20 {
        let c: Chan<i32> = make(0);
        let done: Chan<()> = make(0);
        let (rc, rd) = (c.recv_only(), done.clone());
        rt.go(move || {
            for _ in 0..N {
                sleep(std::time::Duration::from_micros(10));
                rc.recv();
            }
            rd.send(());
        });
        let (sc, sd) = (c.send_only(), done.clone());
        rt.go_send(move || {
            for i in 0..N {
                sc.send(i);
            }
            sd.send(());
        });
        sleep(std::time::Duration::from_micros(50));
        done.recv();
        done.recv();
    }
}

/// `TestSelectDuplicateChannel`: a select with two receive cases on one
/// channel, woken through a third, must leave that channel's queue intact.
fn test_select_duplicate_channel(rt: Rt) {
    let c: Chan<i32> = make(0);
    let d: Chan<i32> = make(0);
    let e: Chan<i32> = make(0);
    let (c1, d1, e1) = (c.clone(), d.clone(), e.clone());
    rt.go(move || {
        select! {
            recv(c1) -> _ => {},
            recv(c1) -> _ => {},
            recv(d1) -> _ => {},
        }
        e1.send(9);
    });
    sleep(ms(1)); // make sure goroutine A gets queued first on c
    let c2 = c.clone();
    rt.go(move || {
        c2.recv();
    });
    sleep(ms(1)); // make sure goroutine B gets queued on c before continuing
    d.send(7); // wake up A, it dequeues itself from c
    e.recv(); // A tells us it's done
    c.send(8); // wake up B
}

all_modes!(
    test_chan,
    test_nonblock_recv_race,
    test_nonblock_select_race,
    test_nonblock_select_race2,
    test_self_select,
    test_select_stress,
    test_select_fairness,
    test_chan_send_interface,
    test_pseudo_random_send,
    test_multi_consumer,
    test_blocked_send_then_sleep,
    test_parking_round_trips,
    test_select_duplicate_channel,
);
