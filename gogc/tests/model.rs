//! Property test: random mutator operations (allocate, load, store, push,
//! pop, clear, globals, scalar writes) and collector steps on a heap,
//! against a model — a plain graph of objects with their values, fields,
//! stacks and globals. After every operation: every object the model can
//! reach is live with the model's value and fields, and every object the
//! heap freed was unreachable; the heap runs its invariant checkers and
//! oracle itself (`with_checks`). After a full `gc()`: the live objects are
//! exactly the reachable ones. Every sound barrier, two object types (one
//! noscan), a small write barrier buffer. `PROPTEST_CASES` sets the depth.

use std::collections::HashMap;

use gogc::{Barrier, Field, Gc, Heap, Mutator, Object, Ptr};
use proptest::prelude::*;

#[derive(Debug)]
struct Node {
    value: u32,
}
impl Object for Node {
    const POINTER_FIELDS: &'static [&'static str] = &["a", "b"];
}

/// Noscan: no pointer fields.
#[derive(Debug)]
struct Leaf {
    value: u32,
}
impl Object for Leaf {
    const POINTER_FIELDS: &'static [&'static str] = &[];
}

const FIELDS: [Field<Node, Node>; 2] = [Field::new(0), Field::new(1)];
const MUTATORS: usize = 2;
const GLOBALS: usize = 2;

#[derive(Clone, Debug)]
enum Op {
    Alloc {
        m: u8,
        leaf: bool,
        value: u32,
    },
    Load {
        m: u8,
        obj: u8,
        field: u8,
    },
    Store {
        m: u8,
        obj: u8,
        field: u8,
        value: Option<u8>,
    },
    LoadGlobal {
        m: u8,
        g: u8,
    },
    StoreGlobal {
        m: u8,
        g: u8,
        value: Option<u8>,
    },
    Pop {
        m: u8,
    },
    Clear {
        m: u8,
        slot: u8,
    },
    Bump {
        m: u8,
        obj: u8,
    },
    GcStart,
    GcStep,
    FullGc,
}

fn op() -> impl Strategy<Value = Op> {
    let m = any::<u8>;
    prop_oneof![
        4 => (m(), prop::bool::weighted(0.25), any::<u32>())
            .prop_map(|(m, leaf, value)| Op::Alloc { m, leaf, value }),
        4 => (m(), any::<u8>(), any::<u8>()).prop_map(|(m, obj, field)| Op::Load { m, obj, field }),
        4 => (m(), any::<u8>(), any::<u8>(), prop::option::of(any::<u8>()))
            .prop_map(|(m, obj, field, value)| Op::Store { m, obj, field, value }),
        1 => (m(), any::<u8>()).prop_map(|(m, g)| Op::LoadGlobal { m, g }),
        1 => (m(), any::<u8>(), prop::option::of(any::<u8>()))
            .prop_map(|(m, g, value)| Op::StoreGlobal { m, g, value }),
        3 => m().prop_map(|m| Op::Pop { m }),
        1 => (m(), any::<u8>()).prop_map(|(m, slot)| Op::Clear { m, slot }),
        2 => (m(), any::<u8>()).prop_map(|(m, obj)| Op::Bump { m, obj }),
        1 => Just(Op::GcStart),
        6 => Just(Op::GcStep),
        1 => Just(Op::FullGc),
    ]
}

/// The model: objects by number, roots as object numbers.
#[derive(Default)]
struct Model {
    objects: Vec<ModelObject>,
    by_ptr: HashMap<Ptr, usize>,
    stacks: Vec<Vec<Option<usize>>>,
    globals: Vec<Option<usize>>,
}

struct ModelObject {
    ptr: Ptr,
    leaf: bool,
    value: u32,
    fields: [Option<usize>; 2],
    freed: bool,
}

impl Model {
    fn reachable(&self) -> Vec<bool> {
        let mut seen = vec![false; self.objects.len()];
        let mut todo: Vec<usize> = self.stacks.iter().flatten().flatten().copied().collect();
        todo.extend(self.globals.iter().flatten());
        while let Some(i) = todo.pop() {
            if !std::mem::replace(&mut seen[i], true) {
                todo.extend(self.objects[i].fields.iter().flatten());
            }
        }
        seen
    }

    fn ptr(&self, i: Option<usize>) -> Option<Ptr> {
        i.map(|i| self.objects[i].ptr)
    }
}

struct Harness {
    heap: Heap,
    mutators: Vec<Mutator>,
    globals: Vec<gogc::Global<Node>>,
    model: Model,
}

