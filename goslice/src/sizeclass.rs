//! Go's malloc size classes and `roundupsize` (`runtime/sizeclasses.go`,
//! `runtime/msize.go`; since Go 1.24 `internal/runtime/gc/sizeclasses.go`).
//!
//! A small allocation (≤ 32 KiB) is served from the smallest size class that
//! fits it; a large one is rounded up to whole 8 KiB pages. `growslice` asks
//! `roundupsize` how many bytes the new backing array really gets and turns
//! the spare bytes into spare capacity.
//!
//! Releases differ in two ways, both modelled:
//! - Go 1.16 added the 24-byte class (67 classes before, 68 after);
//! - Go 1.22 added malloc headers: a pointer-holding object larger than
//!   512 bytes stores its type in an 8-byte header inside its size class, so
//!   `roundupsize(size, noscan = false)` returns 8 bytes less than the class.

use crate::GoVersion;

/// `_PageSize`: the unit large objects are rounded to.
pub const PAGE_SIZE: usize = 8192;
/// `_MaxSmallSize`: the largest size class.
pub const MAX_SMALL_SIZE: usize = 32768;
/// `mallocHeaderSize` (Go 1.22+).
pub const MALLOC_HEADER_SIZE: usize = 8;
/// `minSizeForMallocHeader` on 64-bit platforms (Go 1.22+): pointer-holding
/// objects above this size get a malloc header.
pub const MIN_SIZE_FOR_MALLOC_HEADER: usize = 512;

/// `class_to_size` from Go 1.16 to 1.27 (68 classes, class 0 unused).
const CLASSES_68: [u16; 68] = [
    0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320,
    352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
    2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
    10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672,
    32768,
];

/// `class_to_size` from Go 1.9 to 1.15 (67 classes: no 24-byte class).
const CLASSES_67: [u16; 67] = [
    0, 8, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352,
    384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048,
    2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
    10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672,
    32768,
];

/// The `class_to_size` table of a release (index = size class).
///
/// ```
/// use goslice::{class_sizes, GoVersion};
/// assert_eq!(class_sizes(GoVersion::V1_27).len(), 68);
/// assert_eq!(class_sizes(GoVersion::V1_15)[3], 32);
/// ```
pub fn class_sizes(version: GoVersion) -> &'static [u16] {
    if version >= GoVersion::V1_16 {
        &CLASSES_68
    } else {
        &CLASSES_67
    }
}

/// Where an allocation of some size lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeClass {
    /// A small object in size class `n` (1 ..= 67).
    Small(u8),
    /// A large object: whole pages, no size class.
    Large,
}

/// The result of [`roundupsize`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rounded {
    /// The usable bytes the allocation gets (Go's `roundupsize` result).
    pub bytes: usize,
    /// The size class, or large.
    pub class: SizeClass,
}

/// Models `roundupsize(size, noscan)` (`runtime/msize.go`): the usable size
/// of a `size`-byte allocation in `version`. `noscan` means the object holds
/// no pointers; it matters from Go 1.22 on.
///
/// ```
/// use goslice::{roundupsize, GoVersion, SizeClass};
/// assert_eq!(roundupsize(GoVersion::V1_27, 40, true).bytes, 48);
/// // Go 1.22+: a 600-byte pointerful object spends 8 bytes of its 640-byte class.
/// assert_eq!(roundupsize(GoVersion::V1_27, 600, false).bytes, 632);
/// assert_eq!(roundupsize(GoVersion::V1_21, 600, false).bytes, 640);
/// assert_eq!(roundupsize(GoVersion::V1_27, 40_000, true).class, SizeClass::Large);
/// ```
pub fn roundupsize(version: GoVersion, size: usize, noscan: bool) -> Rounded {
    let large = |size: usize| Rounded {
        // Go returns `size` unchanged when rounding up would overflow.
        bytes: size.checked_next_multiple_of(PAGE_SIZE).unwrap_or(size),
        class: SizeClass::Large,
    };
    if version >= GoVersion::V1_22 {
        if size > MAX_SMALL_SIZE - MALLOC_HEADER_SIZE {
            return large(size);
        }
        let header = if !noscan && size > MIN_SIZE_FOR_MALLOC_HEADER {
            MALLOC_HEADER_SIZE
        } else {
            0
        };
        let (class, class_bytes) = smallest_class(version, size + header);
        Rounded {
            bytes: class_bytes - header,
            class,
        }
    } else {
        // Before 1.22: `if size < _MaxSmallSize` (a 32 KiB object is large).
        if size >= MAX_SMALL_SIZE {
            return large(size);
        }
        let (class, bytes) = smallest_class(version, size);
        Rounded { bytes, class }
    }
}

/// The smallest class that holds `size` bytes: what Go's `size_to_class8`
/// and `size_to_class128` lookup tables encode. `size` must be ≤ 32 KiB.
fn smallest_class(version: GoVersion, size: usize) -> (SizeClass, usize) {
    let classes = class_sizes(version);
    if size == 0 {
        // size_to_class8[0] is class 0, of size 0.
        return (SizeClass::Small(0), 0);
    }
    let class = classes.partition_point(|&c| usize::from(c) < size);
    (SizeClass::Small(class as u8), usize::from(classes[class]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_sorted_and_distinct() {
        for v in GoVersion::all() {
            assert!(class_sizes(v).windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn small_sizes_round_to_their_class() {
        let v = GoVersion::V1_27;
        assert_eq!(roundupsize(v, 0, true).bytes, 0);
        assert_eq!(roundupsize(v, 1, true).bytes, 8);
        assert_eq!(roundupsize(v, 24, true).bytes, 24);
        assert_eq!(roundupsize(GoVersion::V1_15, 24, true).bytes, 32);
        assert_eq!(roundupsize(v, 32768, true).bytes, 32768);
        assert_eq!(roundupsize(v, 32769, true).bytes, 40960);
        assert_eq!(roundupsize(v, usize::MAX - 3, true).bytes, usize::MAX - 3);
    }

    #[test]
    fn malloc_header_only_for_large_pointerful_objects() {
        let v = GoVersion::V1_22;
        assert_eq!(roundupsize(v, 512, false).bytes, 512);
        assert_eq!(roundupsize(v, 513, false).bytes, 568);
        assert_eq!(roundupsize(v, 513, true).bytes, 576);
        // 32760 + 8 fits the 32 KiB class; 32761 goes large (one 32 KiB page run).
        assert_eq!(roundupsize(v, 32760, false).bytes, 32760);
        assert_eq!(roundupsize(v, 32761, false).bytes, 32768);
    }
}
