//! goctx against a model of Go's context tree: random derivations
//! (`with_cancel`, `with_cancel_cause`, `with_timeout` far away or already
//! past, `with_value`, `without_cancel`, `after_func`), cancellations with
//! and without causes, and `stop`s; after every step every context's
//! `err`, `cause`, `done`, `deadline`, values and linked children match the
//! model's. Depth from `PROPTEST_CASES`.

use std::time::{Duration, Instant};

use gochan::TryRecvError;
use goctx::introspect::{linked_children, timer_armed};
use goctx::{
    AfterFuncStop, Cause, Context, ContextKey, Error, after_func, background, cause, with_cancel,
    with_cancel_cause, with_deadline, with_value, without_cancel,
};
use proptest::prelude::*;

/// Value keys: a handful, so lookups hit, miss and shadow.
#[derive(PartialEq, Debug, Clone, Copy)]
struct K(u8);
impl ContextKey for K {
    type Value = u32;
}
const KEYS: u8 = 4;

#[derive(Clone, Debug)]
enum Op {
    Cancel(usize),
    CancelCause(usize),
    Timeout(usize),
    Past(usize),
    Value(usize, u8),
    WithoutCancel(usize),
    AfterFunc(usize),
    CancelNode(usize),
    CancelNodeWithCause(usize),
    Stop(usize),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let ix = any::<usize>();
    proptest::collection::vec(
        prop_oneof![
            4 => ix.prop_map(Op::Cancel),
            2 => ix.prop_map(Op::CancelCause),
            2 => ix.prop_map(Op::Timeout),
            1 => ix.prop_map(Op::Past),
            3 => (ix, 0..KEYS).prop_map(|(i, k)| Op::Value(i, k)),
            1 => ix.prop_map(Op::WithoutCancel),
            2 => ix.prop_map(Op::AfterFunc),
            3 => ix.prop_map(Op::CancelNode),
            2 => ix.prop_map(Op::CancelNodeWithCause),
            1 => ix.prop_map(Op::Stop),
        ],
        1..80,
    )
}

/// What the model knows of a context.
#[derive(Clone, Debug)]
enum Kind {
    Background,
    /// A cancellable context: its error and cause once canceled, its
    /// deadline if it has one.
    Cancel {
        done: Option<(Error, Cause)>,
        deadline: Option<Instant>,
    },
    Value(u8, u32),
    WithoutCancel,
}

struct Node {
    ctx: Context,
    parent: Option<usize>,
    kind: Kind,
    cancel: Option<Canceler>,
}

enum Canceler {
    Plain(goctx::CancelFunc),
    Cause(goctx::CancelCauseFunc),
}

struct AfterFunc {
    /// The context it watches.
    on: usize,
    stop: AfterFuncStop,
    /// Started (its context was done) or stopped: it is gone either way.
    gone: bool,
}

struct Model {
    nodes: Vec<Node>,
    after: Vec<AfterFunc>,
    causes: usize,
}

impl Model {
    fn new() -> Model {
        Model {
            nodes: vec![Node {
                ctx: background(),
                parent: None,
                kind: Kind::Background,
                cancel: None,
            }],
            after: Vec::new(),
            causes: 0,
        }
    }

    /// The nearest context up from `i` (itself included) that decides
    /// cancellation: a cancellable one, or `None` past a `WithoutCancel` or
    /// at the root.
    fn nearest_cancel(&self, mut i: usize) -> Option<usize> {
        loop {
            match self.nodes[i].kind {
                Kind::Cancel { .. } => return Some(i),
                Kind::Background | Kind::WithoutCancel => return None,
                Kind::Value(..) => i = self.nodes[i].parent.expect("values have parents"),
            }
        }
    }

    fn state(&self, i: usize) -> Option<(Error, Cause)> {
        let c = self.nearest_cancel(i)?;
        match &self.nodes[c].kind {
            Kind::Cancel { done, .. } => done.clone(),
            _ => unreachable!(),
        }
    }

