//! Invariants of the growth model, for every release 1.9–1.27, checked by
//! proptest. (The `tracing` event each regrowth emits is
//! `tests/regrowth_event.rs`.)

use goslice::{
    ElemType, GoVersion, MALLOC_HEADER_SIZE, SizeClass, Slice, class_sizes, growslice,
    next_slice_cap, roundupsize,
};
use proptest::prelude::*;

fn version() -> impl Strategy<Value = GoVersion> {
    (9u32..=27).prop_map(|m| GoVersion::from_minor(m).unwrap())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// The new capacity holds the new length, uses every byte the size class
    /// gives (one more element would not fit), and never shrinks.
    #[test]
    fn growth_fits_and_fills_its_size_class(
        v in version(),
        size in 1usize..5000,
        pointers: bool,
        old_len in 0usize..100_000,
        spare in 0usize..1000,
        added in 1usize..5000,
    ) {
        let elem = ElemType { size, pointers };
        let old_cap = old_len + spare;
        let g = growslice(v, elem, old_len, old_cap, added).unwrap();
        let new_len = old_len + added;
        prop_assert!(g.new_cap >= new_len.max(old_cap));
        prop_assert_eq!(g.bytes, g.new_cap * size);
        let policy = next_slice_cap(v, old_len, old_cap, new_len);
        prop_assert!(g.new_cap >= policy);
        let usable = roundupsize(v, policy * size, !pointers).bytes;
        prop_assert_eq!(g.new_cap, usable / size);
        prop_assert!((g.new_cap + 1) * size > usable);
        match g.class {
            SizeClass::Small(c) => {
                let class = usize::from(class_sizes(v)[usize::from(c)]);
                prop_assert!(g.bytes <= class);
                prop_assert!(class < g.bytes.max(1) * 2 + 8, "class {} for {} bytes", class, g.bytes);
            }
            SizeClass::Large => prop_assert_eq!(usable % goslice::PAGE_SIZE, 0),
        }
    }

    /// The policy per era: double small slices, then 1.25x (Go 1.9–1.17, by
    /// length) or the smooth 256-threshold formula (Go 1.18+, by capacity).
    #[test]
    fn capacity_policy_per_release(v in version(), old_cap in 1usize..1_000_000, len_gap in 0usize..10) {
        let old_len = old_cap.saturating_sub(len_gap);
        let new_len = old_cap + 1;
        let got = next_slice_cap(v, old_len, old_cap, new_len);
        let small = if v < GoVersion::V1_16 { old_len < 1024 } else { old_cap < 1024 };
        let want = if v < GoVersion::V1_18 {
            if small { 2 * old_cap } else { old_cap + old_cap / 4 }
        } else if old_cap < 256 {
            2 * old_cap
        } else {
            old_cap + (old_cap + 768) / 4
        };
        prop_assert_eq!(got, want.max(new_len));
    }

    /// Go 1.22's malloc header: only pointerful objects over 512 bytes lose
    /// 8 bytes of their class; before 1.22 pointers never matter.
    #[test]
    fn malloc_header_rule(v in version(), size in 0usize..40_000) {
        let scan = roundupsize(v, size, false).bytes;
        let noscan = roundupsize(v, size, true).bytes;
        if v >= GoVersion::V1_22 && size > 512 && size <= goslice::MAX_SMALL_SIZE - MALLOC_HEADER_SIZE {
            prop_assert!(scan >= size);
            let with_header = roundupsize(v, size + MALLOC_HEADER_SIZE, true).bytes;
            prop_assert_eq!(scan + MALLOC_HEADER_SIZE, with_header);
        } else {
            prop_assert_eq!(scan, noscan);
        }
    }
}

#[test]
fn one_by_one_growth_of_int_slices_matches_the_notes_story() {
    // Go 1.18+: 1 2 4 8 ... 512, then 848 (832 rounded to the 6784-byte class).
    let mut s: Slice<i64> = Slice::nil();
    let mut caps = vec![];
    for i in 0..600 {
        s = s.append(i);
        if caps.last() != Some(&s.cap()) {
            caps.push(s.cap());
        }
    }
    assert_eq!(caps, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 848]);
    let mut old: Slice<i64> = Slice::nil().with_version(GoVersion::V1_17);
    for i in 0..600 {
        old = old.append(i);
    }
    assert_eq!(old.cap(), 1024);
}
