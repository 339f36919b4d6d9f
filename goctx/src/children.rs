//! A cancellable context's linked children: Go's `children
//! map[canceler]struct{}` (`context/context.go`, Go 1.27), made on the
//! first child there.
//!
//! Most contexts have no child or one (a chain of `WithCancel`s, a request
//! with one deadline), so the first child lives inline and a vector is made
//! for the second: a chain of contexts makes no allocation for its
//! children. Indices are stable until a removal, which moves the last child
//! into the hole (the caller rewrites that child's slot).

use std::sync::Arc;

use crate::cancel::CancelState;

#[derive(Default)]
pub(crate) enum Children {
    #[default]
    None,
    One(Arc<CancelState>),
    Many(Vec<Arc<CancelState>>),
}

impl Children {
    pub(crate) fn len(&self) -> usize {
        match self {
            Children::None => 0,
            Children::One(_) => 1,
            Children::Many(v) => v.len(),
        }
    }

    pub(crate) fn get(&self, i: usize) -> Option<&Arc<CancelState>> {
        match self {
            Children::One(c) if i == 0 => Some(c),
            Children::Many(v) => v.get(i),
            _ => None,
        }
    }

    /// Adds `child`; returns its index.
    pub(crate) fn push(&mut self, child: Arc<CancelState>) -> usize {
        match std::mem::take(self) {
            Children::None => {
                *self = Children::One(child);
                0
            }
            Children::One(first) => {
                *self = Children::Many(vec![first, child]);
                1
            }
            Children::Many(mut v) => {
                v.push(child);
                *self = Children::Many(v);
                self.len() - 1
            }
        }
    }

    /// Removes the child at `i` (which exists), moving the last one into
    /// its place; a vector that once held many gives the room back.
    pub(crate) fn swap_remove(&mut self, i: usize) -> Arc<CancelState> {
        match self {
            Children::Many(v) => {
                let removed = v.swap_remove(i);
                let (len, cap) = (v.len(), v.capacity());
                if cap > 64 && len * 4 < cap {
                    v.shrink_to(len * 2);
                }
                removed
            }
            _ => match std::mem::take(self) {
                Children::One(c) if i == 0 => c,
                _ => unreachable!("swap_remove({i}) of a child that is not there"),
            },
        }
    }

    /// Moves every child to the end of `out` (for canceling or dropping
    /// them), leaving none.
    pub(crate) fn drain_into(&mut self, out: &mut Vec<Arc<CancelState>>) {
        match std::mem::take(self) {
            Children::None => {}
            Children::One(c) => out.push(c),
            Children::Many(mut v) => out.append(&mut v),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::Children;
    use crate::cancel::{CancelState, Hook};

    proptest! {
        /// Against a vector with `swap_remove`: the same children at the
        /// same indices after every step.
        #[test]
        fn indexes_like_a_vector(ops in proptest::collection::vec(any::<(u8, usize)>(), 1..200)) {
            let (mut children, mut model) = (Children::None, Vec::new());
            for (op, i) in ops {
                match op % 4 {
                    0 | 1 => {
                        let c = Arc::new(CancelState::new(Hook::None));
                        prop_assert_eq!(children.push(Arc::clone(&c)), model.len());
                        model.push(c);
                    }
                    2 if !model.is_empty() => {
                        let i = i % model.len();
                        let (got, want) = (children.swap_remove(i), model.swap_remove(i));
                        prop_assert!(Arc::ptr_eq(&got, &want));
                    }
                    _ => {
                        let mut out = Vec::new();
                        children.drain_into(&mut out);
                        prop_assert_eq!(out.len(), model.len());
                        prop_assert!(out.iter().zip(&model).all(|(a, b)| Arc::ptr_eq(a, b)));
                        model.clear();
                    }
                }
                prop_assert_eq!(children.len(), model.len());
                for (i, c) in model.iter().enumerate() {
                    prop_assert!(children.get(i).is_some_and(|g| Arc::ptr_eq(g, c)));
                }
                prop_assert!(children.get(model.len()).is_none());
            }
        }
    }
}
