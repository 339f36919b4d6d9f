//! Every row of the golden tables made by the real Go toolchains (see
//! `tests/golden/README.md`) against the model:
//!
//! - growth (`tests/golden/gen/main.go`): `append`ing `added` elements to a
//!   slice of `old_len`/`old_cap` must give Go's `new_cap`, through the pure
//!   function and through a real [`Slice`] alike;
//! - addresses (`tests/golden/addr/main.go`): where slicing leaves the data
//!   pointer (`%p`), including Go's rule that a result with capacity 0
//!   keeps the old pointer, and `append` to `make([]struct{}, 1<<40)`.

use std::path::Path;

use goslice::{ElemType, GoVersion, Slice, append_cap};

#[derive(Debug)]
struct Row {
    elem: ElemType,
    old_len: usize,
    old_cap: usize,
    added: usize,
    new_len: usize,
    new_cap: usize,
}

fn load(file: &str) -> (GoVersion, Vec<Row>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let version_line = text
        .lines()
        .find_map(|l| l.strip_prefix("# go version: "))
        .expect("version line");
    let release = version_line.split_whitespace().next().unwrap();
    let version: GoVersion = release.parse().unwrap();
    let rows = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<usize> = l.split_whitespace().map(|x| x.parse().unwrap()).collect();
            assert_eq!(f.len(), 7, "bad row `{l}`");
            Row {
                elem: ElemType {
                    size: f[0],
                    pointers: f[1] == 1,
                },
                old_len: f[2],
                old_cap: f[3],
                added: f[4],
                new_len: f[5],
                new_cap: f[6],
            }
        })
        .collect();
    (version, rows)
}

fn check_file(file: &str, expect: GoVersion) {
    let (version, rows) = load(file);
    assert_eq!(version, expect);
    assert!(rows.len() > 1000, "{file}: only {} rows", rows.len());
    let mut wrong = Vec::new();
    for row in &rows {
        assert_eq!(row.new_len, row.old_len + row.added);
        let got = append_cap(version, row.elem, row.old_len, row.old_cap, row.added).unwrap();
        if got != row.new_cap {
            wrong.push(format!("{row:?}: model says cap {got}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{file}: {} of {} rows differ:\n{}",
        wrong.len(),
        rows.len(),
        wrong.join("\n")
    );
}

/// One test per golden file, so a failure names its release.
macro_rules! golden_tests {
    ($($name:ident: $file:literal => $version:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_file($file, GoVersion::$version);
            }
        )*
    };
}

golden_tests! {
    go1_19: "go1.19.txt" => V1_19,
    go1_21: "go1.21.txt" => V1_21,
    go1_22: "go1.22.txt" => V1_22,
    go1_23: "go1.23.txt" => V1_23,
    go1_24: "go1.24.txt" => V1_24,
    go1_25: "go1.25.txt" => V1_25,
    go1_26: "go1.26.txt" => V1_26,
    go1_27: "go1.27.txt" => V1_27,
}

/// The same rows through real slices of a pointerful and a pointer-free
/// 24-byte type: `Slice::append_all` must land on Go's capacities.
#[test]
fn slices_grow_like_go_1_22_for_24_byte_elements() {
    /// 24 bytes holding a pointer; the fields are never read, only sized.
    #[derive(Clone, Default)]
    #[allow(dead_code, reason = "only the layout matters")]
    struct Scan(Option<Box<u64>>, u64, u64);
    goslice::has_pointers!(true: Scan);
    let (version, rows) = load("go1.22.txt");
    let mut checked = 0;
    for row in rows.iter().filter(|r| r.elem == ElemType::of::<Scan>()) {
        let s: goslice::Slice<Scan> =
            goslice::Slice::make(row.old_len, row.old_cap).with_version(version);
        let grown = s.append_all(&vec![Scan::default(); row.added]);
        assert_eq!(
            (grown.len(), grown.cap()),
            (row.new_len, row.new_cap),
            "{row:?}"
        );
        checked += 1;
    }
    assert!(
        checked > 50,
        "only {checked} rows for 24-byte pointerful elements"
    );
}

/// `base[expr]`, for an `expr` written as Go writes it (`s[1:]`,
/// `s[1:1:1]`), or one of the two appends the golden rows make of a slice
/// of zero-sized elements.
fn eval<T: Clone + Default + goslice::HasPointers>(base: &Slice<T>, expr: &str) -> Slice<T> {
    if expr.starts_with("append(") {
        return match expr.split_once(',').unwrap().1 {
            "{})" => base.append(T::default()),
            _ => base.append_slice(base),
        };
    }
    let inside = &expr[expr.find('[').unwrap() + 1..expr.len() - 1];
    let parts: Vec<Option<usize>> = inside
        .split(':')
        .map(|p| (!p.is_empty()).then(|| p.parse().unwrap()))
        .collect();
    match parts[..] {
        [lo, hi] => base.slice(lo.unwrap_or(0)..hi.unwrap_or(base.len())),
        [lo, Some(hi), Some(max)] => base.slice3(lo.unwrap_or(0), hi, max),
        _ => panic!("bad slice expression {expr}"),
    }
}

/// A golden row for `base[expr]`: `BASE EXPR LEN CAP OFFSET`, the offset in
/// bytes from `base`'s data pointer (`nil` for none).
fn addr_row<T: Clone + Default + goslice::HasPointers>(
    name: &str,
    base: &Slice<T>,
    expr: &str,
) -> String {
    let x = eval(base, expr);
    let ptr = |s: &Slice<T>| usize::from_str_radix(&s.addr().to_string()[2..], 16).unwrap();
    let offset = if ptr(&x) == 0 {
        "nil".to_string()
    } else {
        (ptr(&x) as i128 - ptr(base) as i128).to_string()
    };
    format!("{name} {expr} {} {} {offset}", x.len(), x.cap())
}

#[test]
fn slicing_moves_the_pointer_as_go_does() {
    for file in ["addr_go1.19.txt", "addr_go1.27.txt"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let s = goslice::slice![1i64, 2, 3];
        let t = s.slice(1..);
        let e = Slice::<i64>::empty();
        let n = Slice::<i64>::nil();
        let z = Slice::<()>::make(3, 3);
        let big = Slice::<()>::make(1 << 40, 1 << 40);
        let mut rows = 0;
        for want in text.lines().filter(|l| !l.starts_with('#')) {
            let (name, expr) = want.split_once(' ').unwrap();
            let expr = expr.split(' ').next().unwrap();
            let got = match name {
                "s" => addr_row(name, &s, expr),
                "t" => addr_row(name, &t, expr),
                "e" => addr_row(name, &e, expr),
                "n" => addr_row(name, &n, expr),
                "z" => addr_row(name, &z, expr),
                "big" => addr_row(name, &big, expr),
                _ => panic!("{file}: unknown base in `{want}`"),
            };
            assert_eq!(got, want, "{file}");
            rows += 1;
        }
        assert!(rows >= 31, "{file}: {rows} rows");
    }
}
