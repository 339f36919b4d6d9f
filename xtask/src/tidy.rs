//! `tidy`: the house rules that keep the workspace readable, checked as
//! `#[test]`s so that `cargo test --workspace` fails when one is broken
//! (rust-analyzer's `xtask/src/tidy.rs` is the model). Each check reads the
//! sources as text:
//!
//! - every source file opens with a `//!` line saying what it models
//!   (after a licence header, where it keeps one);
//! - no source file is over [`MAX_LINES`] lines (one concept a file);
//! - every `unsafe` block and `unsafe impl` has a `SAFETY:` comment, and
//!   every `unsafe fn` a `# Safety` doc section;
//! - ARCHITECTURE.md has a code-map section for every crate of the
//!   workspace and none for a crate that does not exist; every file it
//!   names exists, and every file under a crate's `src/` is named there;
//! - where a crate's section lists its layers ("Layers, bottom up"), every
//!   `src/` file is in one layer and uses (`crate::module`) only modules of
//!   its own layer or below, with no circle, except the links its "Links
//!   up" line names;
//! - a path from the workspace root to a source file (`gosched/src/park.rs`)
//!   in a comment or a README names a file that exists.
//!
//! Nothing here runs at `cargo xtask` time; the module is only compiled
//! for its tests.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// One concept a file: a longer file is two.
const MAX_LINES: usize = 800;

/// The workspace root (xtask's parent).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

/// The workspace's crates: (package name, directory relative to the root),
/// from the root manifest's `members`.
fn crates() -> Vec<(String, String)> {
    let manifest = fs::read_to_string(root().join("Cargo.toml")).expect("read Cargo.toml");
    let members = manifest
        .split_once("members = [")
        .and_then(|(_, rest)| rest.split_once(']'))
        .expect("Cargo.toml has `members = [...]`")
        .0;
    members
        .split(',')
        .map(|m| m.trim().trim_matches('"'))
        .filter(|m| !m.is_empty())
        .map(|dir| {
            let toml = fs::read_to_string(root().join(dir).join("Cargo.toml"))
                .unwrap_or_else(|e| panic!("read {dir}/Cargo.toml: {e}"));
            let name = toml
                .lines()
                .find_map(|l| l.strip_prefix("name = "))
                .expect("a package name")
                .trim_matches('"')
                .to_owned();
            (name, dir.to_owned())
        })
        .collect()
}

/// Every `.rs` file under `dir`, skipping build output.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && !name.to_string_lossy().starts_with('.') {
                out.extend(rust_files(&path));
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Every folder under `dir`, skipping build output.
fn dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() && name != "target" && !name.to_string_lossy().starts_with('.') {
            out.extend(dirs(&path));
            out.push(path);
        }
    }
    out
}

/// Every source file of every crate: `src/`, `tests/`, `benches/`,
/// `examples/` (the umbrella's own, not its members').
fn all_sources() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (_, dir) in crates() {
        for sub in ["src", "tests", "benches", "examples"] {
            out.extend(rust_files(&root().join(&dir).join(sub)));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with("//")
}

#[test]
fn every_source_file_opens_with_what_it_models() {
    let mut bad = Vec::new();
    for path in all_sources() {
        let text = fs::read_to_string(&path).expect("read a source file");
        // A licence header (plain `//` lines) may come first.
        let first = text
            .lines()
            .find(|l| !l.trim().is_empty() && (!is_comment(l) || l.starts_with("//!")));
        if !first.is_some_and(|l| l.starts_with("//! ") && l.len() > 8) {
            bad.push(relative(&path));
        }
    }
    assert!(
        bad.is_empty(),
        "these files do not open with a `//!` line saying what they model (which Go file or \
         concept):\n  {}",
        bad.join("\n  ")
    );
}

#[test]
fn no_file_is_two_concepts() {
    let mut bad = Vec::new();
    for path in all_sources() {
        let n = fs::read_to_string(&path).expect("read").lines().count();
        if n > MAX_LINES {
            bad.push(format!("{} ({n} lines)", relative(&path)));
        }
    }
    assert!(
        bad.is_empty(),
        "files over {MAX_LINES} lines (one concept a file: split them):\n  {}",
        bad.join("\n  ")
    );
}

/// Whether the statement holding line `i` has a comment containing
/// `needle` right above it: walks up through comment lines and through the
/// lines of the same statement, stopping at a blank line or at the end of
/// the previous statement or block.
fn commented_above(lines: &[&str], i: usize, needle: &str) -> bool {
    if lines[i].contains(needle) {
        return true;
    }
    let mut j = i;
    while j > 0 {
        j -= 1;
        let l = lines[j].trim();
        if l.starts_with("//") {
            if l.contains(needle) {
                return true;
            }
            continue;
        }
        if l.starts_with("#[") {
            continue;
        }
        if l.is_empty() || l.ends_with(';') || l.ends_with('{') || l.ends_with('}') {
            return false;
        }
    }
    false
}

/// Whether `needle` occurs in `code` outside a string literal (an odd
/// number of quotes before it means inside one).
fn in_code(code: &str, needle: &str) -> bool {
    code.match_indices(needle)
        .any(|(i, _)| code[..i].matches('"').count() % 2 == 0)
}

/// Whether line `i` is a method of a trait impl (`impl Trait for T`),
/// whose contract is the trait's and documented there.
fn in_trait_impl(lines: &[&str], i: usize) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mine = indent(lines[i]);
    lines[..i]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty() && !is_comment(l) && indent(l) < mine)
        .is_some_and(|l| {
            let t = l.trim_start();
            (t.starts_with("impl") || t.starts_with("unsafe impl")) && t.contains(" for ")
        })
}

