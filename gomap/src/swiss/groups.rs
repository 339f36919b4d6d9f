//! The groups of one swiss table, or of a small map, in raw memory: Go 1.27
//! `internal/runtime/maps/group.go`'s `groupsReference` (`newGroups`,
//! `group`), `groupReference` (`ctrls`, `key`, `elem`) and `cloneGroup`,
//! laid out by [`GroupShape`]. With `shape.rs` this is where the swiss
//! map's raw memory is touched; everything above it uses the safe,
//! bounds-checked API below.
//!
//! The invariant every `unsafe` block below rests on: **slot `i` of group
//! `g` holds an initialized key and value iff its control byte is full**
//! (bit 7 clear) — while the storage [`Holds::Entries`]. Only
//! [`GroupArray::write`] and [`GroupArray::move_to`] make a slot full and
//! only [`GroupArray::take`] (or drop) empties one; every other control
//! write is asserted to keep a slot that is not full not full.
//!
//! The memory sits behind an [`Arc`] so that an iteration that allows writes
//! ([`crate::Range`]) can keep a table it is walking after the map has
//! replaced it (Go's iterator keeps the old table, which Go's garbage
//! collector keeps alive). Such a retired table keeps its control bytes and
//! copies of its keys ([`Holds::Keys`]); its values went to the new tables.
//! The map is the only writer: a [`Pinned`] handle reads only while its
//! caller holds a shared borrow of the map, so no read overlaps a write.

use std::alloc::{self, Layout};
use std::marker::PhantomData;
use std::mem::needs_drop;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};

use crate::group::{CTRL_DELETED, CTRL_EMPTY, CtrlWord};
use crate::shape::GroupShape;
use crate::version::BUCKET_CNT;

/// What the slots of a storage own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Holds {
    /// A live table's: the key and value of every full slot.
    Entries = 0,
    /// A table replaced while an iteration walked it: a key (a clone of the
    /// one that moved on) in every full slot, no values.
    Keys = 1,
    /// Nothing: the entries moved on, or were dropped with the map.
    Nothing = 2,
}

/// One allocation of groups, shared by a table and the iterations pinning it.
struct Storage<K, V> {
    /// `groups * GroupShape::SIZE` bytes.
    ptr: NonNull<u8>,
    groups: usize,
    /// A [`Holds`]: written by the map (the only writer) before it lets the
    /// storage go, read when the last handle drops it.
    holds: AtomicU8,
    /// `K::clone`, registered by the first iteration that pins the storage:
    /// what the map uses to leave keys behind when it replaces the table.
    key_clone: OnceLock<fn(&K) -> K>,
    marker: PhantomData<(K, V, Box<K>, Box<V>)>,
}

// SAFETY: a Storage owns keys and values (like a `Vec<(K, V)>`), so it may
// move to another thread when they may; its atomics and OnceLock are Sync.
unsafe impl<K: Send, V: Send> Send for Storage<K, V> {}
// SAFETY: through `&Storage` only keys and values are read (`&K`, `&V`), by
// the map or a pinning iteration under a shared borrow of the map; every
// write needs the map's `&mut`. So sharing is sound when K and V are Sync
// (and Send: the last `Arc` may drop them on any thread).
unsafe impl<K: Send + Sync, V: Send + Sync> Sync for Storage<K, V> {}

impl<K, V> Storage<K, V> {
    fn layout(groups: usize) -> Layout {
        let bytes = GroupShape::<K, V>::SIZE
            .checked_mul(groups)
            .expect("map table too large");
        Layout::from_size_align(bytes, GroupShape::<K, V>::ALIGN).expect("map table too large")
    }

    fn holds(&self) -> Holds {
        match self.holds.load(Ordering::Acquire) {
            0 => Holds::Entries,
            1 => Holds::Keys,
            _ => Holds::Nothing,
        }
    }

