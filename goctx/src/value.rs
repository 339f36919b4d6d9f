//! Request-scoped values: Go's `WithValue` and `valueCtx`
//! (`context/context.go`, Go 1.27), with typed keys.
//!
//! Go's keys are `any` values compared with `==`, and `Value` returns
//! `any` for the caller to assert. Here a key is a value of a type that
//! implements [`ContextKey`], which names the type of the value it binds,
//! so a lookup returns `&K::Value` and there is nothing to assert. Keys
//! are compared as Go compares them: the same type and `==`.
//!
//! Go panics on a `nil` key and on a key whose type is not comparable;
//! neither can be written here (a key is a value, and `ContextKey` requires
//! `PartialEq`).

use std::any::{Any, TypeId, type_name};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use crate::context::{Context, Repr};

/// A type whose values are context keys; `Value` is the type of what a key
/// binds. Go's advice holds: give each package its own key type, so keys of
/// different packages never collide.
///
/// ```
/// use goctx::ContextKey;
///
/// #[derive(PartialEq)]
/// struct RequestId; // Go: type requestIDKey struct{}
/// impl ContextKey for RequestId {
///     type Value = u64;
/// }
///
/// let ctx = goctx::with_value(&goctx::background(), RequestId, 42);
/// assert_eq!(ctx.value(&RequestId), Some(&42));
/// assert!(ctx.to_string().ends_with("RequestId, u64)"));
/// ```
///
/// Go's `WithValue` panics at run time on a key that is `nil` (`nil key`)
/// or not comparable (`key is not comparable`). Neither compiles here: a
/// key is a value, and its type must be `PartialEq`.
///
/// ```compile_fail
/// struct NotComparable(Vec<u8>); // no PartialEq
/// impl goctx::ContextKey for NotComparable {
///     type Value = u8;
/// }
/// ```
pub trait ContextKey: Sized + PartialEq + Send + Sync + 'static {
    /// The type of the value the key binds.
    type Value: Send + Sync + 'static;

    /// How the key prints in a context's `String` form. The default is Go's
    /// `stringify`: a string key prints itself, any other its type name
    /// (override it as Go's `String()` method would).
    fn fmt_key(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        stringify(self, type_name::<Self>(), f)
    }

    /// How a value prints in a context's `String` form; the same default.
    fn fmt_value(value: &Self::Value, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        stringify(value, type_name::<Self::Value>(), f)
    }
}

/// Go's `stringify`: strings print themselves, anything else its type name.
fn stringify(v: &dyn Any, type_name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if let Some(s) = v.downcast_ref::<String>() {
        f.write_str(s)
    } else if let Some(s) = v.downcast_ref::<&'static str>() {
        f.write_str(s)
    } else {
        f.write_str(type_name)
    }
}

/// A ready-made key: a name and the type of the value it binds. Two keys
/// are the same when both agree, as two Go string keys are the same when
/// the strings are; for a key nobody else can name, use a type of your own
/// ([`ContextKey`]).
///
/// ```
/// use goctx::Key;
/// const TRACE_ID: Key<String> = Key::new("traceId");
/// let ctx = goctx::with_value(&goctx::background(), TRACE_ID, "qcrao-2019".into());
/// assert_eq!(ctx.value(&TRACE_ID).unwrap(), "qcrao-2019");
/// assert_eq!(ctx.value(&Key::<u32>::new("traceId")), None); // another value type
/// assert_eq!(ctx.to_string(), "context.Background.WithValue(traceId, qcrao-2019)");
/// ```
pub struct Key<V> {
    name: &'static str,
    value: PhantomData<fn() -> V>,
}

impl<V> Key<V> {
    /// A key named `name` binding values of type `V`.
    pub const fn new(name: &'static str) -> Key<V> {
        Key {
            name,
            value: PhantomData,
        }
    }

    /// The key's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<V> Clone for Key<V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<V> Copy for Key<V> {}

impl<V> PartialEq for Key<V> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl<V> Eq for Key<V> {}

impl<V> fmt::Debug for Key<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key<{}>({:?})", type_name::<V>(), self.name)
    }
}

impl<V: Send + Sync + 'static> ContextKey for Key<V> {
    type Value = V;

    /// A named key prints its name, as a Go string key prints itself.
    fn fmt_key(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// What a lookup asks for: a key, or (inside goctx) the nearest cancellable
/// context, Go's `Value(&cancelCtxKey)`. A [`CustomContext`] receives one in
/// [`value`](crate::CustomContext::value), answers it if the key is its
/// own ([`Lookup::key`]) and otherwise forwards it with
/// [`Context::lookup`].
///
/// [`CustomContext`]: crate::CustomContext
pub struct Lookup<'k>(Query<'k>);

