//! The explorer's programs: mutator steps and collector steps over a small
//! heap, their random generation (a proptest strategy, so failures shrink),
//! and their execution with the checkers run after every step.
//!
//! Every operand is a small number reduced modulo what exists when the
//! step runs (the mutator, the stack slot, the field), and a step that
//! cannot run (an empty stack, a nil pointer) does nothing. So every
//! program is valid, and so is every program proptest shrinks it to.

use std::fmt::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};

use proptest::prelude::*;

use crate::{Barrier, Heap, Mutator, Object, Ptr, Violation};

/// The explorer's objects: two pointer fields, `l` and `r`.
#[derive(Debug)]
pub struct Node;

impl Object for Node {
    const POINTER_FIELDS: &'static [&'static str] = &["l", "r"];
}

/// At most this many objects live at once: stories stay small.
pub const MAX_OBJECTS: usize = 10;

/// An initial heap has at most this many objects.
pub const MAX_INITIAL: usize = 4;

/// One step of a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Mutator `m` allocates a [`Node`] and pushes it.
    Alloc {
        /// The mutator.
        m: u8,
    },
    /// Mutator `m` pushes `stack[obj].field`; with `take`, then sets the
    /// field to nil (`p := o.f; o.f = nil`).
    Load {
        /// The mutator.
        m: u8,
        /// The stack slot holding the object.
        obj: u8,
        /// The field.
        field: u8,
        /// Unlink the field after loading it.
        take: bool,
    },
    /// Mutator `m` stores `stack[value]` (or nil) in `stack[obj].field`;
    /// with `moved`, then clears the value's stack slot (`o.f = p; p =
    /// nil`: the variable's last use).
    Store {
        /// The mutator.
        m: u8,
        /// The stack slot holding the object written to.
        obj: u8,
        /// The field.
        field: u8,
        /// The stack slot holding the value, or nil.
        value: Option<u8>,
        /// Clear the value's stack slot afterwards.
        moved: bool,
    },
    /// Mutator `m` pushes global `g`; with `take`, then sets it to nil.
    LoadGlobal {
        /// The mutator.
        m: u8,
        /// The global.
        g: u8,
        /// Unlink the global after loading it.
        take: bool,
    },
    /// Mutator `m` stores `stack[value]` (or nil) in global `g`; with
    /// `moved`, then clears the value's stack slot.
    StoreGlobal {
        /// The mutator.
        m: u8,
        /// The global.
        g: u8,
        /// The stack slot holding the value, or nil.
        value: Option<u8>,
        /// Clear the value's stack slot afterwards.
        moved: bool,
    },
    /// Mutator `m` pops its stack.
    Pop {
        /// The mutator.
        m: u8,
    },
    /// Mutator `m` sets stack slot `slot` to nil.
    Clear {
        /// The mutator.
        m: u8,
        /// The slot.
        slot: u8,
    },
    /// One collector step: start a cycle if none runs; while marking, the
    /// `pick`-th pending unit of work (any root job or grey object, in any
    /// order), or `gcMarkDone` when none is left; then one span of sweep.
    Collect {
        /// Which pending work to do.
        pick: u8,
    },
}

/// An object of the initial heap: where its fields point, as object
/// numbers (modulo the object count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Field `l`'s target.
    pub l: Option<u8>,
    /// Field `r`'s target.
    pub r: Option<u8>,
}

/// The heap when the cycle begins: its objects and their pointers, each
/// mutator's stack and the globals, as object numbers. Objects the roots do
/// not reach are left out: no mutator could ever see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InitialHeap {
    /// The objects, numbered from 0 (displayed from `o1`).
    pub objects: Vec<Shape>,
    /// One stack per mutator (1 to 3), bottom first.
    pub stacks: Vec<Vec<u8>>,
    /// The globals (0 to 2).
    pub globals: Vec<Option<u8>>,
}