    /// Drops what the full slots own, per `holds`, and marks them owning
    /// nothing.
    fn drop_contents(&mut self) {
        let holds = self.holds();
        self.holds.store(Holds::Nothing as u8, Ordering::Release);
        let drop_keys = needs_drop::<K>() || GroupShape::<K, V>::INDIRECT_KEY;
        let drop_vals = needs_drop::<V>() || GroupShape::<K, V>::INDIRECT_ELEM;
        let (keys, vals) = match holds {
            Holds::Entries => (drop_keys, drop_vals),
            Holds::Keys => (drop_keys, false),
            Holds::Nothing => (false, false),
        };
        if !(keys || vals) {
            return;
        }
        for g in 0..self.groups {
            // SAFETY: g < groups, so the group is inside the allocation and
            // starts with its initialized control word.
            let base = unsafe { self.ptr.as_ptr().add(g * GroupShape::<K, V>::SIZE) };
            // SAFETY: as above; aligned for u64 (ALIGN >= 8).
            let mut full = unsafe { CtrlWord(ptr::read(base as *const u64)) }.match_full();
            while !full.is_empty() {
                let i = full.pop_first();
                // SAFETY: slot i is full, and `holds` says what its bytes
                // own; `holds` is now Nothing, so nothing reads or drops
                // them again. Indirect ones were made by Box::into_raw.
                unsafe {
                    if keys {
                        let k =
                            GroupShape::<K, V>::key_in(base.add(GroupShape::<K, V>::key_offset(i)));
                        drop_held(k, GroupShape::<K, V>::INDIRECT_KEY);
                    }
                    if vals {
                        let v = GroupShape::<K, V>::elem_in(
                            base.add(GroupShape::<K, V>::elem_offset(i)),
                        );
                        drop_held(v, GroupShape::<K, V>::INDIRECT_ELEM);
                    }
                }
            }
        }
    }
}

/// Drops what a full slot holds.
///
/// # Safety
/// `p` points at an initialized `X` that nothing reads or drops afterwards;
/// if `boxed`, it came from `Box::into_raw`.
unsafe fn drop_held<X>(p: *mut X, boxed: bool) {
    if boxed {
        // SAFETY: the caller's contract: a box we leaked, dropped once.
        drop(unsafe { Box::from_raw(p) });
    } else {
        // SAFETY: the caller's contract: initialized, dropped once.
        unsafe { ptr::drop_in_place(p) };
    }
}

impl<K, V> Drop for Storage<K, V> {
    fn drop(&mut self) {
        self.drop_contents();
        // SAFETY: allocated in `GroupArray::new` with this layout.
        unsafe { alloc::dealloc(self.ptr.as_ptr(), Self::layout(self.groups)) };
    }
}

/// The groups of one table (`groupsReference`), owned by that table: the
/// only handle that writes. A power of two of groups.
pub(crate) struct GroupArray<K, V> {
    /// `data`: the first group (a copy of the storage's pointer, one load
    /// nearer on the lookup path).
    ptr: NonNull<u8>,
    /// `lengthMask`: groups − 1.
    mask: usize,
    storage: Arc<Storage<K, V>>,
}

// SAFETY: a GroupArray is the owning handle of a Storage (whose Send and
// Sync bounds are argued there) plus a copy of its pointer.
unsafe impl<K: Send, V: Send> Send for GroupArray<K, V> where Storage<K, V>: Sync {}
// SAFETY: `&GroupArray` reads keys and values only (writes need `&mut`).
unsafe impl<K: Sync, V: Sync> Sync for GroupArray<K, V> where Storage<K, V>: Sync {}

/// A slot of a group array: (group, slot in group).
pub(crate) type SlotRef = (usize, usize);

impl<K, V> GroupArray<K, V> {
    /// `newGroups(typ, groups)`: every control byte empty.
    pub(crate) fn new(groups: usize) -> Self {
        assert!(groups.is_power_of_two(), "{groups} groups");
        let layout = Storage::<K, V>::layout(groups);
        // SAFETY: a group is at least 16 bytes, so the size is non-zero,
        // and the alignment is a power of two.
        let p = unsafe { alloc::alloc(layout) };
        let ptr = NonNull::new(p).unwrap_or_else(|| alloc::handle_alloc_error(layout));
        for g in 0..groups {
            // SAFETY: g < groups: the control word of a group of this
            // allocation, aligned for u64. Writing it first means every
            // slot is empty before anything reads the group.
            unsafe {
                ptr::write(
                    p.add(g * GroupShape::<K, V>::SIZE) as *mut u64,
                    CtrlWord::EMPTY.0,
                )
            };
        }
        let storage = Arc::new(Storage {
            ptr,
            groups,
            holds: AtomicU8::new(Holds::Entries as u8),
            key_clone: OnceLock::new(),
            marker: PhantomData,
        });
        GroupArray {
            ptr,
            mask: groups - 1,
            storage,
        }
    }