enum Query<'k> {
    /// The key, and its type (kept apart so that passing nodes of other
    /// key types costs no virtual call).
    Key(&'k (dyn Any + Send + Sync), TypeId),
    /// Go's `&cancelCtxKey`: answered by a cancellable context with its own
    /// state (`Arc<CancelState>`), and with nothing by `WithoutCancel`.
    CancelState,
}

impl<'k> Lookup<'k> {
    /// A lookup of `key`.
    pub fn new<K: ContextKey>(key: &'k K) -> Lookup<'k> {
        Lookup(Query::Key(key, TypeId::of::<K>()))
    }

    /// The lookup of the nearest cancellable context.
    pub(crate) const CANCEL_STATE: Lookup<'static> = Lookup(Query::CancelState);

    /// The key, if this is a lookup of a key of type `K`.
    ///
    /// ```
    /// use goctx::{Key, Lookup};
    /// let k = Key::<u8>::new("k");
    /// assert_eq!(Lookup::new(&k).key::<Key<u8>>(), Some(&k));
    /// assert_eq!(Lookup::new(&k).key::<Key<u16>>(), None);
    /// ```
    pub fn key<K: ContextKey>(&self) -> Option<&'k K> {
        match self.0 {
            Query::Key(k, _) => k.downcast_ref::<K>(),
            Query::CancelState => None,
        }
    }

    pub(crate) fn is_cancel_state(&self) -> bool {
        matches!(self.0, Query::CancelState)
    }
}

impl fmt::Debug for Lookup<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Query::Key(..) => f.write_str("Lookup(key)"),
            Query::CancelState => f.write_str("Lookup(cancelCtxKey)"),
        }
    }
}

/// One key and its value, whatever their types.
pub(crate) trait Entry: Send + Sync {
    /// Whether `key` is this entry's key (the same type, and `==`).
    fn matches(&self, key: &(dyn Any + Send + Sync)) -> bool;
    fn value(&self) -> &(dyn Any + Send + Sync);
    /// `key, value` as Go's `valueCtx.String` prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

struct KeyValue<K: ContextKey> {
    key: K,
    value: K::Value,
}

impl<K: ContextKey> Entry for KeyValue<K> {
    fn matches(&self, key: &(dyn Any + Send + Sync)) -> bool {
        key.downcast_ref::<K>() == Some(&self.key)
    }
    fn value(&self) -> &(dyn Any + Send + Sync) {
        &self.value
    }
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.key.fmt_key(f)?;
        f.write_str(", ")?;
        K::fmt_value(&self.value, f)
    }
}

/// Go's `valueCtx`: a parent and one key-value pair. The key's type is
/// kept beside the entry, so a lookup passes a node of another key type
/// with one comparison.
pub(crate) struct ValueNode<E: ?Sized + Entry> {
    pub(crate) parent: Context,
    key_type: TypeId,
    entry: E,
}

impl ValueNode<dyn Entry> {
    /// The value if `key` asks for this node's key.
    pub(crate) fn get(&self, key: &Lookup<'_>) -> Option<&(dyn Any + Send + Sync)> {
        match key.0 {
            Query::Key(k, t) if t == self.key_type && self.entry.matches(k) => {
                Some(self.entry.value())
            }
            _ => None,
        }
    }

    pub(crate) fn fmt_entry(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.entry.fmt(f)
    }
}

/// `context.WithValue(parent, key, val)`: a child of `parent` that binds
/// `key` to `value`; lookups of other keys go on to `parent`. Use it for
/// request-scoped data that crosses APIs and goroutines, not to pass
/// optional parameters.
///
/// ```
/// use goctx::Key;
/// const A: Key<i32> = Key::new("a");
/// let parent = goctx::with_value(&goctx::background(), A, 1);
/// let child = goctx::with_value(&parent, A, 2); // shadows the parent's
/// assert_eq!((parent.value(&A), child.value(&A)), (Some(&1), Some(&2)));
/// ```
pub fn with_value<K: ContextKey>(parent: &Context, key: K, value: K::Value) -> Context {
    let node: Arc<ValueNode<dyn Entry>> = Arc::new(ValueNode {
        parent: parent.clone(),
        key_type: TypeId::of::<K>(),
        entry: KeyValue { key, value },
    });
    Context {
        repr: Repr::Value(node),
    }
}
