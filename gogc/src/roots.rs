//! Roots as Go has them (chapter 8.1 of the notes, 根对象): globals, and
//! one stack of pointers per mutator (goroutine).
//!
//! A [`Mutator`] is an explicit goroutine: its stack is a vector of pointer
//! slots — the frames' pointer variables, as a stack map would list them.
//! Pushes, pops and slot writes are not barriered, because Go does not
//! barrier stack writes; that is what makes the stack protocols of
//! [`Barrier`](crate::Barrier) necessary. Globals are barriered, as Go's are
//! (`runtime/mbarrier.go`, "Global writes"), and scanned once per cycle in
//! blocks (`markrootBlock`).
//!
//! The rule Go's compiler enforces for free, and the model asks of its
//! user: a mutator's stack receives only pointers that mutator got itself —
//! from an allocation, a load, a global or its own stack. A pointer passes
//! from one mutator to another through the heap (a field or a global), as
//! it does in Go through a channel.

use std::fmt;
use std::marker::PhantomData;

use crate::handle::{Gc, Ptr};
use crate::heap::Heap;
use crate::object::Object;

/// A mutator: a goroutine with its own root stack. Displayed `g0`, `g1`, …
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mutator(u32);

impl Mutator {
    pub(crate) fn from_index(i: usize) -> Mutator {
        Mutator(u32::try_from(i).expect("gogc: too many mutators"))
    }

    /// Its number, in creation order.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for Mutator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "g{}", self.0)
    }
}

/// A global pointer variable holding a `T` (Go's data/bss pointer words).
pub struct Global<T> {
    index: u32,
    _type: PhantomData<fn() -> T>,
}

impl<T> Global<T> {
    /// Its number, in creation order.
    pub fn index(self) -> usize {
        self.index as usize
    }
}

impl<T> Clone for Global<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Global<T> {}

impl<T> fmt::Debug for Global<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "global{}", self.index)
    }
}

/// Globals are scanned in blocks of this many slots, one root job each
/// (Go: `rootBlockBytes`, 256 KiB of data or bss per job).
pub const GLOBALS_PER_ROOT_JOB: usize = 512;

/// Something that can be stored in a pointer slot: a handle, typed or not,
/// or nil.
pub trait IntoPtr {
    /// The untyped pointer, `None` for nil.
    fn into_ptr(self) -> Option<Ptr>;
}

impl IntoPtr for Ptr {
    fn into_ptr(self) -> Option<Ptr> {
        Some(self)
    }
}

impl IntoPtr for Option<Ptr> {
    fn into_ptr(self) -> Option<Ptr> {
        self
    }
}

impl<T> IntoPtr for Gc<T> {
    fn into_ptr(self) -> Option<Ptr> {
        Some(self.ptr())
    }
}

impl<T> IntoPtr for Option<Gc<T>> {
    fn into_ptr(self) -> Option<Ptr> {
        self.map(Gc::ptr)
    }
}

/// One mutator's root stack.
#[derive(Debug, Default)]
pub(crate) struct Stack {
    pub(crate) slots: Vec<Option<Ptr>>,
    /// The cycle in which the collector last scanned this stack (black from
    /// then until the cycle ends); 0 before the first.
    pub(crate) scanned: u32,
    pub(crate) exited: bool,
    /// `g.gcAssistBytes`: allocation bytes this mutator has paid for with
    /// mark work this cycle; negative is a debt to assist.
    pub(crate) assist_bytes: i64,
}

impl Heap {
    /// Starts a mutator (`go f()`) with an empty stack. One started while
    /// the collector marks begins black, as a new goroutine does in Go: it
    /// holds no pointers yet, and what it gets later comes through the
    /// barrier or is allocated black (`gcPrepareMarkRoots`: "Gs may be
    /// created after this point").
    pub fn new_mutator(&mut self) -> Mutator {
        let id = Mutator::from_index(self.stacks.len());
        let scanned = if self.gc.marking { self.gc.cycle } else { 0 };
        self.stacks.push(Stack {
            scanned,
            ..Stack::default()
        });
        id
    }

    /// Ends a mutator: its stack is gone, and with it whatever only it
    /// pointed to.
    #[track_caller]
    pub fn exit(&mut self, m: Mutator) {
        let stack = self.stack_mut(m);
        let gone = std::mem::take(&mut stack.slots).len();
        stack.exited = true;
        self.stack_slots -= gone;
        self.after_op();
    }

    /// How many mutators have been started (exited ones included).
    pub fn mutators(&self) -> usize {
        self.stacks.len()
    }

