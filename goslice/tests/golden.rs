//! Every row of the golden growth tables, made by the real Go toolchains
//! (`tests/golden/gen/main.go`, see `tests/golden/README.md`), against the
//! model: `append`ing `added` elements to a slice of `old_len`/`old_cap`
//! must give Go's `new_cap`, through the pure function and through a real
//! [`Slice`] alike.

use std::path::Path;

use goslice::{ElemType, GoVersion, append_cap};

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