    fn deadline(&self, mut i: usize) -> Option<Instant> {
        loop {
            match &self.nodes[i].kind {
                Kind::Cancel {
                    deadline: Some(d), ..
                } => return Some(*d),
                Kind::Background | Kind::WithoutCancel => return None,
                _ => i = self.nodes[i].parent.expect("has a parent"),
            }
        }
    }

    fn value(&self, mut i: usize, key: u8) -> Option<u32> {
        loop {
            if let Kind::Value(k, v) = self.nodes[i].kind {
                if k == key {
                    return Some(v);
                }
            }
            match self.nodes[i].parent {
                Some(p) => i = p,
                None => return None,
            }
        }
    }

    fn new_cause(&mut self) -> Cause {
        self.causes += 1;
        Cause::new(std::io::Error::other(format!("cause {}", self.causes)))
    }

    /// A new cancellable child of `p`: born canceled if its nearest
    /// cancellable ancestor is.
    fn push_cancel(&mut self, p: usize, ctx: Context, cancel: Canceler, deadline: Option<Instant>) {
        let parent_deadline = self.deadline(p);
        let deadline = match (deadline, parent_deadline) {
            (Some(d), Some(pd)) if pd < d => None, // clamped: a plain WithCancel
            (d, _) => d,
        };
        let done = self.state(p);
        self.nodes.push(Node {
            ctx,
            parent: Some(p),
            kind: Kind::Cancel { done, deadline },
            cancel: Some(cancel),
        });
    }

    /// Cancels `i` and every cancellable context linked below it (not
    /// through `WithoutCancel`); the first cancellation of each wins.
    fn cancel(&mut self, i: usize, err: Error, why: Cause) {
        if let Kind::Cancel { done: Some(_), .. } = self.nodes[i].kind {
            return;
        }
        let mut hit = vec![i];
        for j in i..self.nodes.len() {
            let linked = j == i
                || (matches!(self.nodes[j].kind, Kind::Cancel { .. })
                    && self
                        .nearest_cancel(self.nodes[j].parent.expect("has a parent"))
                        .is_some_and(|c| hit.contains(&c)));
            if !linked {
                continue;
            }
            if j != i {
                hit.push(j);
            }
            if let Kind::Cancel {
                done: done @ None, ..
            } = &mut self.nodes[j].kind
            {
                *done = Some((err, why.clone()));
            }
        }
        let started: Vec<usize> = (0..self.after.len())
            .filter(|&a| !self.after[a].gone && self.state(self.after[a].on).is_some())
            .collect();
        for a in started {
            self.after[a].gone = true;
        }
    }

