//! Misuse panics with Go's exact runtime messages, and the `try_` variants
//! return the same text as an error.

use goslice::{GoVersion, RuntimeError, Slice, slice};

fn panic_message(f: impl FnOnce()) -> String {
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("expected a panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .expect("panic payload is a string")
}

#[test]
fn index_out_of_range() {
    let msg = panic_message(|| {
        slice![1, 2, 3].get(5);
    });
    assert_eq!(msg, "runtime error: index out of range [5] with length 3");
    let msg = panic_message(|| slice![1, 2, 3].set(3, 0));
    assert_eq!(msg, "runtime error: index out of range [3] with length 3");
    // Capacity beyond len is not indexable.
    let s: Slice<i32> = Slice::make(1, 4);
    assert_eq!(
        s.try_get(1),
        Err(RuntimeError::IndexOutOfRange { index: 1, len: 1 })
    );
}

#[test]
fn slice_bounds_out_of_range() {
    let s: Slice<i32> = Slice::make(3, 5);
    let msg = panic_message(|| {
        s.slice(..7);
    });
    assert_eq!(
        msg,
        "runtime error: slice bounds out of range [:7] with capacity 5"
    );
    #[allow(
        clippy::reversed_empty_ranges,
        reason = "Go's s[5:3] is the misuse under test"
    )]
    let msg = panic_message(|| {
        slice![1, 2, 3, 4, 5, 6].slice(5..3);
    });
    assert_eq!(msg, "runtime error: slice bounds out of range [5:3]");
    // `s[4:]` defaults hi to len (3): Go checks hi against cap first, then lo > hi.
    assert_eq!(
        s.try_slice(4..).unwrap_err().to_string(),
        "runtime error: slice bounds out of range [4:3]"
    );
}

#[test]
fn three_index_bounds_out_of_range() {
    let s: Slice<i32> = Slice::make(3, 5);
    let msg = |r: Result<Slice<i32>, RuntimeError>| r.unwrap_err().to_string();
    assert_eq!(
        msg(s.try_slice3(0, 1, 6)),
        "runtime error: slice bounds out of range [::6] with capacity 5"
    );
    assert_eq!(
        msg(s.try_slice3(0, 4, 3)),
        "runtime error: slice bounds out of range [:4:3]"
    );
    assert_eq!(
        msg(s.try_slice3(2, 1, 3)),
        "runtime error: slice bounds out of range [2:1:]"
    );
    let text = panic_message(|| {
        s.slice3(0, 4, 3);
    });
    assert_eq!(text, "runtime error: slice bounds out of range [:4:3]");
}

#[test]
fn make_out_of_range() {
    let msg = panic_message(|| {
        Slice::<u64>::make(5, 3);
    });
    assert_eq!(msg, "runtime error: makeslice: cap out of range");
    assert_eq!(
        Slice::<u64>::try_make(usize::MAX, usize::MAX).unwrap_err(),
        RuntimeError::MakesliceLenOutOfRange
    );
}

#[test]
fn growslice_len_out_of_range() {
    // 2^28 + 1 elements of 1 MiB is one MiB over maxAlloc (2^48 bytes).
    let big: Slice<[u8; 1 << 20]> = Slice::nil();
    let err = goslice::growslice(
        GoVersion::V1_27,
        goslice::ElemType::of::<[u8; 1 << 20]>(),
        0,
        0,
        (1 << 28) + 1,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "runtime error: growslice: len out of range"
    );
    let old = goslice::growslice(
        GoVersion::V1_19,
        goslice::ElemType::of::<[u8; 1 << 20]>(),
        0,
        0,
        (1 << 28) + 1,
    )
    .unwrap_err();
    assert_eq!(
        old.to_string(),
        "runtime error: growslice: cap out of range"
    );
    assert!(big.is_nil());
}