    /// Number of groups.
    #[inline]
    pub(crate) fn groups(&self) -> usize {
        self.mask + 1
    }

    /// `lengthMask`.
    #[inline]
    pub(crate) fn mask(&self) -> usize {
        self.mask
    }

    /// Bytes allocated.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.groups() * GroupShape::<K, V>::SIZE
    }

    /// The start of group `g` (`g` masked into range, as Go's probe
    /// offsets are).
    #[inline]
    fn group(&self, g: usize) -> *mut u8 {
        debug_assert!(g <= self.mask, "group {g} of {}", self.groups());
        // SAFETY: g & mask < groups, so the offset stays in the allocation.
        unsafe {
            self.ptr
                .as_ptr()
                .add((g & self.mask) * GroupShape::<K, V>::SIZE)
        }
    }

    /// Group `g`'s control word (`ctrls()`).
    #[inline]
    pub(crate) fn ctrl(&self, g: usize) -> CtrlWord {
        // SAFETY: a group starts with its control word, initialized by
        // `new` and aligned for u64 (ALIGN >= 8).
        CtrlWord(unsafe { ptr::read(self.group(g) as *const u64) })
    }

    /// Sets a control byte that is not full to another state that is not
    /// full (`ctrlEmpty` or `ctrlDeleted`).
    #[inline]
    pub(crate) fn set_state(&mut self, (g, i): SlotRef, state: u8) {
        assert!(
            state == CTRL_EMPTY || state == CTRL_DELETED,
            "control state {state:#x}"
        );
        assert!(!self.is_full((g, i)), "set_state on a full slot");
        // SAFETY: i & 7 < 8 indexes the group's control word; `&mut self`
        // is the only writer (see the module docs).
        unsafe { *self.group(g).add(i & (BUCKET_CNT - 1)) = state };
    }

    /// Is slot `i` of group `g` full?
    #[inline]
    pub(crate) fn is_full(&self, (g, i): SlotRef) -> bool {
        self.ctrl(g).get(i) < CTRL_EMPTY
    }

    /// Pointers to a full slot's key and value (one liveness check).
    #[inline]
    fn full_ptrs(&self, (g, i): SlotRef) -> (*mut K, *mut V) {
        let base = self.group(g);
        assert!(self.is_full((g, i)), "slot {i} of group {g} is not full");
        // SAFETY: both offsets (i & 7) are inside the group; the slot is
        // full, so indirect slots hold the pointers `write` stored (slots
        // are aligned for a pointer then: see GroupShape).
        unsafe {
            (
                GroupShape::<K, V>::key_in(base.add(GroupShape::<K, V>::key_offset(i))),
                GroupShape::<K, V>::elem_in(base.add(GroupShape::<K, V>::elem_offset(i))),
            )
        }
    }

    /// The key in a full slot.
    #[inline]
    pub(crate) fn key(&self, at: SlotRef) -> &K {
        // SAFETY: full slot (checked): its key is initialized and stays put
        // while `&self` is held (only `&mut self` moves or drops it).
        unsafe { &*self.full_ptrs(at).0 }
    }

    /// The key and value in a full slot.
    #[inline]
    pub(crate) fn entry(&self, at: SlotRef) -> (&K, &V) {
        let (k, v) = self.full_ptrs(at);
        // SAFETY: as in `key`, for both.
        unsafe { (&*k, &*v) }
    }

    /// The key and a mutable value in a full slot.
    #[inline]
    pub(crate) fn entry_mut(&mut self, at: SlotRef) -> (&K, &mut V) {
        let (k, v) = self.full_ptrs(at);
        // SAFETY: full slot; key and value are disjoint bytes (or boxes),
        // and `&mut self` makes the value unique.
        unsafe { (&*k, &mut *v) }
    }

    /// Raw pointers to a full slot's key and value, for `IterMut` (which
    /// hands out `&mut V` to distinct slots over one `&mut` borrow).
    #[inline]
    pub(crate) fn entry_ptrs(&mut self, at: SlotRef) -> (*const K, *mut V) {
        let (k, v) = self.full_ptrs(at);
        (k, v)
    }

    /// `matchH2` on group `g`, then the key test on each candidate: the
    /// first full slot whose control byte is `h2` and whose key satisfies
    /// `eq`, and the group's control word (for the end-of-probe test).
    #[inline]
    pub(crate) fn find_in_group(
        &self,
        g: usize,
        h2: u8,
        eq: &mut impl FnMut(&K) -> bool,
    ) -> (Option<usize>, CtrlWord) {
        let base = self.group(g);
        // SAFETY: as in `ctrl`.
        let ctrl = CtrlWord(unsafe { ptr::read(base as *const u64) });
        let mut hits = ctrl.match_h2(h2);
        while !hits.is_empty() {
            let i = hits.pop_first();
            // SAFETY: control byte i is h2 < 0x80, so slot i is full: its
            // key (or key pointer) is initialized and lives as long as
            // `&self`.
            let key = unsafe {
                &*GroupShape::<K, V>::key_in(base.add(GroupShape::<K, V>::key_offset(i)))
            };
            if eq(key) {
                return (Some(i), ctrl);
            }
        }
        (None, ctrl)
    }

    /// [`find_in_group`](Self::find_in_group) for lookups: the matching
    /// key and its value.
    #[inline]
    pub(crate) fn find_entry_in_group(
        &self,
        g: usize,
        h2: u8,
        eq: &mut impl FnMut(&K) -> bool,
    ) -> (Option<(&K, &V)>, CtrlWord) {
        let (hit, ctrl) = self.find_in_group(g, h2, eq);
        let Some(i) = hit else { return (None, ctrl) };
        let base = self.group(g);
        // SAFETY: `find_in_group` found slot i full; offsets inside the
        // group, aligned (GroupShape); refs live as long as `&self`.
        unsafe {
            let k = &*GroupShape::<K, V>::key_in(base.add(GroupShape::<K, V>::key_offset(i)));
            let v = &*GroupShape::<K, V>::elem_in(base.add(GroupShape::<K, V>::elem_offset(i)));
            (Some((k, v)), ctrl)
        }
    }

    /// Stores an entry in a slot that is not full and makes it full with
    /// control byte `h2`.
    #[inline]
    pub(crate) fn write(&mut self, (g, i): SlotRef, h2: u8, key: K, val: V) {
        assert!(h2 < CTRL_EMPTY, "control byte {h2:#x} is not an H2");
        assert!(!self.is_full((g, i)), "write to a full slot");
        let base = self.group(g);
        // SAFETY: the slot is not full, so its bytes hold nothing we would
        // leak or drop twice; they are in the group and aligned for K (or
        // *mut K) and V (or *mut V) by GroupShape. The control byte is set
        // last, and nothing between the writes panics.
        unsafe {
            write_held(
                base.add(GroupShape::<K, V>::key_offset(i)),
                key,
                GroupShape::<K, V>::INDIRECT_KEY,
            );
            write_held(
                base.add(GroupShape::<K, V>::elem_offset(i)),
                val,
                GroupShape::<K, V>::INDIRECT_ELEM,
            );
            *base.add(i & (BUCKET_CNT - 1)) = h2;
        }
    }

    /// Moves the entry out of a full slot, leaving `state` (`ctrlEmpty` or
    /// `ctrlDeleted`) in its control byte.
    #[inline]
    pub(crate) fn take(&mut self, (g, i): SlotRef, state: u8) -> (K, V) {
        assert!(
            state == CTRL_EMPTY || state == CTRL_DELETED,
            "control state {state:#x}"
        );
        let (kp, ep) = self.full_ptrs((g, i));
        // SAFETY: the slot is full (checked), so both are initialized;
        // marking it not full right after reading means they are never read
        // or dropped again. Indirect ones came from Box::into_raw.
        unsafe {
            let k = read_held(kp, GroupShape::<K, V>::INDIRECT_KEY);
            let v = read_held(ep, GroupShape::<K, V>::INDIRECT_ELEM);
            *self.group(g).add(i & (BUCKET_CNT - 1)) = state;
            (k, v)
        }
    }

    /// Moves a full slot's key and value bytes as they are (an indirect key
    /// or value moves its pointer: `typedmemmove` of the slot) into slot
    /// `to` of `dst`, which must not be full, and makes that full with
    /// control byte `h2`. The source slot keeps its control byte but no
    /// longer owns its bytes: its array must be given up with
    /// [`retire`](Self::retire) once every entry has moved.
    pub(crate) fn move_to(&self, from: SlotRef, dst: &mut Self, to: SlotRef, h2: u8) {
        assert!(h2 < CTRL_EMPTY, "control byte {h2:#x} is not an H2");
        assert!(self.is_full(from), "move from a slot that is not full");
        assert!(!dst.is_full(to), "move into a full slot");
        assert!(
            !Arc::ptr_eq(&self.storage, &dst.storage),
            "move within one array"
        );
        let (src, dst_g) = (self.group(from.0), dst.group(to.0));
        // SAFETY: both groups are in bounds and both slots < 8, so the key
        // and value offsets are inside them and aligned (GroupShape); the
        // two arrays are distinct allocations (checked), so the copies do
        // not overlap. The source slot is full: its bytes hold a key and
        // value (or their pointers); the destination was not full. From
        // here the destination owns them; the caller retires the source.
        unsafe {
            ptr::copy_nonoverlapping(
                src.add(GroupShape::<K, V>::key_offset(from.1)),
                dst_g.add(GroupShape::<K, V>::key_offset(to.1)),
                GroupShape::<K, V>::KEY_SIZE,
            );
            ptr::copy_nonoverlapping(
                src.add(GroupShape::<K, V>::elem_offset(from.1)),
                dst_g.add(GroupShape::<K, V>::elem_offset(to.1)),
                GroupShape::<K, V>::ELEM_SIZE,
            );
            *dst_g.add(to.1 & (BUCKET_CNT - 1)) = h2;
        }
    }

    /// Gives up an array whose entries have all moved to other arrays with
    /// [`move_to`](Self::move_to). If no iteration pins it, it is freed
    /// (owning nothing). If one does, `keys` — one clone of each moved key,
    /// with its slot, made before anything moved — go back into their
    /// slots, so the iteration can still read which keys the table held.
    pub(crate) fn retire(self, keys: Vec<(SlotRef, K)>) {
        if keys.is_empty() || Arc::strong_count(&self.storage) == 1 {
            // Dropping `keys` is dropping clones nobody needs.
            self.storage
                .holds
                .store(Holds::Nothing as u8, Ordering::Release);
            return;
        }
        for ((g, i), key) in keys {
            assert!(self.is_full((g, i)), "a kept key for an empty slot");
            // SAFETY: the slot is full, but its bytes moved on (the
            // caller's contract), so they own nothing: writing a key there
            // leaks nothing. In bounds and aligned as in `write`.
            unsafe {
                write_held(
                    self.group(g).add(GroupShape::<K, V>::key_offset(i)),
                    key,
                    GroupShape::<K, V>::INDIRECT_KEY,
                );
            }
        }
        self.storage
            .holds
            .store(Holds::Keys as u8, Ordering::Release);
    }

    /// Does an iteration hold this array (so that replacing it must leave
    /// keys behind)? The answer is `K::clone` to make them with.
    pub(crate) fn pinned_key_clone(&self) -> Option<fn(&K) -> K> {
        if Arc::strong_count(&self.storage) == 1 {
            return None;
        }
        Some(
            *self
                .storage
                .key_clone
                .get()
                .expect("a pinned table has a key clone"),
        )
    }

    /// A read-only handle that keeps this array's memory (and, once the
    /// table is replaced, its keys) alive for an iteration.
    pub(crate) fn pin(&self, key_clone: fn(&K) -> K) -> Pinned<K, V> {
        let _ = self.storage.key_clone.set(key_clone);
        Pinned {
            ptr: self.ptr,
            mask: self.mask,
            storage: Arc::clone(&self.storage),
        }
    }

    /// Is `pinned` a handle on this very array?
    pub(crate) fn is(&self, pinned: &Pinned<K, V>) -> bool {
        Arc::ptr_eq(&self.storage, &pinned.storage)
    }

    /// Drops every entry and empties every slot (`typedmemclr` of each
    /// group, `setEmpty`).
    pub(crate) fn clear(&mut self) {
        for g in 0..self.groups() {
            let mut full = self.ctrl(g).match_full();
            while !full.is_empty() {
                drop(self.take((g, full.pop_first()), CTRL_EMPTY));
            }
            // SAFETY: no slot is full now, so nothing is forgotten; the
            // control word is in bounds and aligned (see `ctrl`).
            unsafe { ptr::write(self.group(g) as *mut u64, CtrlWord::EMPTY.0) };
        }
    }

    /// A copy with the same control bytes (tombstones too) and clones of
    /// the entries (`cloneGroup`).
    pub(crate) fn clone_array(&self) -> Self
    where
        K: Clone,
        V: Clone,
    {
        let mut out = Self::new(self.groups());
        for g in 0..self.groups() {
            let ctrl = self.ctrl(g);
            for i in 0..BUCKET_CNT {
                let c = ctrl.get(i);
                if c < CTRL_EMPTY {
                    let (k, v) = self.entry((g, i));
                    out.write((g, i), c, k.clone(), v.clone());
                } else if c == CTRL_DELETED {
                    out.set_state((g, i), CTRL_DELETED);
                }
            }
        }
        out
    }
}