    #[inline]
    #[track_caller]
    pub(crate) fn stack_ref(&self, m: Mutator) -> &Stack {
        let stack = &self.stacks[m.index()];
        if stack.exited {
            exited(m);
        }
        stack
    }

    #[inline]
    #[track_caller]
    fn stack_mut(&mut self, m: Mutator) -> &mut Stack {
        let stack = &mut self.stacks[m.index()];
        if stack.exited {
            exited(m);
        }
        stack
    }

    /// Whether the collector has scanned `m`'s stack in the current cycle
    /// (a black stack); `false` outside a cycle.
    pub fn stack_is_scanned(&self, m: Mutator) -> bool {
        self.gc.marking && self.stacks[m.index()].scanned == self.gc.cycle
    }

    /// Pushes a pointer (or nil) on `m`'s stack: a new pointer variable.
    /// No barrier.
    ///
    /// # Panics
    /// If the handle's object was freed.
    #[track_caller]
    pub fn push(&mut self, m: Mutator, value: impl IntoPtr) {
        let value = value.into_ptr();
        self.expect_live_or_nil(value);
        self.stack_mut(m).slots.push(value);
        self.stack_slots += 1;
        self.after_op();
    }

    /// Pops the top of `m`'s stack: the variable goes out of scope.
    ///
    /// # Panics
    /// If the stack is empty.
    #[inline]
    #[track_caller]
    pub fn pop(&mut self, m: Mutator) -> Option<Ptr> {
        let Some(top) = self.stack_mut(m).slots.pop() else {
            panic!("gogc: pop from {m}'s empty stack");
        };
        self.stack_slots -= 1;
        self.after_op();
        top
    }

    /// `m`'s stack, bottom first.
    #[track_caller]
    pub fn stack(&self, m: Mutator) -> &[Option<Ptr>] {
        &self.stack_ref(m).slots
    }

    /// Overwrites slot `i` of `m`'s stack. No barrier.
    ///
    /// # Panics
    /// If there is no slot `i`, or the handle's object was freed.
    #[track_caller]
    pub fn set_stack(&mut self, m: Mutator, i: usize, value: impl IntoPtr) {
        let value = value.into_ptr();
        self.expect_live_or_nil(value);
        let stack = self.stack_mut(m);
        let len = stack.slots.len();
        let Some(slot) = stack.slots.get_mut(i) else {
            panic!("gogc: {m}'s stack has no slot {i} (length {len})");
        };
        *slot = value;
        self.after_op();
    }

    /// Drops `m`'s stack slots from `len` up: a function returns.
    #[track_caller]
    pub fn truncate(&mut self, m: Mutator, len: usize) {
        let slots = &mut self.stack_mut(m).slots;
        let gone = slots.len().saturating_sub(len);
        slots.truncate(len);
        self.stack_slots -= gone;
        self.after_op();
    }

    /// A new global variable holding a `T`, nil.
    pub fn new_global<T: Object>(&mut self) -> Global<T> {
        let index = u32::try_from(self.globals.len()).expect("gogc: too many globals");
        self.globals.push(None);
        Global {
            index,
            _type: PhantomData,
        }
    }

    /// Loads a global. No barrier.
    pub fn global<T: Object>(&self, g: Global<T>) -> Option<Gc<T>> {
        self.globals[g.index()].map(Gc::from_ptr)
    }

    /// All globals, by index.
    pub fn globals(&self) -> &[Option<Ptr>] {
        &self.globals
    }

    /// Stores to a global, through the write barrier (Go barriers globals
    /// so that it need not re-scan them in mark termination).
    ///
    /// # Panics
    /// If the handle's object was freed.
    #[track_caller]
    pub fn set_global<T: Object>(&mut self, m: Mutator, g: Global<T>, value: Option<Gc<T>>) {
        self.set_global_ptr(m, g.index(), value)
    }

    /// [`set_global`](Heap::set_global) by index, with an untyped pointer.
    #[track_caller]
    pub fn set_global_ptr(&mut self, m: Mutator, index: usize, value: impl IntoPtr) {
        let value = value.into_ptr();
        self.expect_live_or_nil(value);
        self.stack_ref(m);
        let old = self.globals[index];
        self.write_barrier(m, old, value);
        self.globals[index] = value;
        self.after_op();
    }
}

/// Panics for a mutator used after [`Heap::exit`], out of the hot paths.
#[cold]
#[inline(never)]
#[track_caller]
fn exited(m: Mutator) -> ! {
    panic!("gogc: mutator {m} has exited")
}