impl InitialHeap {
    /// The numbers of the objects the roots reach, in order.
    fn reachable(&self) -> Vec<usize> {
        let n = self.objects.len();
        let index = |t: u8| usize::from(t) % n;
        let mut seen = vec![false; n];
        let mut todo: Vec<usize> = self.stacks.iter().flatten().map(|&t| index(t)).collect();
        todo.extend(self.globals.iter().flatten().map(|&t| index(t)));
        while let Some(i) = todo.pop() {
            if !std::mem::replace(&mut seen[i], true) {
                let shape = self.objects[i];
                todo.extend([shape.l, shape.r].into_iter().flatten().map(index));
            }
        }
        (0..n).filter(|&i| seen[i]).collect()
    }
}

/// A program: the heap when the cycle begins, the write barrier buffer's
/// size, and the steps once it has begun. After the last step the
/// collector finishes the cycle in progress (a `Collect` step after a
/// cycle's sweep starts another).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// The heap before the collector starts.
    pub heap: InitialHeap,
    /// Write barrier buffer entries, 1 to 4 (small, so flushes happen mid
    /// mark as well as in `gcMarkDone`).
    pub wb_buf_entries: u8,
    /// The steps.
    pub steps: Vec<Step>,
}

/// The strategy for one mutator step, each kind of step weighted by
/// `weights` (allocate, load, store, load global, store global, pop,
/// clear).
pub fn mutator_step(weights: [u32; 7]) -> impl Strategy<Value = Step> {
    let m = any::<u8>;
    prop_oneof![
        weights[0] => m().prop_map(|m| Step::Alloc { m }),
        weights[1] => (m(), any::<u8>(), any::<u8>(), any::<bool>())
            .prop_map(|(m, obj, field, take)| Step::Load { m, obj, field, take }),
        weights[2] => (m(), any::<u8>(), any::<u8>(), prop::option::weighted(0.6, any::<u8>()), any::<bool>())
            .prop_map(|(m, obj, field, value, moved)| Step::Store { m, obj, field, value, moved }),
        weights[3] => (m(), any::<u8>(), any::<bool>()).prop_map(|(m, g, take)| Step::LoadGlobal { m, g, take }),
        weights[4] => (m(), any::<u8>(), prop::option::weighted(0.6, any::<u8>()), any::<bool>())
            .prop_map(|(m, g, value, moved)| Step::StoreGlobal { m, g, value, moved }),
        weights[5] => m().prop_map(|m| Step::Pop { m }),
        weights[6] => (m(), any::<u8>()).prop_map(|(m, slot)| Step::Clear { m, slot }),
    ]
}

/// The strategy for one step of a cycle: a mutator step, or a collector
/// step with weight `collect` against the mutator steps' 8.
pub fn step(weights: [u32; 7], collect: u32) -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => mutator_step(weights),
        collect => any::<u8>().prop_map(|pick| Step::Collect { pick }),
    ]
}

/// The strategy for an initial heap of up to [`MAX_INITIAL`] objects.
pub fn initial_heap() -> impl Strategy<Value = InitialHeap> {
    let target = || prop::option::weighted(0.7, any::<u8>());
    let shape = (target(), target()).prop_map(|(l, r)| Shape { l, r });
    (
        prop::collection::vec(shape, 1..=MAX_INITIAL),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..=3), 1..=2),
        prop::collection::vec(prop::option::weighted(0.7, any::<u8>()), 0..=2),
    )
        .prop_map(|(objects, stacks, globals)| InitialHeap {
            objects,
            stacks,
            globals,
        })
}

/// The strategy for a program of up to `max_steps` steps.
///
/// Swarm testing: each program draws its own weights for the kinds of
/// mutator step (some kinds absent) and for collector steps, so that some
/// programs do little but move pointers between stacks and globals, others
/// little but load and unlink — the mixes that lose objects, and that one
/// fixed mix makes rare.
pub fn program(max_steps: usize) -> impl Strategy<Value = Program> {
    let weights = prop::array::uniform7(0..4u32).prop_map(|mut w| {
        w[1] = w[1].max(1); // always load: it is how a mutator gets pointers
        w
    });
    (weights, 1..=4u32)
        .prop_flat_map(move |(weights, collect)| {
            (
                initial_heap(),
                1..=4u8,
                prop::collection::vec(step(weights, collect), 1..=max_steps),
            )
        })
        .prop_map(|(heap, wb_buf_entries, steps)| Program {
            heap,
            wb_buf_entries,
            steps,
        })
}

