//! Colours (chapter 8.2 of the notes, 三色标记法): which objects are white,
//! grey and black right now, and a `Display` of a small heap's colours,
//! roots and edges — the text form of the notes' figures, which the schedule
//! explorer prints after every step of a story.
//!
//! The colour of an object follows from Go's state, not from a colour
//! field: white = mark bit clear (and not waiting in the write barrier
//! buffer); grey = marked and queued for scanning, or waiting in the buffer;
//! black = marked and scanned (or noscan, or allocated black). A stack is
//! grey until the collector scans it in the current cycle, black after.

use std::collections::HashSet;
use std::fmt;

use crate::handle::Ptr;
use crate::heap::Heap;
use crate::roots::{GLOBALS_PER_ROOT_JOB, Mutator};
use crate::span::split_index;
use crate::sync::MutexGuard;

/// A tri-color abstraction colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Colour {
    /// Not (yet) reached by the collector: freed by sweep if still white
    /// when marking ends.
    White,
    /// Reached, its pointers not yet scanned.
    Grey,
    /// Reached and scanned.
    Black,
}

impl Colour {
    /// `white`, `grey` or `black`.
    pub fn name(self) -> &'static str {
        match self {
            Colour::White => "white",
            Colour::Grey => "grey",
            Colour::Black => "black",
        }
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The grey set, computed once for many colour questions: the objects
/// queued for scanning (marked) and those waiting in the write barrier
/// buffer (marked or not: a buffered object that is already marked is
/// whatever its mark and queue make it).
pub(crate) struct Greys<'a> {
    queued: HashSet<Ptr>,
    buffered: HashSet<Ptr>,
    /// The mark worker, paused between batches while the set is in use:
    /// the colours hold still.
    _paused: Option<MutexGuard<'a, crate::worker::State>>,
}

impl Greys<'_> {
    /// Every grey object's pointer: queued ones and buffered unmarked ones
    /// (filtered by the caller's colour test), and buffered marked ones.
    pub(crate) fn candidates(&self) -> impl Iterator<Item = &Ptr> {
        self.queued.iter().chain(&self.buffered)
    }
}

impl Heap {
    pub(crate) fn greys(&self) -> Greys<'_> {
        let paused = self.gc.worker.as_ref().map(|w| w.lock());
        let shared = paused.iter().flat_map(|state| state.grey.iter());
        Greys {
            queued: self.gc.grey.iter().chain(shared).copied().collect(),
            buffered: self.gc.wb_buf.entries().iter().copied().collect(),
            _paused: paused,
        }
    }

    /// The colour of a live object, given the grey set.
    pub(crate) fn colour_in(&self, greys: &Greys<'_>, ptr: Ptr) -> Colour {
        let (s, offset) = split_index(ptr.index());
        if self.spans[s].is_marked(offset) {
            if greys.queued.contains(&ptr) {
                Colour::Grey
            } else {
                Colour::Black
            }
        } else if greys.buffered.contains(&ptr) {
            Colour::Grey
        } else {
            Colour::White
        }
    }

    /// The colour of a live object now. Between cycles every object is
    /// white; after mark termination, until sweep reaches it, an object is
    /// black if marked and white (doomed) if not.
    ///
    /// # Panics
    /// If its object was freed.
    pub fn colour(&self, obj: impl Into<Ptr>) -> Colour {
        let obj = obj.into();
        self.expect_live(obj);
        self.colour_in(&self.greys(), obj)
    }

    /// The colour of `m`'s stack: grey while marking and not yet scanned,
    /// black once scanned, white outside marking.
    pub fn stack_colour(&self, m: Mutator) -> Colour {
        if !self.gc.marking {
            Colour::White
        } else if self.stacks[m.index()].scanned == self.gc.cycle {
            Colour::Black
        } else {
            Colour::Grey
        }
    }

    /// The colour of the global at `index` (its block's): grey while
    /// marking and its block not yet scanned, black once scanned — and for
    /// globals created while marking, which start nil and are barriered —
    /// white outside marking.
    pub fn global_colour(&self, index: usize) -> Colour {
        let block = index / GLOBALS_PER_ROOT_JOB;
        if !self.gc.marking {
            Colour::White
        } else if block < self.gc.global_blocks && self.gc.globals_scanned[block] != self.gc.cycle {
            Colour::Grey
        } else {
            Colour::Black
        }
    }

    /// A `Display` of the heap's colours: `{}` prints one line, objects by
    /// colour; `{:#}` adds the roots (stacks and globals, with their
    /// colours) and every pointer edge. Meant for small heaps: each list
    /// stops after [`Colours::LIMIT`] entries.
    ///
    /// ```
    /// use gogc::{Barrier, Heap, Object};
    ///
    /// struct N;
    /// impl Object for N { const POINTER_FIELDS: &'static [&'static str] = &["next"]; }
    ///
    /// let mut heap = Heap::new(Barrier::HybridGo);
    /// let g = heap.new_mutator();
    /// let a = heap.alloc(g, N);
    /// let b = heap.alloc(g, N);
    /// heap.store_ptr(g, a, 0, b);
    /// heap.pop(g);
    /// heap.gc_start();
    /// heap.gc_step(); // scan g0's stack: o1 grey
    /// assert_eq!(heap.colours().to_string(), "white: o2  grey: o1  black: -");
    /// assert_eq!(
    ///     format!("{:#}", heap.colours()),
    ///     "white: o2  grey: o1  black: -\n\
    ///      roots: g0 black [o1]\n\
    ///      edges: o1.next->o2"
    /// );
    /// ```
    pub fn colours(&self) -> Colours<'_> {
        Colours { heap: self }
    }
}