impl Harness {
    fn new(barrier: Barrier, wb_buf_entries: usize) -> Harness {
        let mut heap = Heap::new(barrier)
            .with_checks(true)
            .with_wb_buf_entries(wb_buf_entries);
        let mutators = (0..MUTATORS).map(|_| heap.new_mutator()).collect();
        let globals = (0..GLOBALS).map(|_| heap.new_global::<Node>()).collect();
        Harness {
            heap,
            mutators,
            globals,
            model: Model {
                stacks: vec![Vec::new(); MUTATORS],
                globals: vec![None; GLOBALS],
                ..Model::default()
            },
        }
    }

    /// Stack slot `slot` of mutator `m` holding a node: its slot number and
    /// model object.
    fn node_in_slot(&self, m: usize, slot: u8) -> Option<(usize, usize)> {
        let stack = &self.model.stacks[m];
        if stack.is_empty() {
            return None;
        }
        let i = usize::from(slot) % stack.len();
        let obj = stack[i]?;
        (!self.model.objects[obj].leaf).then_some((i, obj))
    }

    fn any_in_slot(&self, m: usize, slot: u8) -> Option<usize> {
        let stack = &self.model.stacks[m];
        if stack.is_empty() {
            return None;
        }
        stack[usize::from(slot) % stack.len()]
    }

    fn node(&self, obj: usize) -> Gc<Node> {
        self.heap.cast::<Node>(self.model.objects[obj].ptr).unwrap()
    }

    fn apply(&mut self, op: &Op) {
        let mi = |m: u8| usize::from(m) % MUTATORS;
        match *op {
            Op::Alloc { m, leaf, value } => {
                let m = mi(m);
                let ptr = if leaf {
                    self.heap.alloc(self.mutators[m], Leaf { value }).ptr()
                } else {
                    self.heap.alloc(self.mutators[m], Node { value }).ptr()
                };
                let n = self.model.objects.len();
                self.model.objects.push(ModelObject {
                    ptr,
                    leaf,
                    value,
                    fields: [None, None],
                    freed: false,
                });
                self.model.by_ptr.insert(ptr, n);
                self.model.stacks[m].push(Some(n));
            }
            Op::Load { m, obj, field } => {
                let m = mi(m);
                let Some((_, obj)) = self.node_in_slot(m, obj) else {
                    return;
                };
                let f = usize::from(field) % 2;
                let loaded = self.heap.load(self.node(obj), FIELDS[f]).map(Gc::ptr);
                let expected = self.model.objects[obj].fields[f];
                assert_eq!(loaded, self.model.ptr(expected), "load");
                if expected.is_some() {
                    self.heap.push(self.mutators[m], loaded);
                    self.model.stacks[m].push(expected);
                }
            }
            Op::Store {
                m,
                obj,
                field,
                value,
            } => {
                let m = mi(m);
                let Some((_, obj)) = self.node_in_slot(m, obj) else {
                    return;
                };
                let value = match value {
                    Some(v) => match self.any_in_slot(m, v) {
                        Some(v) => Some(v),
                        None => return,
                    },
                    None => None,
                };
                let f = usize::from(field) % 2;
                let ptr = self.model.ptr(value);
                self.heap
                    .store_ptr(self.mutators[m], self.node(obj), f, ptr);
                self.model.objects[obj].fields[f] = value;
            }
            Op::LoadGlobal { m, g } => {
                let (m, g) = (mi(m), usize::from(g) % GLOBALS);
                let loaded = self.heap.globals()[g];
                assert_eq!(loaded, self.model.ptr(self.model.globals[g]), "global");
                if let Some(p) = loaded {
                    self.heap.push(self.mutators[m], p);
                    self.model.stacks[m].push(self.model.globals[g]);
                }
            }
            Op::StoreGlobal { m, g, value } => {
                let (m, g) = (mi(m), usize::from(g) % GLOBALS);
                let value = match value {
                    Some(v) => match self.any_in_slot(m, v) {
                        Some(v) => Some(v),
                        None => return,
                    },
                    None => None,
                };
                let ptr = self.model.ptr(value);
                let typed = ptr.map(|p| self.heap.cast::<Node>(p));
                match typed {
                    // Globals hold nodes; a leaf goes in by index, untyped.
                    Some(Ok(node)) => {
                        self.heap
                            .set_global(self.mutators[m], self.globals[g], Some(node))
                    }
                    _ => self.heap.set_global_ptr(self.mutators[m], g, ptr),
                }
                self.model.globals[g] = value;
            }
            Op::Pop { m } => {
                let m = mi(m);
                if self.model.stacks[m].pop().is_some() {
                    self.heap.pop(self.mutators[m]);
                }
            }
            Op::Clear { m, slot } => {
                let m = mi(m);
                let len = self.model.stacks[m].len();
                if len > 0 {
                    let i = usize::from(slot) % len;
                    self.heap.set_stack(self.mutators[m], i, None::<Ptr>);
                    self.model.stacks[m][i] = None;
                }
            }
            Op::Bump { m, obj } => {
                let m = mi(m);
                let Some(obj) = self.any_in_slot(m, obj) else {
                    return;
                };
                let o = &mut self.model.objects[obj];
                o.value = o.value.wrapping_add(1);
                if o.leaf {
                    let leaf = self.heap.cast::<Leaf>(o.ptr).unwrap();
                    self.heap.get_mut(leaf).value = o.value;
                } else {
                    let node = self.heap.cast::<Node>(o.ptr).unwrap();
                    self.heap.get_mut(node).value = o.value;
                }
            }
            Op::GcStart => {
                self.heap.gc_start();
            }
            Op::GcStep => {
                self.heap.gc_step();
            }
            Op::FullGc => {
                self.heap.gc();
                self.sync();
                let reachable = self.model.reachable();
                for (i, o) in self.model.objects.iter().enumerate() {
                    assert_eq!(
                        !o.freed,
                        reachable[i],
                        "after gc(), o{} live={} reachable={}",
                        o.ptr.index() + 1,
                        !o.freed,
                        reachable[i]
                    );
                }
            }
        }
        self.sync();
    }

