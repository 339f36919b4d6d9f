//! Binary-trees on three heaps — gogc, `Box` (no collector) and the
//! `gc-arena` crate — shared by the example (`main.rs`) and the criterion
//! bench (`benches/gc.rs`). Each builds the Benchmarks Game's trees the way
//! its heap is meant to be used and prints, through `out`, the game's lines.

use gogc::{Barrier, Field, Gc, Heap, Mutator, Object, Settings};

pub(crate) const MIN_DEPTH: u32 = 4;

/// The game's lines, whatever builds the trees: `check_new` builds a tree,
/// checks it, and returns the check; `keep` keeps one alive across the
/// loop.
pub(crate) trait Trees {
    /// Builds a tree of `depth` and returns its check; the tree is garbage
    /// afterwards.
    fn check_new(&mut self, depth: u32) -> u64;
    /// Builds the long-lived tree and keeps it.
    fn keep(&mut self, depth: u32);
    /// The long-lived tree's check.
    fn check_kept(&mut self) -> u64;
}

/// The program for `n`, its lines given to `out`.
pub(crate) fn run(trees: &mut impl Trees, n: u32, mut out: impl FnMut(std::fmt::Arguments<'_>)) {
    let max_depth = n.max(MIN_DEPTH + 2);
    let stretch = max_depth + 1;
    out(format_args!(
        "stretch tree of depth {stretch}\t check: {}",
        trees.check_new(stretch)
    ));
    trees.keep(max_depth);
    for depth in (MIN_DEPTH..=max_depth).step_by(2) {
        let iterations = 1u64 << (max_depth - depth + MIN_DEPTH);
        let check: u64 = (0..iterations).map(|_| trees.check_new(depth)).sum();
        out(format_args!(
            "{iterations}\t trees of depth {depth}\t check: {check}"
        ));
    }
    out(format_args!(
        "long lived tree of depth {max_depth}\t check: {}",
        trees.check_kept()
    ));
}

// --- gogc --------------------------------------------------------------

/// `type Node struct{ left, right *Node }`.
struct Node;

impl Object for Node {
    const POINTER_FIELDS: &'static [&'static str] = &["left", "right"];
}

const LEFT: Field<Node, Node> = Field::new(0);
const RIGHT: Field<Node, Node> = Field::new(1);

pub(crate) struct OnGogc {
    heap: Heap,
    g: Mutator,
    long_lived: Option<Gc<Node>>,
}

impl OnGogc {
    /// A paced heap (Go's hybrid barrier) with one mutator.
    pub(crate) fn new(settings: Settings) -> OnGogc {
        let mut heap = Heap::paced(Barrier::HybridGo, settings);
        let g = heap.new_mutator();
        OnGogc {
            heap,
            g,
            long_lived: None,
        }
    }

    /// `createTree`: the new node stays on `g`'s stack (the variable
    /// `node`); each child is stored, then its variable popped.
    fn create(&mut self, depth: u32) -> Gc<Node> {
        let node = self.heap.alloc(self.g, Node);
        if depth > 0 {
            let left = self.create(depth - 1);
            self.heap.store(self.g, node, LEFT, Some(left));
            self.heap.pop(self.g);
            let right = self.create(depth - 1);
            self.heap.store(self.g, node, RIGHT, Some(right));
            self.heap.pop(self.g);
        }
        node
    }

    /// `check`: loads only, nothing allocated, so nothing is collected.
    fn check(&self, node: Gc<Node>) -> u64 {
        match self.heap.load(node, LEFT) {
            None => 1,
            Some(left) => {
                let right = self.heap.load(node, RIGHT).expect("full tree");
                1 + self.check(left) + self.check(right)
            }
        }
    }
}

impl Trees for OnGogc {
    fn check_new(&mut self, depth: u32) -> u64 {
        let tree = self.create(depth);
        let check = self.check(tree);
        self.heap.pop(self.g);
        check
    }
    fn keep(&mut self, depth: u32) {
        // Stays on g's stack for the rest of the run.
        self.long_lived = Some(self.create(depth));
    }
    fn check_kept(&mut self) -> u64 {
        self.check(self.long_lived.expect("kept"))
    }
}

// --- Box ---------------------------------------------------------------

struct BoxNode {
    left: Option<Box<BoxNode>>,
    right: Option<Box<BoxNode>>,
}

fn box_create(depth: u32) -> Box<BoxNode> {
    let mut node = Box::new(BoxNode {
        left: None,
        right: None,
    });
    if depth > 0 {
        node.left = Some(box_create(depth - 1));
        node.right = Some(box_create(depth - 1));
    }
    node
}

fn box_check(node: &BoxNode) -> u64 {
    match (&node.left, &node.right) {
        (Some(l), Some(r)) => 1 + box_check(l) + box_check(r),
        _ => 1,
    }
}

#[derive(Default)]
pub(crate) struct OnBox {
    long_lived: Option<Box<BoxNode>>,
}

impl Trees for OnBox {
    fn check_new(&mut self, depth: u32) -> u64 {
        box_check(&box_create(depth))
    }
    fn keep(&mut self, depth: u32) {
        self.long_lived = Some(box_create(depth));
    }
    fn check_kept(&mut self) -> u64 {
        box_check(self.long_lived.as_ref().expect("kept"))
    }
}

// --- gc-arena ----------------------------------------------------------

pub(crate) mod arena {
    use gc_arena::{Arena, Collect, Gc, Mutation, Rootable};

    #[derive(Collect)]
    #[collect(no_drop)]
    pub(super) struct Node<'gc> {
        left: Option<Gc<'gc, Node<'gc>>>,
        right: Option<Gc<'gc, Node<'gc>>>,
    }

    #[derive(Collect, Default)]
    #[collect(no_drop)]
    pub(super) struct Root<'gc> {
        long_lived: Option<Gc<'gc, Node<'gc>>>,
    }

    /// gc-arena collects between `mutate` calls: each tree is built and
    /// checked in one, then the arena pays its allocation debt with its
    /// default pacing.
    pub(crate) struct OnGcArena(Arena<Rootable![Root<'_>]>);

    /// gc-arena's nodes are immutable once built (a write would need a
    /// `RefLock` and its barrier), so children are built first.
    fn create<'gc>(mc: &Mutation<'gc>, depth: u32) -> Gc<'gc, Node<'gc>> {
        let (left, right) = if depth > 0 {
            (Some(create(mc, depth - 1)), Some(create(mc, depth - 1)))
        } else {
            (None, None)
        };
        Gc::new(mc, Node { left, right })
    }

    fn check(node: &Node<'_>) -> u64 {
        match (node.left, node.right) {
            (Some(l), Some(r)) => 1 + check(&l) + check(&r),
            _ => 1,
        }
    }

    impl super::Trees for OnGcArena {
        fn check_new(&mut self, depth: u32) -> u64 {
            let check = self.0.mutate(|mc, _| check(&create(mc, depth)));
            self.0.collect_debt();
            check
        }
        fn keep(&mut self, depth: u32) {
            self.0
                .mutate_root(|mc, root| root.long_lived = Some(create(mc, depth)));
            self.0.collect_debt();
        }
        fn check_kept(&mut self) -> u64 {
            self.0
                .mutate(|_, root| check(&root.long_lived.expect("kept")))
        }
    }

    pub(crate) fn new() -> OnGcArena {
        OnGcArena(Arena::new(|_| Root::default()))
    }
}