#[test]
fn every_unsafe_is_argued() {
    let mut bad = Vec::new();
    for path in all_sources() {
        let text = fs::read_to_string(&path).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if is_comment(line) {
                continue;
            }
            let code = line.split("//").next().unwrap_or(line);
            let at = format!("{}:{}", relative(&path), i + 1);
            let block = in_code(code, "unsafe {") || code.trim_start().starts_with("unsafe impl");
            if block && !commented_above(&lines, i, "SAFETY:") {
                bad.push(format!(
                    "{at}: an unsafe block or impl without a `// SAFETY:` comment"
                ));
            }
            let function = in_code(code, "unsafe fn ") && !in_trait_impl(&lines, i);
            if function && !commented_above(&lines, i, "# Safety") {
                bad.push(format!(
                    "{at}: an unsafe fn without a `# Safety` doc section"
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "unargued unsafe code:\n  {}",
        bad.join("\n  ")
    );
}

/// ARCHITECTURE.md's code map: one section (`### \`crate\``) per crate,
/// with the text of its section.
fn code_map() -> BTreeMap<String, String> {
    let text = fs::read_to_string(root().join("ARCHITECTURE.md")).expect("read ARCHITECTURE.md");
    let mut sections = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        if line.starts_with("## ") || line.starts_with("### ") {
            if let Some((name, body)) = current.take() {
                sections.insert(name, body);
            }
            if let Some(rest) = line.strip_prefix("### `") {
                let name = rest.split('`').next().unwrap_or_default().to_owned();
                current = Some((name, String::new()));
            }
            continue;
        }
        if let Some((_, body)) = &mut current {
            body.push_str(line);
            body.push('\n');
        }
    }
    if let Some((name, body)) = current {
        sections.insert(name, body);
    }
    sections
}

/// The backticked words of `text` that name a source file (`x.rs`) or a
/// folder (`dir/`).
fn named_files(text: &str) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| {
            !w.contains(' ')
                && (w.ends_with(".rs")
                    || (w.ends_with('/')
                        && w.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "_/".contains(c))))
        })
        .map(str::to_owned)
        .collect()
}

/// Whether a file named `name` in a crate's section is `path` (relative to
/// the crate's `src/`): the name is the path, or its end (`story.rs` for
/// `explore/story.rs`).
fn names(name: &str, path: &str) -> bool {
    path == name || path.ends_with(&format!("/{name}"))
}