    /// Marks the objects the heap freed, checks they were unreachable, and
    /// compares every live object and root with the model.
    fn sync(&mut self) {
        let reachable = self.model.reachable();
        for (i, o) in self.model.objects.iter_mut().enumerate() {
            if o.freed {
                assert!(!self.heap.is_live(o.ptr), "a freed handle came back");
                continue;
            }
            if !self.heap.is_live(o.ptr) {
                assert!(
                    !reachable[i],
                    "o{} freed while reachable",
                    o.ptr.index() + 1
                );
                o.freed = true;
            }
        }
        for o in self.model.objects.iter().filter(|o| !o.freed) {
            if o.leaf {
                let leaf = self.heap.cast::<Leaf>(o.ptr).unwrap();
                assert_eq!(self.heap.get(leaf).value, o.value);
                assert!(self.heap.cast::<Node>(o.ptr).is_err());
            } else {
                let node = self.heap.cast::<Node>(o.ptr).unwrap();
                assert_eq!(self.heap.get(node).value, o.value);
                let fields: Vec<Option<Ptr>> =
                    o.fields.iter().map(|&f| self.model.ptr(f)).collect();
                assert_eq!(self.heap.pointers(o.ptr), &fields[..]);
            }
        }
        for (m, stack) in self.model.stacks.iter().enumerate() {
            let expected: Vec<Option<Ptr>> = stack.iter().map(|&s| self.model.ptr(s)).collect();
            assert_eq!(self.heap.stack(self.mutators[m]), &expected[..]);
        }
        let live = self.model.objects.iter().filter(|o| !o.freed).count();
        assert_eq!(self.heap.live_objects(), live);
    }
}

proptest! {
    #[test]
    fn heap_matches_the_model(
        barrier in prop::sample::select(Barrier::SOUND.to_vec()),
        wb_buf_entries in 1usize..6,
        ops in prop::collection::vec(op(), 1..120),
    ) {
        let mut h = Harness::new(barrier, wb_buf_entries);
        for op in &ops {
            h.apply(op);
        }
        h.apply(&Op::FullGc);
    }
}

/// Many objects across many spans, several cycles: a full collection frees
/// exactly the unreachable ones, and the survivors keep their values.
#[test]
fn full_gc_frees_exactly_the_unreachable_across_spans() {
    let mut heap = Heap::new(Barrier::HybridGo);
    let g = heap.new_mutator();
    let keep = heap.new_global::<Node>();
    let mut kept = Vec::new();
    let mut prev: Option<Gc<Node>> = None;
    for value in 0..5_000u32 {
        let n = heap.alloc(g, Node { value });
        if value % 3 == 0 {
            heap.store(g, n, FIELDS[0], prev);
            prev = Some(n);
            kept.push((n, value));
        }
        heap.pop(g);
        if value % 1000 == 999 {
            heap.set_global(g, keep, prev);
            heap.gc();
        }
    }
    heap.set_global(g, keep, prev);
    heap.gc();
    assert_eq!(heap.live_objects(), kept.len());
    for (n, value) in kept {
        assert_eq!(heap.get(n).value, value);
    }
    heap.set_global(g, keep, None);
    heap.gc();
    assert_eq!(heap.live_objects(), 0);
}
