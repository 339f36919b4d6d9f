//! Go's collector tests (`src/runtime/gc_test.go`, Go 1.27) that make sense
//! on a model heap, rewritten against gogc: `TestGcDeepNesting`,
//! `TestGcArraySlice`, `TestGcRescan`, `TestGCTestIsReachable`. Go's
//! `runtime.GC()` is [`Heap::gc`]; a Go local variable is a slot on the
//! test goroutine's stack; an interior pointer (`&head.X`, `head.buf[:]`)
//! is a pointer to the whole object, which is what it keeps alive in Go.
//! Each test runs under every sound barrier.
//!
//! Source: https://go.googlesource.com/go/+/refs/tags/go1.27/src/runtime/gc_test.go
//!
//! Copyright 2011 The Go Authors.
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

use gogc::{Barrier, Field, Gc, Heap, Mutator, Object};

/// `*int`'s target: an object without pointers.
struct Int(i64);
impl Object for Int {
    const POINTER_FIELDS: &'static [&'static str] = &[];
}

fn heaps() -> impl Iterator<Item = (Heap, Mutator)> {
    Barrier::SOUND.into_iter().map(|barrier| {
        let mut heap = Heap::new(barrier).with_checks(true);
        let g = heap.new_mutator();
        (heap, g)
    })
}

/// `type T [2][2][2][2][2][2][2][2][2][2]*int`: one object of 1024 pointer
/// words.
struct Nest;
impl Object for Nest {
    const POINTER_FIELDS: &'static [&'static str] = &["[i]"; 1024];
}

/// TestGcDeepNesting: `a[0]…[0] = new(int); *a[0]…[0] = 13; runtime.GC()`,
/// and the int is still 13.
#[test]
fn gc_deep_nesting() {
    const ELEM: Field<Nest, Int> = Field::new(0);
    for (mut heap, g) in heaps() {
        let a = heap.alloc(g, Nest); // a := new(T)
        let n = heap.alloc(g, Int(0)); // new(int)
        heap.store(g, a, ELEM, Some(n));
        heap.pop(g);
        heap.get_mut(heap.load(a, ELEM).unwrap()).0 = 13;
        heap.gc();
        assert_eq!(heap.get(heap.load(a, ELEM).unwrap()).0, 13);
    }
}

/// `type X struct { buf [1]byte; nextbuf []byte; next *X }`.
struct X {
    buf: [u8; 1],
}
impl Object for X {
    const POINTER_FIELDS: &'static [&'static str] = &["nextbuf", "next"];
}

/// TestGcArraySlice: a list built with a collection after each node, each
/// node's `nextbuf` slicing the previous head's `buf`; every `buf[0]` is
/// still 42.
#[test]
fn gc_array_slice() {
    const NEXTBUF: Field<X, X> = Field::new(0);
    const NEXT: Field<X, X> = Field::new(1);
    for (mut heap, g) in heaps() {
        heap.push(g, None::<gogc::Ptr>); // var head *X
        for _ in 0..10 {
            let p = heap.alloc(g, X { buf: [0] }); // p := &X{}
            heap.get_mut(p).buf[0] = 42;
            let head = heap.stack(g)[0].map(|h| heap.cast::<X>(h).unwrap());
            heap.store(g, p, NEXT, head);
            if head.is_some() {
                heap.store(g, p, NEXTBUF, head); // p.nextbuf = head.buf[:]
            }
            heap.set_stack(g, 0, p); // head = p
            heap.pop(g);
            heap.gc();
        }
        let mut p = heap.stack(g)[0].map(|h| heap.cast::<X>(h).unwrap());
        let mut n = 0;
        while let Some(x) = p {
            assert_eq!(heap.get(x).buf[0], 42, "corrupted heap");
            p = heap.load(x, NEXT);
            n += 1;
        }
        assert_eq!(n, 10);
    }
}

/// `chan error`: an object the model does not look into.
struct Chan;
impl Object for Chan {
    const POINTER_FIELDS: &'static [&'static str] = &[];
}

/// `type Y struct { X{c chan error; nextx *X}; nexty *Y; p *int }`.
struct Y;
impl Object for Y {
    const POINTER_FIELDS: &'static [&'static str] = &["c", "nextx", "nexty", "p"];
}

/// TestGcRescan: a list of `Y`s, each pointing into the previous one's
/// embedded `X` and to its own `*int`, a collection after each; every `*p`
/// is still 42.
#[test]
fn gc_rescan() {
    const C: Field<Y, Chan> = Field::new(0);
    const NEXTX: Field<Y, Y> = Field::new(1);
    const NEXTY: Field<Y, Y> = Field::new(2);
    const P: Field<Y, Int> = Field::new(3);
    for (mut heap, g) in heaps() {
        heap.push(g, None::<gogc::Ptr>); // var head *Y
        for _ in 0..10 {
            let p = heap.alloc(g, Y); // p := &Y{}
            let c = heap.alloc(g, Chan); // p.c = make(chan error)
            heap.store(g, p, C, Some(c));
            heap.pop(g);
            let head: Option<Gc<Y>> = heap.stack(g)[0].map(|h| heap.cast(h).unwrap());
            if head.is_some() {
                heap.store(g, p, NEXTX, head); // p.nextx = &head.X
            }
            heap.store(g, p, NEXTY, head);
            let n = heap.alloc(g, Int(42)); // p.p = new(int); *p.p = 42
            heap.store(g, p, P, Some(n));
            heap.pop(g);
            heap.set_stack(g, 0, p); // head = p
            heap.pop(g);
            heap.gc();
        }
        let mut p: Option<Gc<Y>> = heap.stack(g)[0].map(|h| heap.cast(h).unwrap());
        while let Some(y) = p {
            let n = heap.load(y, P).unwrap();
            assert_eq!(heap.get(n).0, 42, "corrupted heap");
            assert!(heap.load(y, C).is_some());
            p = heap.load(y, NEXTY);
        }
    }
}

/// `new(*int)`: a scannable object with one pointer word.
struct PtrToInt;
impl Object for PtrToInt {
    const POINTER_FIELDS: &'static [&'static str] = &["p"];
}

/// TestGCTestIsReachable: of 16 objects, the even ones are kept alive
/// (`runtime.KeepAlive(half)`); the reachability report names exactly them
/// — Go allows one conservatively retained extra, a precise heap none — and
/// a collection frees exactly the others.
#[test]
fn gc_test_is_reachable() {
    for (mut heap, g) in heaps() {
        let all: Vec<Gc<PtrToInt>> = (0..16).map(|_| heap.alloc(g, PtrToInt)).collect();
        heap.truncate(g, 0);
        for (i, &p) in all.iter().enumerate() {
            if i % 2 == 0 {
                heap.push(g, p); // half = append(half, p)
            }
        }
        let oracle = heap.reachability();
        let got: u64 = all
            .iter()
            .enumerate()
            .filter(|(_, p)| oracle.contains(p.ptr()))
            .map(|(i, _)| 1 << i)
            .sum();
        assert_eq!(got, 0b0101_0101_0101_0101);
        heap.gc();
        for (i, &p) in all.iter().enumerate() {
            assert_eq!(heap.is_live(p), i % 2 == 0, "object {i}");
        }
    }
}
