//! Slices of zero-sized elements (Go's `[]struct{}`): Go gives them no
//! storage (`zerobase`, and `growslice`'s `et.size == 0` case: capacity =
//! new length, nothing copied), so `make`, `append` and `copy` take constant
//! time however long the slice. These run on slices of 2^40 elements, which
//! only finish if nothing walks the elements (`cargo xtask bench slice`
//! times them: `append_zero_sized`).

use std::cell::Cell;
use std::fmt;

use goslice::{GoVersion, RuntimeError, Slice};

const HUGE: usize = 1 << 40;

/// Go's `struct{}`: prints as `{}`.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
struct Empty;

impl fmt::Display for Empty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{}")
    }
}

goslice::has_pointers!(false: Empty);

#[test]
fn append_to_make_of_two_to_the_forty_is_instant() {
    for version in [GoVersion::V1_9, GoVersion::V1_19, GoVersion::LATEST] {
        let s: Slice<Empty> = Slice::make(HUGE, HUGE).with_version(version);
        let t = s.append(Empty);
        // growslice: `if et.size == 0 { return slice{&zerobase, newLen, newLen} }`
        assert_eq!((t.len(), t.cap()), (HUGE + 1, HUGE + 1), "{version}");
        assert!(t.shares_array(&s) && t.addr() == s.addr());
        let u = t.append_slice(&t);
        assert_eq!((u.len(), u.cap()), (2 * HUGE + 2, 2 * HUGE + 2));
        let mut v = u.clone();
        for _ in 0..1000 {
            v.push(Empty); // each push regrows (cap = len), each in O(1)
        }
        assert_eq!((v.len(), v.cap()), (2 * HUGE + 1002, 2 * HUGE + 1002));
    }
}

#[test]
fn appends_that_fit_keep_the_capacity() {
    let s: Slice<Empty> = Slice::make(HUGE, HUGE + 10);
    let t = s.append_all(&[Empty; 3]);
    assert_eq!((t.len(), t.cap()), (HUGE + 3, HUGE + 10));
    let u = t.append_slice(&Slice::make(7, 7));
    assert_eq!((u.len(), u.cap()), (HUGE + 10, HUGE + 10));
    assert_eq!(u.append(Empty).cap(), HUGE + 11);
    // Room for it, and itself the source (Go reads the source first).
    let roomy: Slice<Empty> = Slice::make(HUGE, 3 * HUGE);
    let twice = roomy.append_slice(&roomy);
    assert_eq!((twice.len(), twice.cap()), (2 * HUGE, 3 * HUGE));
}

#[test]
fn index_slice_and_copy_without_storage() {
    let s: Slice<Empty> = Slice::make(HUGE, HUGE);
    s.set(HUGE - 1, Empty);
    assert_eq!(s.get(HUGE - 1), Empty);
    assert_eq!(s.replace(0, Empty), Empty);
    assert_eq!(
        s.try_get(HUGE),
        Err(RuntimeError::IndexOutOfRange {
            index: HUGE,
            len: HUGE
        })
    );
    let tail = s.slice(HUGE / 2..);
    assert_eq!((tail.len(), tail.cap()), (HUGE / 2, HUGE / 2));
    assert_eq!(tail.addr(), s.addr()); // every zero-size allocation is zerobase
    assert_eq!(s.copy_from(&tail), HUGE / 2);
    assert_eq!(goslice::copy(&tail, &s), HUGE / 2);
    assert_eq!(s.slice(..3).iter().count(), 3);
    assert_eq!(s.slice(..2).to_vec(), vec![Empty, Empty]);
}

#[test]
fn printing_is_gos() {
    // fmt.Println(make([]struct{}, 3)) prints [{} {} {}]
    let s: Slice<Empty> = Slice::make(3, 3);
    assert_eq!(s.to_string(), "[{} {} {}]");
    assert_eq!(format!("{s:?}"), "[Empty, Empty, Empty] (len 3, cap 3)");
    assert_eq!(Slice::<Empty>::make(0, 5).to_string(), "[]");
}

thread_local! {
    static DROPS: Cell<usize> = const { Cell::new(0) };
}

/// A zero-sized value whose drops are counted.
#[derive(Clone, Default, PartialEq, Debug)]
struct Counted;

impl Drop for Counted {
    fn drop(&mut self) {
        DROPS.set(DROPS.get() + 1);
    }
}

goslice::has_pointers!(false: Counted);

#[test]
fn zero_sized_values_are_dropped_once_when_stored() {
    // Nothing is stored, so a value written is dropped at once, and reads
    // are new values (all values of a zero-sized type are alike).
    let s: Slice<Counted> = Slice::make(4, 8);
    DROPS.set(0);
    s.set(1, Counted);
    assert_eq!(DROPS.get(), 1);
    let t = s.append(Counted).append_all(&[Counted, Counted]);
    assert_eq!(t.len(), 7);
    // The appended value, then the array append_all read from (its values
    // were not even cloned: there is nothing to store).
    assert_eq!(DROPS.get(), 1 + 1 + 2);
    drop(s.replace(2, Counted));
    assert_eq!(DROPS.get(), 5);
    let got = s.get(3);
    drop(got);
    assert_eq!(DROPS.get(), 6);
}
