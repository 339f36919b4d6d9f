//! The `select!` macro: Go's `select` statement, compiled the way Go's
//! compiler lowers it (`cmd/compile/internal/walk/select.go`, Go 1.27) into
//! one call of `selectgo` (the engine in [`mod@crate::select`]) and a jump
//! on the chosen case.

/// Go's `select` statement.
///
/// ```text
/// select! {
///     recv(ch) -> v => body,      // case v, ok := <-ch  (v: Option<T>; None once closed)
///     send(ch, value) => body,    // case ch <- value
///     default => body,            // default
/// }
/// ```
///
/// Channel operands are [`Chan`](crate::Chan), [`RecvChan`](crate::RecvChan)
/// (receive) or [`SendChan`](crate::SendChan) (send), or references to them;
/// they and the sent values are evaluated once, in order, before the select
/// runs. A case is ready when its operation would not wait, and a closed
/// channel is ready for both: a receive from it gives `None`, a send on it
/// panics. When several cases are ready one is chosen uniformly at random
/// (Go 1.27's `selectgo`); without `default` the select blocks until one
/// is. Nil channels never become ready; a select with no case blocks
/// forever. Timer channels come from [`after`](crate::after) and
/// [`tick`](crate::tick). Bodies are blocks or expressions; the whole
/// `select!` is an expression. A value a send case did not send is dropped
/// when the `select!` ends.
///
/// # Panics
/// `send on closed channel` if a send case is chosen whose channel is closed.
///
/// ```
/// use std::time::Duration;
/// use gochan::{after, make, select};
///
/// let (a, b) = (make::<i32>(1), make::<&str>(1));
/// b.send("hello");
/// let got = select! {
///     recv(a) -> v => format!("a: {v:?}"),
///     recv(b) -> v => format!("b: {}", v.unwrap()),
///     recv(after(Duration::from_secs(1))) -> _ => "timeout".to_string(),
/// };
/// assert_eq!(got, "b: hello");
///
/// let full = make::<i32>(0);
/// let sent = select! {
///     send(full, 1) => true,
///     default => false,
/// };
/// assert!(!sent);
/// ```
///
/// Operands by reference, as a function that borrows its channels writes
/// them:
///
/// ```
/// use gochan::{Chan, RecvChan, SendChan, make, select};
///
/// fn relay(from: &RecvChan<u32>, to: &SendChan<u32>, done: &Chan<()>) -> u32 {
///     let mut relayed = 0;
///     loop {
///         select! {
///             recv(from) -> v => match v {
///                 Some(v) => select! {
///                     send(to, v * 10) => relayed += 1,
///                     recv(done) -> _ => return relayed,
///                 },
///                 None => return relayed,
///             },
///             recv(done) -> _ => return relayed,
///         }
///     }
/// }
///
/// let (input, output, done) = (make::<u32>(2), make::<u32>(2), make::<()>(0));
/// input.send(1);
/// input.send(2);
/// input.close();
/// assert_eq!(relay(&input.recv_only(), &output.send_only(), &done), 2);
/// let (r, s) = (&input, &output);
/// select! {
///     recv(r) -> v => assert_eq!(v, None), // closed and drained
///     send(&s, 30) => unreachable!("full"),
/// }
/// assert_eq!(output.recv(), Some(10));
/// assert_eq!(output.recv(), Some(20));
/// ```
#[macro_export]
macro_rules! select {
    ($($tokens:tt)*) => {
        $crate::__select_parse!(
            @list ()
            @default ()
            @names ((__gochan_c0 0) (__gochan_c1 1) (__gochan_c2 2) (__gochan_c3 3) (__gochan_c4 4) (__gochan_c5 5) (__gochan_c6 6) (__gochan_c7 7) (__gochan_c8 8) (__gochan_c9 9) (__gochan_c10 10) (__gochan_c11 11) (__gochan_c12 12) (__gochan_c13 13) (__gochan_c14 14) (__gochan_c15 15) (__gochan_c16 16) (__gochan_c17 17) (__gochan_c18 18) (__gochan_c19 19) (__gochan_c20 20) (__gochan_c21 21) (__gochan_c22 22) (__gochan_c23 23) (__gochan_c24 24) (__gochan_c25 25) (__gochan_c26 26) (__gochan_c27 27) (__gochan_c28 28) (__gochan_c29 29) (__gochan_c30 30) (__gochan_c31 31))
            @rest ($($tokens)*)
        )
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_parse {
    // Separators.
    (@list $list:tt @default $d:tt @names $names:tt @rest (, $($rest:tt)*)) => {
        $crate::__select_parse!(@list $list @default $d @names $names @rest ($($rest)*))
    };
    // recv(ch) -> v => { ... }
    (@list ($($list:tt)*) @default $d:tt @names (($n:ident $i:tt) $($names:tt)*)
     @rest (recv($ch:expr) -> $v:pat => $body:block $($rest:tt)*)) => {
        $crate::__select_parse!(
            @list ($($list)* (recv $n $i ($ch) () ($v) ($body)))
            @default $d @names ($($names)*) @rest ($($rest)*))
    };
    // recv(ch) -> v => expr,
    (@list ($($list:tt)*) @default $d:tt @names (($n:ident $i:tt) $($names:tt)*)
     @rest (recv($ch:expr) -> $v:pat => $body:expr $(, $($rest:tt)*)?)) => {
        $crate::__select_parse!(
            @list ($($list)* (recv $n $i ($ch) () ($v) ($body)))
            @default $d @names ($($names)*) @rest ($($($rest)*)?))
    };
    // send(ch, value) => { ... }
    (@list ($($list:tt)*) @default $d:tt @names (($n:ident $i:tt) $($names:tt)*)
     @rest (send($ch:expr, $val:expr $(,)?) => $body:block $($rest:tt)*)) => {
        $crate::__select_parse!(
            @list ($($list)* (send $n $i ($ch) ($val) (_) ($body)))
            @default $d @names ($($names)*) @rest ($($rest)*))
    };
    // send(ch, value) => expr,
    (@list ($($list:tt)*) @default $d:tt @names (($n:ident $i:tt) $($names:tt)*)
     @rest (send($ch:expr, $val:expr $(,)?) => $body:expr $(, $($rest:tt)*)?)) => {
        $crate::__select_parse!(
            @list ($($list)* (send $n $i ($ch) ($val) (_) ($body)))
            @default $d @names ($($names)*) @rest ($($($rest)*)?))
    };
    // default => { ... }
    (@list $list:tt @default () @names $names:tt
     @rest (default => $body:block $($rest:tt)*)) => {
        $crate::__select_parse!(@list $list @default ($body) @names $names @rest ($($rest)*))
    };
    // default => expr,
    (@list $list:tt @default () @names $names:tt
     @rest (default => $body:expr $(, $($rest:tt)*)?)) => {
        $crate::__select_parse!(@list $list @default ($body) @names $names @rest ($($($rest)*)?))
    };
    (@list $list:tt @default ($($d:tt)+) @names $names:tt @rest (default $($rest:tt)*)) => {
        ::core::compile_error!("select!: more than one `default` case")
    };
    (@list $list:tt @default $d:tt @names () @rest ($($rest:tt)+)) => {
        ::core::compile_error!("select!: too many cases (at most 32)")
    };
    // Done: build the cases (operands in source order, each case in place:
    // `let x = &temporary` keeps a temporary channel alive to the end of
    // the block), run selectgo, jump to the chosen body.
    (@list ($(($kind:ident $n:ident $i:tt ($ch:expr) ($($val:expr)?) ($v:pat) ($body:expr)))*)
     @default $d:tt @names $names:tt @rest ()) => {{
        $(
            let __gochan_chan = &$ch;
            $crate::__select_parse!(@new $kind $n (__gochan_chan) ($($val)?));
        )*
        let __gochan_chosen = $crate::__private::select(
            &mut [$($n.case()),*],
            $crate::__select_parse!(@block $d),
        );
        match __gochan_chosen {
            $(::core::option::Option::Some($i) => {
                $crate::__select_parse!(@arm $kind $n ($v) ($body))
            })*
            _ => $crate::__select_parse!(@default $d),
        }
    }};
    (@list $list:tt @default $d:tt @names $names:tt @rest ($($rest:tt)+)) => {
        ::core::compile_error!(::core::concat!(
            "select!: expected `recv(ch) -> v => body`, `send(ch, value) => body` or `default => body`, found `",
            ::core::stringify!($($rest)+), "`"
        ))
    };
    (@new recv $n:ident ($ch:ident) ()) => {
        let mut $n = $crate::__private::RecvCase::new($ch);
    };
    (@new send $n:ident ($ch:ident) ($val:expr)) => {
        let mut $n = $crate::__private::SendCase::new($ch);
        $n.load($val);
    };
    (@block ()) => { true };
    (@block ($body:expr)) => { false };
    (@default ()) => { ::core::unreachable!("select! without default returned no case") };
    (@default ($body:expr)) => { $body };
    (@arm recv $n:ident ($v:pat) ($body:expr)) => {{
        let $v = $n.value();
        $body
    }};
    (@arm send $n:ident ($v:pat) ($body:expr)) => {{
        let _ = &$n;
        $body
    }};
}
