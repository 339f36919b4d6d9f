//! The checkers: the tri-color invariants each barrier promises, and an
//! independent reachability oracle (chapter 8.2 of the notes: 强三色不变式,
//! 弱三色不变式, and what breaking both costs).
//!
//! - Strong: no black object points to a white one. [`Barrier::Dijkstra`](crate::Barrier::Dijkstra)
//!   keeps it on the heap and globals; its stacks are unbarriered, so it
//!   holds them grey until the re-scan and the check leaves them out.
//! - Weak: every white object a black holder (object, stack or global
//!   block) points to is reachable from a grey holder through white
//!   objects. The deletion and hybrid barriers keep it.
//! - The oracle walks the roots and pointer fields itself — no mark bits,
//!   no colours — and reports a lost object: a reachable pointer whose
//!   object was freed, or, once marking has ended, a reachable object left
//!   white (sweep will free it).
//!
//! Every check walks the whole heap: they are for tests, the explorer and
//! [`Heap::with_checks`], not for production heaps.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

use crate::barrier::Invariant;
use crate::colour::{Colour, Greys};
use crate::cycle::Phase;
use crate::handle::Ptr;
use crate::heap::Heap;
use crate::roots::Mutator;
use crate::span::split_index;

/// Where a pointer is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Holder {
    /// Global number `.0`.
    Global(usize),
    /// Slot `slot` of a mutator's stack.
    Stack {
        /// The mutator.
        mutator: Mutator,
        /// The slot, from the bottom.
        slot: usize,
    },
    /// A pointer field of an object.
    Field {
        /// The object.
        object: Ptr,
        /// The field's name.
        name: &'static str,
    },
}

impl Holder {
    /// The object or root the pointer is in: `o4`, `g1`, `global0`.
    pub fn owner(self) -> String {
        match self {
            Holder::Global(i) => format!("global{i}"),
            Holder::Stack { mutator, .. } => mutator.to_string(),
            Holder::Field { object, .. } => object.to_string(),
        }
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Holder::Global(i) => write!(f, "global{i}"),
            Holder::Stack { mutator, slot } => write!(f, "{mutator}[{slot}]"),
            Holder::Field { object, name } => write!(f, "{object}.{name}"),
        }
    }
}

/// A pointer: who holds it, and what it points to. Displayed `o1.next->o2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Edge {
    /// Where the pointer is.
    pub from: Holder,
    /// Its object.
    pub to: Ptr,
}

impl fmt::Display for Edge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}->{}", self.from, self.to)
    }
}

/// A broken promise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Violation {
    /// The strong invariant: a black holder points to a white object.
    BlackToWhite(Edge),
    /// The weak invariant: a black holder points to a white object that no
    /// grey holder reaches through white objects — the collector will not
    /// find it.
    Hidden(Edge),
    /// A reachable object was freed (`freed`), or is white after marking
    /// ended and its span's sweep will free it. `by` is a pointer to it from
    /// the reachable graph.
    Lost {
        /// A reachable pointer to the object.
        by: Edge,
        /// Already freed, rather than about to be.
        freed: bool,
    },
}

impl Violation {
    /// The object the violation is about.
    pub fn object(&self) -> Ptr {
        match *self {
            Violation::BlackToWhite(e) | Violation::Hidden(e) | Violation::Lost { by: e, .. } => {
                e.to
            }
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Violation::BlackToWhite(e) => write!(
                f,
                "gogc: strong tri-color invariant broken: black {} points to white {} ({e})",
                e.from.owner(),
                e.to
            ),
            Violation::Hidden(e) => write!(
                f,
                "gogc: weak tri-color invariant broken: black {} points to white {} ({e}) \
                 and no grey object reaches {} through white objects",
                e.from.owner(),
                e.to,
                e.to
            ),
            Violation::Lost { by, freed: true } => write!(
                f,
                "gogc: lost object {}: freed while reachable ({by})",
                by.to
            ),
            Violation::Lost { by, freed: false } => write!(
                f,
                "gogc: lost object {}: reachable ({by}) but white when marking ended; \
                 sweep will free it",
                by.to
            ),
        }
    }
}

impl std::error::Error for Violation {}