/// See [`Heap::colours`].
#[derive(Clone, Copy)]
pub struct Colours<'a> {
    heap: &'a Heap,
}

impl fmt::Debug for Colours<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Colours<'_> {
    /// Entries listed per colour, root or edge list before `…`.
    pub const LIMIT: usize = 48;
}

/// Writes up to `Colours::LIMIT` items, then how many were left out.
fn write_list<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    sep: &str,
    items: impl Iterator<Item = T>,
) -> fmt::Result {
    let mut n = 0;
    for item in items {
        if n < Colours::LIMIT {
            if n > 0 {
                f.write_str(sep)?;
            }
            write!(f, "{item}")?;
        }
        n += 1;
    }
    match n {
        0 => f.write_str("-"),
        n if n > Colours::LIMIT => write!(f, "{sep}… ({} more)", n - Colours::LIMIT),
        _ => Ok(()),
    }
}

/// A stack or global slot's content: the object, or `nil`.
struct Slot(Option<Ptr>);

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(p) => write!(f, "{p}"),
            None => f.write_str("nil"),
        }
    }
}

impl fmt::Display for Colours<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let heap = self.heap;
        let greys = heap.greys();
        let coloured: Vec<(Ptr, Colour)> = heap
            .objects()
            .map(|p| (p, heap.colour_in(&greys, p)))
            .collect();
        for (i, colour) in [Colour::White, Colour::Grey, Colour::Black]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                f.write_str("  ")?;
            }
            write!(f, "{colour}: ")?;
            let of_colour = coloured.iter().filter(|(_, c)| *c == colour);
            write_list(f, " ", of_colour.map(|(p, _)| p))?;
        }
        if !f.alternate() {
            return Ok(());
        }
        f.write_str("\nroots: ")?;
        let stacks = (0..heap.stacks.len())
            .map(Mutator::from_index)
            .filter(|&m| !heap.stacks[m.index()].exited)
            .map(|m| RootList {
                name: m.to_string(),
                colour: heap.gc.marking.then(|| heap.stack_colour(m)),
                slots: &heap.stacks[m.index()].slots,
            });
        let globals = (!heap.globals.is_empty()).then(|| RootList {
            name: "globals".to_owned(),
            colour: heap.gc.marking.then(|| heap.global_colour(0)),
            slots: &heap.globals,
        });
        write_list(f, "  ", stacks.chain(globals))?;
        f.write_str("\nedges: ")?;
        let edges = heap.object_edges();
        write_list(f, " ", edges.iter())
    }
}

/// One root list in the display: `g0 black [o1 nil]`.
struct RootList<'a> {
    name: String,
    colour: Option<Colour>,
    slots: &'a [Option<Ptr>],
}

impl fmt::Display for RootList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(colour) = self.colour {
            write!(f, " {colour}")?;
        }
        if self.slots.is_empty() {
            return f.write_str(" []");
        }
        f.write_str(" [")?;
        write_list(f, " ", self.slots.iter().map(|&p| Slot(p)))?;
        f.write_str("]")
    }
}