/// Why a run failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// A checker found a violation.
    Violation(Violation),
    /// The heap panicked (a bug in gogc, not in the program).
    Panic(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Violation(v) => write!(f, "{v}"),
            Failure::Panic(msg) => write!(f, "gogc panicked: {msg}"),
        }
    }
}

/// One executed step, for the story: what it did and the heap after it.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub(crate) what: String,
    pub(crate) colours: String,
    pub(crate) notes: Vec<String>,
}

/// A program running on a heap.
struct Run<'p> {
    program: &'p Program,
    heap: Heap,
    mutators: Vec<Mutator>,
    /// Record events for a story.
    events: Option<Vec<Event>>,
    /// The black-to-white and hidden pointers after the last step, to
    /// note the new ones.
    black_to_white: Vec<crate::Edge>,
    hidden: Vec<crate::Edge>,
}

impl Program {
    /// Runs the program under `barrier` and returns the first violation
    /// (or panic), checking the barrier's invariant and the oracle after
    /// every step.
    pub fn run(&self, barrier: Barrier) -> Option<Failure> {
        self.execute(barrier, false).0
    }

    /// Runs the program and tells what happened step by step.
    pub(crate) fn execute(&self, barrier: Barrier, record: bool) -> (Option<Failure>, Vec<Event>) {
        let mut run = Run::new(self, barrier, record);
        let initial = Event {
            what: "the heap when the cycle begins".to_owned(),
            colours: run.initial_colours(),
            notes: Vec::new(),
        };
        let failure = match catch_unwind(AssertUnwindSafe(|| run.all())) {
            Ok(failure) => failure,
            Err(panic) => Some(Failure::Panic(panic_message(&panic))),
        };
        let mut events = run.events.unwrap_or_default();
        if record {
            events.insert(0, initial);
        }
        (failure, events)
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "(no message)".to_owned())
}