/// What the oracle found reachable, each object with the first pointer that
/// reached it, and the reachable pointers whose objects are gone.
#[derive(Clone, Debug, Default)]
pub struct Reachability {
    reached: BTreeMap<Ptr, Edge>,
    dangling: Vec<Edge>,
}

impl Reachability {
    /// Whether `ptr`'s object is reachable.
    pub fn contains(&self, ptr: Ptr) -> bool {
        self.reached.contains_key(&ptr)
    }

    /// The pointer through which the walk first reached `ptr`.
    pub fn reached_by(&self, ptr: Ptr) -> Option<Edge> {
        self.reached.get(&ptr).copied()
    }

    /// The reachable objects, in slot order.
    pub fn objects(&self) -> impl Iterator<Item = Ptr> + '_ {
        self.reached.keys().copied()
    }

    /// How many objects are reachable.
    pub fn len(&self) -> usize {
        self.reached.len()
    }

    /// Whether nothing is reachable.
    pub fn is_empty(&self) -> bool {
        self.reached.is_empty()
    }

    /// Reachable pointers whose objects were freed.
    pub fn dangling(&self) -> &[Edge] {
        &self.dangling
    }
}

impl Heap {
    /// Every pointer held by a root: globals, then each live stack.
    pub fn root_edges(&self) -> Vec<Edge> {
        let globals = self.globals.iter().enumerate().filter_map(|(i, p)| {
            p.map(|to| Edge {
                from: Holder::Global(i),
                to,
            })
        });
        let stacks = self.stacks.iter().enumerate().flat_map(|(m, stack)| {
            let mutator = Mutator::from_index(m);
            stack.slots.iter().enumerate().filter_map(move |(slot, p)| {
                p.map(|to| Edge {
                    from: Holder::Stack { mutator, slot },
                    to,
                })
            })
        });
        globals.chain(stacks).collect()
    }