    fn apply(&mut self, op: Op) {
        let n = self.nodes.len();
        match op {
            Op::Cancel(i) => {
                let p = i % n;
                let (ctx, cancel) = with_cancel(&self.nodes[p].ctx);
                self.push_cancel(p, ctx, Canceler::Plain(cancel), None);
            }
            Op::CancelCause(i) => {
                let p = i % n;
                let (ctx, cancel) = with_cancel_cause(&self.nodes[p].ctx);
                self.push_cancel(p, ctx, Canceler::Cause(cancel), None);
            }
            Op::Timeout(i) => {
                let p = i % n;
                let d = Instant::now() + Duration::from_secs(3600);
                let (ctx, cancel) = with_deadline(&self.nodes[p].ctx, d);
                self.push_cancel(p, ctx, Canceler::Plain(cancel), Some(d));
            }
            Op::Past(i) => {
                let p = i % n;
                let d = Instant::now() - Duration::from_millis(1);
                let (ctx, cancel) = with_deadline(&self.nodes[p].ctx, d);
                self.push_cancel(p, ctx, Canceler::Plain(cancel), Some(d));
                let last = self.nodes.len() - 1;
                if matches!(
                    self.nodes[last].kind,
                    Kind::Cancel {
                        deadline: Some(_),
                        ..
                    }
                ) {
                    self.cancel(
                        last,
                        Error::DeadlineExceeded,
                        Error::DeadlineExceeded.into(),
                    );
                }
            }
            Op::Value(i, k) => {
                let p = i % n;
                let v = n as u32;
                let ctx = with_value(&self.nodes[p].ctx, K(k), v);
                self.nodes.push(Node {
                    ctx,
                    parent: Some(p),
                    kind: Kind::Value(k, v),
                    cancel: None,
                });
            }
            Op::WithoutCancel(i) => {
                let p = i % n;
                let ctx = without_cancel(&self.nodes[p].ctx);
                self.nodes.push(Node {
                    ctx,
                    parent: Some(p),
                    kind: Kind::WithoutCancel,
                    cancel: None,
                });
            }
            Op::AfterFunc(i) => {
                let on = i % n;
                let stop = after_func(&self.nodes[on].ctx, || {});
                let gone = self.state(on).is_some();
                self.after.push(AfterFunc { on, stop, gone });
            }
            Op::CancelNode(i) | Op::CancelNodeWithCause(i) => {
                let Some(i) = (0..n)
                    .map(|k| (i + k) % n)
                    .find(|&k| self.nodes[k].cancel.is_some())
                else {
                    return;
                };
                let fresh = self.new_cause();
                let why = match (&op, &self.nodes[i].cancel) {
                    (Op::CancelNodeWithCause(_), Some(Canceler::Cause(c))) => {
                        c.cancel(fresh.clone());
                        fresh
                    }
                    (_, Some(Canceler::Cause(c))) => {
                        c.cancel(None);
                        Error::Canceled.into()
                    }
                    (_, Some(Canceler::Plain(c))) => {
                        c.cancel();
                        Error::Canceled.into()
                    }
                    (_, None) => unreachable!(),
                };
                self.cancel(i, Error::Canceled, why);
            }
            Op::Stop(i) => {
                if self.after.is_empty() {
                    return;
                }
                let len = self.after.len();
                let a = &mut self.after[i % len];
                assert_eq!(a.stop.stop(), !a.gone, "stop() of an after_func");
                a.gone = true;
            }
        }
    }

    /// Every context against the model.
    fn check(&self) {
        for (i, node) in self.nodes.iter().enumerate() {
            let ctx = &node.ctx;
            let want = self.state(i);
            assert_eq!(ctx.err(), want.as_ref().map(|w| w.0), "err of {i}: {ctx}");
            assert_eq!(
                cause(ctx),
                want.as_ref().map(|w| w.1.clone()),
                "cause of {i}: {ctx}"
            );
            let done = ctx.done();
            assert_eq!(
                done.is_nil(),
                self.nearest_cancel(i).is_none(),
                "done of {i} nil"
            );
            if !done.is_nil() {
                let closed = done.try_recv() == Err(TryRecvError::Closed);
                assert_eq!(closed, want.is_some(), "done of {i} closed: {ctx}");
            }
            assert_eq!(ctx.deadline(), self.deadline(i), "deadline of {i}");
            for k in 0..KEYS {
                assert_eq!(
                    ctx.value(&K(k)).copied(),
                    self.value(i, k),
                    "value {k} of {i}"
                );
            }
            if let Kind::Cancel { done, deadline } = &node.kind {
                assert_eq!(
                    linked_children(ctx),
                    Some(self.linked_under(i)),
                    "children of {i}: {ctx}"
                );
                assert_eq!(
                    timer_armed(ctx),
                    done.is_none() && deadline.is_some(),
                    "timer of {i}"
                );
            }
        }
    }

    /// The model's linked children of cancellable `i`: live cancellable
    /// contexts and live after_funcs whose nearest cancellable ancestor is
    /// `i` (none once `i` is canceled).
    fn linked_under(&self, i: usize) -> usize {
        if self.state(i).is_some() {
            return 0;
        }
        let mut n = 0;
        for node in &self.nodes[i + 1..] {
            if let Kind::Cancel { done: None, .. } = node.kind {
                let p = node.parent.expect("has a parent");
                if self.nearest_cancel(p) == Some(i) {
                    n += 1;
                }
            }
        }
        n + self
            .after
            .iter()
            .filter(|a| !a.gone && self.nearest_cancel(a.on) == Some(i))
            .count()
    }
}

proptest! {
    #[test]
    fn context_tree_matches_model(ops in ops()) {
        let mut m = Model::new();
        m.check();
        for op in ops {
            m.apply(op);
            m.check();
        }
    }
}