#[test]
fn architecture_names_every_crate_and_file_that_exists() {
    let map = code_map();
    let crates = crates();
    let mut bad = Vec::new();
    for (name, _) in &crates {
        if !map.contains_key(name) {
            bad.push(format!(
                "crate `{name}` has no code-map section (`### \\`{name}\\``)"
            ));
        }
    }
    for (section, body) in &map {
        let Some((_, dir)) = crates.iter().find(|(n, _)| n == section) else {
            bad.push(format!(
                "section `{section}` names no crate of the workspace"
            ));
            continue;
        };
        let src = root().join(dir).join("src");
        let files: Vec<String> = rust_files(&src)
            .iter()
            .map(|p| {
                p.strip_prefix(&src)
                    .expect("under src")
                    .display()
                    .to_string()
            })
            .collect();
        let named = named_files(body);
        for n in &named {
            let exists = if let Some(folder) = n.strip_suffix('/') {
                root().join(folder).is_dir()
                    || dirs(&root().join(dir)).iter().any(|d| d.ends_with(folder))
            } else {
                files.iter().any(|f| names(n, f))
                    || root().join(n).is_file()
                    || root().join(dir).join(n).is_file()
            };
            if !exists {
                bad.push(format!("`{section}` names `{n}`, which does not exist"));
            }
        }
        for f in &files {
            let in_named_folder = |f: &str| {
                f.ends_with("/mod.rs")
                    && named
                        .iter()
                        .any(|n| n.ends_with('/') && f.starts_with(n.as_str()))
            };
            let exempt = f == "lib.rs" || in_named_folder(f);
            if !exempt && !named.iter().any(|n| names(n, f)) {
                bad.push(format!("`{section}`'s section does not name `src/{f}`"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "ARCHITECTURE.md's code map and the code disagree:\n  {}",
        bad.join("\n  ")
    );
}

/// A crate's layers from its section: the numbered items after a line
/// holding "Layers, bottom up", each the `x.rs` files it names; and the
/// links up, the `a.rs` → `b.rs` pairs on its "Links up" line.
type Layers = (Vec<Vec<String>>, Vec<(String, String)>);

fn layers(body: &str) -> Option<Layers> {
    let mut lines = body
        .lines()
        .skip_while(|l| !l.contains("Layers, bottom up"));
    lines.next()?;
    let mut layers: Vec<Vec<String>> = Vec::new();
    let mut links_text = String::new();
    for line in lines {
        let t = line.trim_start();
        if t.is_empty() {
            continue;
        }
        if t.starts_with("- ") || t.starts_with("###") {
            break;
        }
        if t.starts_with("Links up") || !links_text.is_empty() {
            links_text.push_str(t);
            links_text.push(' ');
            continue;
        }
        let numbered = t
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if numbered {
            layers.push(Vec::new());
        }
        if let Some(layer) = layers.last_mut() {
            layer.extend(named_files(t).into_iter().filter(|n| n.ends_with(".rs")));
        }
    }
    // `a.rs` → `b.rs` pairs: the files it names, two by two.
    let files: Vec<String> = links_text
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| w.ends_with(".rs"))
        .map(str::to_owned)
        .collect();
    let links = files
        .chunks(2)
        .map(|pair| (pair[0].clone(), pair.get(1).cloned().unwrap_or_default()))
        .collect();
    Some((layers, links))
}

/// The modules a source file uses: every `crate::name` outside comments.
fn uses(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines().filter(|l| !is_comment(l)) {
        let code = line.split("//").next().unwrap_or(line);
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(format!("{name}.rs"));
            }
        }
    }
    out
}

#[test]
fn layered_crates_use_only_what_lies_below() {
    let crates = crates();
    let mut checked = 0;
    for (section, body) in code_map() {
        let Some((layers, links)) = layers(&body) else {
            continue;
        };
        checked += 1;
        let (_, dir) = crates
            .iter()
            .find(|(n, _)| *n == section)
            .expect("a crate's section");
        let src = root().join(dir).join("src");
        let layer_of: BTreeMap<&str, usize> = layers
            .iter()
            .enumerate()
            .flat_map(|(i, files)| files.iter().map(move |f| (f.as_str(), i)))
            .collect();
        let mut bad = Vec::new();
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for path in rust_files(&src) {
            let file = path
                .strip_prefix(&src)
                .expect("under src")
                .display()
                .to_string();
            if file == "lib.rs" {
                continue;
            }
            let Some(&mine) = layer_of.get(file.as_str()) else {
                bad.push(format!("`{file}` is in no layer"));
                continue;
            };
            let text = fs::read_to_string(&path).expect("read");
            for used in uses(&text) {
                if used == file || !src.join(&used).is_file() {
                    continue; // itself, or a re-export at the crate root
                }
                if links.iter().any(|(a, b)| *a == file && *b == used) {
                    continue;
                }
                match layer_of.get(used.as_str()) {
                    Some(&theirs) if theirs > mine => bad.push(format!(
                        "`{file}` (layer {}) uses `{used}` (layer {})",
                        mine + 1,
                        theirs + 1
                    )),
                    _ => {}
                }
                edges.entry(file.clone()).or_default().insert(used);
            }
        }
        if let Some(cycle) = find_cycle(&edges) {
            bad.push(format!("a circle: {}", cycle.join(" -> ")));
        }
        assert!(
            bad.is_empty(),
            "`{section}`'s layers (ARCHITECTURE.md) and its code disagree:\n  {}",
            bad.join("\n  ")
        );
    }
    assert!(checked > 0, "no crate lists its layers");
}

/// A circle in `edges`, if there is one (depth-first search).
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

#[test]
fn the_layer_reader_reads_layers_and_links() {
    let body = "Layers, bottom up:\n1. `a.rs`, `b.rs`\n2. `c.rs`\n   (`d.rs`)\n\nLinks up: `a.rs` → `c.rs` (why),\n`c.rs` → `d.rs` (`startm`).\n- more\n";
    let (layers, links) = layers(body).expect("layers");
    assert_eq!(layers, [vec!["a.rs", "b.rs"], vec!["c.rs", "d.rs"]]);
    assert_eq!(
        links,
        [
            ("a.rs".to_owned(), "c.rs".to_owned()),
            ("c.rs".to_owned(), "d.rs".to_owned())
        ]
    );
    let edges = BTreeMap::from([
        ("a.rs".to_owned(), BTreeSet::from(["c.rs".to_owned()])),
        ("c.rs".to_owned(), BTreeSet::from(["a.rs".to_owned()])),
    ]);
    assert_eq!(
        find_cycle(&edges),
        Some(vec![
            "a.rs".to_owned(),
            "c.rs".to_owned(),
            "a.rs".to_owned()
        ])
    );
}

#[test]
fn an_unsafe_block_is_argued_by_the_comment_above_its_statement() {
    let lines = [
        "    // SAFETY: because.",
        "    let x = foo()",
        "        .map(|p| unsafe { p.read() });",
        "    let y = unsafe { bar() };",
    ];
    assert!(commented_above(&lines, 2, "SAFETY:"));
    assert!(!commented_above(&lines, 3, "SAFETY:"));
}

/// The markdown files of the workspace: the root's and each crate's.
fn markdown_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (_, dir) in crates() {
        for entry in fs::read_dir(root().join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            if entry.path().extension().is_some_and(|e| e == "md") {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The words of `text` that spell a path from the workspace root into a
/// crate (`gosched/src/park.rs`, `gochan/tests/golang.rs`).
fn rooted_paths(text: &str, crate_dirs: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || "_/.-".contains(c))) {
        let word = word.trim_end_matches('.');
        let Some((dir, rest)) = word.split_once('/') else {
            continue;
        };
        let into_crate = ["src/", "tests/", "benches/", "examples/"]
            .iter()
            .any(|sub| rest.starts_with(sub));
        if into_crate && word.ends_with(".rs") && crate_dirs.iter().any(|d| d == dir) {
            out.insert(word.to_owned());
        }
    }
    out
}

/// A comment or README that names a file by its path from the root names
/// one that exists: moving or renaming a file updates what points at it.
#[test]
fn paths_in_comments_and_docs_exist() {
    let crate_dirs: Vec<String> = crates()
        .into_iter()
        .map(|(_, dir)| dir)
        .filter(|d| d != ".")
        .collect();
    let mut bad = Vec::new();
    for path in all_sources().into_iter().chain(markdown_files()) {
        let text = fs::read_to_string(&path).expect("read");
        for named in rooted_paths(&text, &crate_dirs) {
            if !root().join(&named).is_file() {
                bad.push(format!("{} names `{named}`", relative(&path)));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "these name files that do not exist (moved or renamed?):\n  {}",
        bad.join("\n  ")
    );
}

#[test]
fn rooted_paths_are_read_from_prose() {
    let dirs = ["gosched".to_owned(), "gochan".to_owned()];
    let found = rooted_paths(
        "see `gosched/src/park.rs: park` and gochan/tests/golang.rs. Not src/app.rs, \
         not other/src/x.rs, not gosched/README.md",
        &dirs,
    );
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["gochan/tests/golang.rs", "gosched/src/park.rs"]
    );
}

#[test]
fn subcrates_smoke_tests_every_reexport() {
    let lib = fs::read_to_string(root().join("src/lib.rs")).expect("read src/lib.rs");
    let tests =
        fs::read_to_string(root().join("tests/subcrates.rs")).expect("read tests/subcrates.rs");
    let mut reexports = 0;
    let mut bad = Vec::new();
    for line in lib.lines() {
        let Some((krate, alias)) = line
            .trim()
            .strip_prefix("pub use ")
            .and_then(|r| r.trim_end_matches(';').split_once(" as "))
        else {
            continue;
        };
        reexports += 1;
        if !tests.contains(&format!("goruntime::{alias}::")) {
            bad.push(format!("`goruntime::{alias}` ({krate})"));
        }
    }
    assert!(reexports > 0, "src/lib.rs re-exports the chapter crates");
    assert!(
        bad.is_empty(),
        "tests/subcrates.rs has no smoke test through these re-exports:\n  {}",
        bad.join("\n  ")
    );
}