    /// The non-nil pointer fields of a live object.
    fn fields_of(&self, obj: Ptr) -> impl Iterator<Item = Edge> + '_ {
        self.pointers(obj)
            .into_iter()
            .enumerate()
            .filter_map(move |(field, p)| {
                p.map(|to| Edge {
                    from: Holder::Field {
                        object: obj,
                        name: self.field_name(obj, field),
                    },
                    to,
                })
            })
    }

    /// Every non-nil pointer field of every live object.
    pub fn object_edges(&self) -> Vec<Edge> {
        self.objects().flat_map(|p| self.fields_of(p)).collect()
    }

    /// The oracle: what the roots reach through pointer fields, walked
    /// without looking at mark bits.
    pub fn reachability(&self) -> Reachability {
        let mut found = Reachability::default();
        let mut todo = Vec::new();
        let reach = |edge: Edge, found: &mut Reachability, todo: &mut Vec<Ptr>| {
            if self.check_handle(edge.to).is_err() {
                found.dangling.push(edge);
            } else if let Entry::Vacant(slot) = found.reached.entry(edge.to) {
                slot.insert(edge);
                todo.push(edge.to);
            }
        };
        for edge in self.root_edges() {
            reach(edge, &mut found, &mut todo);
        }
        while let Some(obj) = todo.pop() {
            for edge in self.fields_of(obj) {
                reach(edge, &mut found, &mut todo);
            }
        }
        found
    }

    /// No reachable object has been freed, and — once marking has ended —
    /// none is white in a span still to be swept.
    pub fn verify_reachable(&self) -> Result<(), Violation> {
        let oracle = self.reachability();
        if let Some(&by) = oracle.dangling.first() {
            return Err(Violation::Lost { by, freed: true });
        }
        if self.phase() == Phase::Sweep {
            for (&obj, &by) in &oracle.reached {
                let (s, offset) = split_index(obj.index());
                let span = &self.spans[s];
                if span.sweepgen != self.gc.sweepgen && !span.is_marked(offset) {
                    return Err(Violation::Lost { by, freed: false });
                }
            }
        }
        Ok(())
    }

    /// The invariant this heap's barrier promises ([`Barrier::invariant`](crate::Barrier::invariant)),
    /// while marking; `Ok` otherwise and for [`Barrier::None`](crate::Barrier::None).
    pub fn verify_invariant(&self) -> Result<(), Violation> {
        match self.gc.barrier.invariant() {
            _ if !self.gc.marking => Ok(()),
            None => Ok(()),
            Some(Invariant::Strong) => match self.black_to_white(false).first() {
                Some(&edge) => Err(Violation::BlackToWhite(edge)),
                None => Ok(()),
            },
            Some(Invariant::Weak) => match self.hidden().first() {
                Some(&edge) => Err(Violation::Hidden(edge)),
                None => Ok(()),
            },
        }
    }

    /// Both checks: the invariant, then the oracle.
    pub fn verify(&self) -> Result<(), Violation> {
        self.verify_invariant()?;
        self.verify_reachable()
    }

    /// Runs the checks after an operation when the heap was built
    /// [`with_checks`](Heap::with_checks).
    #[inline]
    pub(crate) fn after_op(&self) {
        if self.checked {
            let slots: usize = self.stacks.iter().map(|s| s.slots.len()).sum();
            assert_eq!(self.stack_slots, slots, "gogc: stack slot count drifted");
            if let Err(v) = self.verify() {
                panic!("{v}");
            }
        }
    }

    /// Pointers from black holders to live white objects, while marking.
    /// `with_stacks` counts scanned stacks as black holders (Dijkstra's
    /// collector does not: it re-scans them).
    pub fn black_to_white(&self, with_stacks: bool) -> Vec<Edge> {
        if !self.gc.marking {
            return Vec::new();
        }
        let greys = self.greys();
        let white = |p: Ptr| self.is_live(p) && self.colour_in(&greys, p) == Colour::White;
        self.black_edges(&greys, with_stacks)
            .into_iter()
            .filter(|e| white(e.to))
            .collect()
    }

    /// The pointers the weak invariant forbids: from a black holder to a
    /// white object that no grey holder reaches through white objects.
    pub fn hidden(&self) -> Vec<Edge> {
        if !self.gc.marking {
            return Vec::new();
        }
        let greys = self.greys();
        let white = |p: Ptr| self.is_live(p) && self.colour_in(&greys, p) == Colour::White;
        // White objects reachable from a grey holder through white objects.
        let mut protected = HashSet::new();
        let mut todo: Vec<Ptr> = Vec::new();
        let mut from_grey: Vec<Ptr> = Vec::new();
        for &g in greys.candidates() {
            if self.is_live(g) && self.colour_in(&greys, g) == Colour::Grey {
                from_grey.extend(self.pointers(g).iter().flatten());
            }
        }
        for edge in self.root_edges() {
            if self.holder_colour(&greys, edge.from) == Colour::Grey {
                from_grey.push(edge.to);
            }
        }
        for p in from_grey {
            if white(p) && protected.insert(p) {
                todo.push(p);
            }
        }
        while let Some(w) = todo.pop() {
            for &p in self.pointers(w).iter().flatten() {
                if white(p) && protected.insert(p) {
                    todo.push(p);
                }
            }
        }
        self.black_edges(&greys, true)
            .into_iter()
            .filter(|e| white(e.to) && !protected.contains(&e.to))
            .collect()
    }

    /// Every pointer held by a black object, a scanned global block and,
    /// `with_stacks`, a scanned stack.
    fn black_edges(&self, greys: &Greys<'_>, with_stacks: bool) -> Vec<Edge> {
        let objects = self
            .objects()
            .filter(|&p| self.colour_in(greys, p) == Colour::Black)
            .flat_map(|p| self.fields_of(p));
        let roots = self.root_edges().into_iter().filter(|e| {
            self.holder_colour(greys, e.from) == Colour::Black
                && (with_stacks || !matches!(e.from, Holder::Stack { .. }))
        });
        objects.chain(roots).collect()
    }

    /// The colour of a root holder while marking.
    fn holder_colour(&self, greys: &Greys<'_>, holder: Holder) -> Colour {
        match holder {
            Holder::Global(i) => self.global_colour(i),
            Holder::Stack { mutator, .. } => self.stack_colour(mutator),
            Holder::Field { object, .. } => self.colour_in(greys, object),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::Barrier;

    #[test]
    fn barrier_invariants() {
        assert_eq!(Barrier::Dijkstra.invariant(), Some(Invariant::Strong));
        assert_eq!(Barrier::HybridGo.invariant(), Some(Invariant::Weak));
        assert_eq!(Barrier::None.invariant(), None);
    }
}