impl<K, V> Drop for GroupArray<K, V> {
    fn drop(&mut self) {
        // The entries are the map's: they go with it, even if an iteration
        // still pins the memory (it can no longer read it: it needs the
        // map). Emptied slots tell it so, should it look.
        if Arc::strong_count(&self.storage) > 1 && self.storage.holds() == Holds::Entries {
            self.clear();
        }
    }
}

/// An iteration's handle on a table's groups: reads only, while its caller
/// holds a shared borrow of the map the groups belong (or belonged) to.
pub(crate) struct Pinned<K, V> {
    ptr: NonNull<u8>,
    mask: usize,
    storage: Arc<Storage<K, V>>,
}

// SAFETY: a Pinned reads keys (`&K`) only, under a shared borrow of the
// map; it may move or be shared across threads when the Storage may.
unsafe impl<K, V> Send for Pinned<K, V> where Storage<K, V>: Send + Sync {}
// SAFETY: as above.
unsafe impl<K, V> Sync for Pinned<K, V> where Storage<K, V>: Send + Sync {}

impl<K, V> Pinned<K, V> {
    /// Group `g`'s control word.
    pub(crate) fn ctrl(&self, g: usize) -> CtrlWord {
        let g = g & self.mask;
        // SAFETY: g < groups: the group's control word, initialized and
        // aligned; the storage is alive (we hold an Arc). The map writes
        // control words only under `&mut`, which our caller's shared borrow
        // of the map excludes.
        CtrlWord(unsafe {
            ptr::read(self.ptr.as_ptr().add(g * GroupShape::<K, V>::SIZE) as *const u64)
        })
    }

