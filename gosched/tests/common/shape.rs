//! The shape of a goroutine report, for comparing ours with real Go's
//! text (`tests/golden/`): one token per line, with goroutine ids, function
//! names, paths and addresses replaced by placeholders and each run of Go's
//! frames (a function line and its `\tfile:line` line) made one `FRAME`.
//! Used by `src/report.rs`'s tests and the child-process tests.

/// The shape of a report: one token per line, Go's and ours alike.
pub(crate) fn shape(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let token = if let Some(rest) = line.strip_prefix("goroutine ") {
            let (_, rest) = rest.split_once(' ').unwrap_or((rest, ""));
            let rest = if rest.starts_with("gp=") {
                let (_, after) = rest.split_once(" [").unwrap_or(("", rest));
                format!("gp=ADDR m=N mp=ADDR [{after}")
            } else {
                rest.to_owned()
            };
            format!("goroutine N {rest}")
        } else if let Some(rest) = line.strip_prefix("created by ") {
            let in_g = rest.contains(" in goroutine ");
            lines.next(); // its location
            if in_g {
                "created by FUNC in goroutine N\n\tFILE".to_owned()
            } else {
                "created by FUNC\n\tFILE".to_owned()
            }
        } else if line.starts_with("runtime: sp=") {
            "runtime: sp=ADDR stack=[ADDR, ADDR]".to_owned()
        } else if line.ends_with(')') && lines.peek().is_some_and(|l| l.starts_with('\t')) {
            lines.next();
            "FRAME\n\tFILE".to_owned()
        } else {
            line.to_owned()
        };
        if token.starts_with("FRAME") && out.last().is_some_and(|l| l.starts_with("FRAME")) {
            continue;
        }
        out.push(token);
    }
    out
}

/// The part of Go's stack overflow report that ours reproduces, as a shape
/// without blank lines: the report's first lines up to `runtime stack:`,
/// then the overflowing goroutine's header and its `created by` (Go goes on
/// with the runtime's stack, every frame, and every other goroutine).
pub(crate) fn overflow_shape(go: &[String]) -> Vec<String> {
    let runtime_stack = go.iter().position(|l| l == "runtime stack:").unwrap();
    let header = go.iter().position(|l| l.contains("gp=ADDR")).unwrap();
    let created = header
        + go[header..]
            .iter()
            .position(|l| l.starts_with("created by"))
            .unwrap();
    let mut want: Vec<String> = go[..runtime_stack].to_vec();
    want.push(go[header].clone());
    want.push(go[created].clone());
    want.retain(|l| !l.is_empty());
    want
}