impl<'p> Run<'p> {
    fn new(program: &'p Program, barrier: Barrier, record: bool) -> Run<'p> {
        let initial = &program.heap;
        let mut heap =
            Heap::new(barrier).with_wb_buf_entries(usize::from(program.wb_buf_entries.max(1)));
        let mutators: Vec<Mutator> = (0..initial.stacks.len().max(1))
            .map(|_| heap.new_mutator())
            .collect();
        // Build the initial heap with the collector off: allocate the
        // reachable objects on g0's stack, link them, lay out the roots.
        let g0 = mutators[0];
        let reachable = initial.reachable();
        let mut objects: Vec<Option<Ptr>> = vec![None; initial.objects.len()];
        for &n in &reachable {
            objects[n] = Some(heap.alloc(g0, Node).ptr());
        }
        let object = |n: u8| objects[usize::from(n) % objects.len()];
        for &n in &reachable {
            let shape = initial.objects[n];
            let p = objects[n].expect("allocated");
            heap.store_ptr(g0, p, 0, shape.l.and_then(object));
            heap.store_ptr(g0, p, 1, shape.r.and_then(object));
        }
        heap.truncate(g0, 0);
        for (stack, &m) in initial.stacks.iter().zip(&mutators) {
            for &n in stack {
                heap.push(m, object(n));
            }
        }
        for &target in &initial.globals {
            let g = heap.new_global::<Node>();
            heap.set_global_ptr(g0, g.index(), target.and_then(object));
        }
        Run {
            program,
            heap,
            mutators,
            events: record.then(Vec::new),
            black_to_white: Vec::new(),
            hidden: Vec::new(),
        }
    }

    fn all(&mut self) -> Option<Failure> {
        let start = self.collect(0);
        if let Some(failure) = self.after(start) {
            return Some(failure);
        }
        for &step in &self.program.steps {
            if let Some(what) = self.step(step) {
                if let Some(failure) = self.after(what) {
                    return Some(failure);
                }
            }
        }
        // Finish the cycle in progress, sweep included.
        while self.heap.phase() != crate::Phase::Off {
            let what = self.collect(0);
            if let Some(failure) = self.after(what) {
                return Some(failure);
            }
        }
        None
    }

    /// The heap before the cycle, for the story.
    fn initial_colours(&self) -> String {
        format!("{:#}", self.heap.colours())
    }

    /// Runs the checkers and records the event.
    fn after(&mut self, what: String) -> Option<Failure> {
        let heap = &self.heap;
        let failure = heap
            .verify_invariant()
            .and_then(|()| heap.verify_reachable())
            .err()
            .map(Failure::Violation);
        if let Some(events) = &mut self.events {
            let mut notes = Vec::new();
            let black_to_white = heap.black_to_white(true);
            for e in black_to_white
                .iter()
                .filter(|e| !self.black_to_white.contains(e))
            {
                notes.push(format!(
                    "black {} now points to white {} ({e})",
                    e.from.owner(),
                    e.to
                ));
            }
            let hidden = heap.hidden();
            for e in hidden.iter().filter(|e| !self.hidden.contains(e)) {
                notes.push(format!(
                    "{} is hidden: {e} is black->white and no grey object reaches {} through white ones",
                    e.to, e.to
                ));
            }
            self.black_to_white = black_to_white;
            self.hidden = hidden;
            events.push(Event {
                what,
                colours: format!("{:#}", heap.colours()),
                notes,
            });
        }
        failure
    }

    fn mutator(&self, m: u8) -> Mutator {
        self.mutators[usize::from(m) % self.mutators.len()]
    }

    /// The pointer in stack slot `slot` (modulo the stack's length).
    fn slot(&self, m: Mutator, slot: u8) -> Option<(usize, Ptr)> {
        let stack = self.heap.stack(m);
        if stack.is_empty() {
            return None;
        }
        let i = usize::from(slot) % stack.len();
        stack[i].map(|p| (i, p))
    }

    /// Field `field` (modulo its field count) of `obj`, if it has fields.
    fn field(&self, obj: Ptr, field: u8) -> Option<usize> {
        let fields = self.heap.pointers(obj).len();
        (fields > 0).then(|| usize::from(field) % fields)
    }

    /// Runs one step; `None` if it could not run. Returns what it did.
    fn step(&mut self, step: Step) -> Option<String> {
        match step {
            Step::Alloc { m } => {
                let m = self.mutator(m);
                if self.heap.live_objects() >= MAX_OBJECTS {
                    return None;
                }
                let p = self.heap.alloc(m, Node);
                Some(format!("{m}: push {p} = new(Node)"))
            }
            Step::Load {
                m,
                obj,
                field,
                take,
            } => {
                let m = self.mutator(m);
                let (i, obj) = self.slot(m, obj)?;
                let field = self.field(obj, field)?;
                let value = self.heap.load_ptr(obj, field)?;
                self.heap.push(m, value);
                let name = self.heap.field_name(obj, field);
                let mut what = format!("{m}: push {m}[{i}].{name} = {obj}.{name} = {value}");
                if take {
                    self.heap.store_ptr(m, obj, field, None::<Ptr>);
                    what += &format!(", then {obj}.{name} = nil");
                }
                Some(what)
            }
            Step::Store {
                m,
                obj,
                field,
                value,
                moved,
            } => {
                let m = self.mutator(m);
                let (i, obj) = self.slot(m, obj)?;
                let field = self.field(obj, field)?;
                let (from, value) = self.value(m, value)?;
                let old = self.heap.load_ptr(obj, field);
                self.heap.store_ptr(m, obj, field, value);
                let name = self.heap.field_name(obj, field);
                let mut what = format!(
                    "{m}: {m}[{i}].{name} = {}  ({obj}.{name}: {} -> {})",
                    show(value),
                    show(old),
                    show(value)
                );
                self.moved(m, from, moved, &mut what);
                Some(what)
            }
            Step::LoadGlobal { m, g, take } => {
                let m = self.mutator(m);
                let g = self.global(g)?;
                let value = self.heap.globals()[g]?;
                self.heap.push(m, value);
                let mut what = format!("{m}: push global{g} = {value}");
                if take {
                    self.heap.set_global_ptr(m, g, None::<Ptr>);
                    what += &format!(", then global{g} = nil");
                }
                Some(what)
            }
            Step::StoreGlobal { m, g, value, moved } => {
                let m = self.mutator(m);
                let g = self.global(g)?;
                let (from, value) = self.value(m, value)?;
                let old = self.heap.globals()[g];
                self.heap.set_global_ptr(m, g, value);
                let mut what = format!(
                    "{m}: global{g} = {}  ({} -> {})",
                    show(value),
                    show(old),
                    show(value)
                );
                self.moved(m, from, moved, &mut what);
                Some(what)
            }
            Step::Pop { m } => {
                let m = self.mutator(m);
                let len = self.heap.stack(m).len();
                if len == 0 {
                    return None;
                }
                let top = self.heap.pop(m);
                Some(format!("{m}: pop {m}[{}] ({})", len - 1, show(top)))
            }
            Step::Clear { m, slot } => {
                let m = self.mutator(m);
                let (i, old) = self.slot(m, slot)?;
                self.heap.set_stack(m, i, None::<Ptr>);
                Some(format!("{m}: {m}[{i}] = nil ({old} -> nil)"))
            }
            Step::Collect { pick } => Some(self.collect(pick)),
        }
    }

    /// A store's value: nil, or the pointer in stack slot `value` and the
    /// slot's number; `None` if the slot is missing or nil.
    fn value(&self, m: Mutator, value: Option<u8>) -> Option<(Option<usize>, Option<Ptr>)> {
        match value {
            Some(v) => self.slot(m, v).map(|(j, p)| (Some(j), Some(p))),
            None => Some((None, None)),
        }
    }

    /// After a store with `moved`, clears the value's stack slot.
    fn moved(&mut self, m: Mutator, from: Option<usize>, moved: bool, what: &mut String) {
        if let (Some(j), true) = (from, moved) {
            self.heap.set_stack(m, j, None::<Ptr>);
            what.push_str(&format!(", then {m}[{j}] = nil"));
        }
    }

    fn global(&self, g: u8) -> Option<usize> {
        let n = self.heap.globals().len();
        (n > 0).then(|| usize::from(g) % n)
    }

    /// One collector step, described.
    fn collect(&mut self, pick: u8) -> String {
        use crate::{GcStep, Phase, Work};
        if self.heap.phase() == Phase::Off {
            self.heap.gc_start();
            let how = if self.heap.barrier().snapshots_stacks() {
                "; every stack scanned (the snapshot)"
            } else {
                ""
            };
            return format!(
                "gc: sweep termination (STW): barrier {} on{how}",
                self.heap.barrier()
            );
        }
        let pending = self.heap.gc_pending();
        let step = if pending.is_empty() {
            self.heap.gc_step()
        } else {
            let work = pending[usize::from(pick) % pending.len()];
            self.heap.gc_work(work);
            GcStep::Marked(work)
        };
        match step {
            GcStep::Marked(Work::Globals { .. }) => "gc: scan the globals".to_owned(),
            GcStep::Marked(Work::Stack(m)) => format!("gc: scan {m}'s stack"),
            GcStep::Marked(Work::Object(p)) => format!("gc: scan {p}"),
            GcStep::FlushedWbBuf { greyed } => {
                format!("gc: mark done? flush the write barrier buffer: {greyed} greyed, mark on")
            }
            GcStep::MarkTermination => {
                let mut s = String::from("gc: mark termination (STW)");
                let rescanned = self.heap.cycle_stats().stacks_rescanned;
                if self.heap.barrier().rescans_stacks() {
                    let _ = write!(s, ": {rescanned} stacks re-scanned");
                }
                s + ", barrier off"
            }
            GcStep::Swept { span, freed } => format!("gc: sweep span {span}: {freed} freed"),
            GcStep::Idle => "gc: idle".to_owned(),
        }
    }
}

fn show(p: Option<Ptr>) -> String {
    p.map_or_else(|| "nil".to_owned(), |p| p.to_string())
}