    /// The key in full slot `(g, i)`, for a caller that holds a shared
    /// borrow of the map for `'m`.
    pub(crate) fn key(&self, (g, i): SlotRef) -> &K {
        assert!(self.ctrl(g).get(i) < CTRL_EMPTY, "slot not full");
        assert!(
            self.storage.holds() != Holds::Nothing,
            "pinned groups hold no keys"
        );
        let base = self
            .ptr
            .as_ptr()
            .wrapping_add((g & self.mask) * GroupShape::<K, V>::SIZE);
        // SAFETY: in bounds as in `ctrl`; the slot is full and the storage
        // holds its entries or its keys, so the key is initialized; it
        // stays put while the map is borrowed (only `&mut` map writes move
        // or drop keys, and a retired table's keys never change).
        unsafe { &*GroupShape::<K, V>::key_in(base.add(GroupShape::<K, V>::key_offset(i))) }
    }
}

/// Writes `x` into a slot: in place, or boxed with the box's pointer in the
/// slot when `boxed`.
///
/// # Safety
/// `slot` is in bounds, aligned for `X` (or for a pointer when `boxed`),
/// and owns nothing.
#[inline]
unsafe fn write_held<X>(slot: *mut u8, x: X, boxed: bool) {
    if boxed {
        // SAFETY: the caller's contract, for a pointer.
        unsafe { ptr::write(slot as *mut *mut X, Box::into_raw(Box::new(x))) };
    } else {
        // SAFETY: the caller's contract.
        unsafe { ptr::write(slot as *mut X, x) };
    }
}

/// Reads an `X` out of what a slot holds (see [`held_in`]).
///
/// # Safety
/// `p` is what `held_in` gave for a full slot; it is not read or dropped
/// again.
#[inline]
unsafe fn read_held<X>(p: *mut X, boxed: bool) -> X {
    if boxed {
        // SAFETY: a box we leaked in `write_held`, taken back once.
        *unsafe { Box::from_raw(p) }
    } else {
        // SAFETY: initialized, read once.
        unsafe { ptr::read(p) }
    }
}
