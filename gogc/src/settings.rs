//! Go's knobs for the collector, read as Go 1.27 reads them: `GOGC`
//! (`readGOGC`, `runtime/mgcpacer.go`), `GOMEMLIMIT` (`readGOMEMLIMIT` and
//! `parseByteCount`, `runtime/string.go`) and `GODEBUG=gctrace=N`
//! (`runtime/runtime1.go`, documented in `runtime/extern.go`).

use std::fmt;

use crate::pacer::NO_MEMORY_LIMIT;

/// How a paced heap collects: Go's `GOGC`, `GOMEMLIMIT` and `gctrace`.
///
/// ```
/// use gogc::Settings;
///
/// let s = Settings::parse(Some("50"), Some("64MiB"), Some("gctrace=1,madvdontneed=1")).unwrap();
/// assert_eq!(s.gc_percent, 50);
/// assert_eq!(s.memory_limit, 64 << 20);
/// assert_eq!(s.gctrace, 1);
/// assert_eq!(Settings::parse(Some("off"), None, None).unwrap().gc_percent, -1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// `GOGC`: the heap grows by this percentage of the live heap between
    /// cycles; negative is `GOGC=off`. Default 100.
    pub gc_percent: i32,
    /// `GOMEMLIMIT`: the soft memory limit in bytes; [`NO_MEMORY_LIMIT`]
    /// (`math.MaxInt64`) when unset or `off`.
    pub memory_limit: i64,
    /// `GODEBUG=gctrace=N`: with 1 or more, one line per cycle on standard
    /// error.
    pub gctrace: u32,
    /// `GOMAXPROCS`: with 2 or more, a background mark worker marks on its
    /// own thread while the mutators run (Go's mark worker on an idle P);
    /// with 1, mutators and a fractional worker share one thread. Default
    /// 1; [`from_env`](Settings::from_env) reads `GOMAXPROCS` and falls
    /// back to the number of CPUs, as Go does.
    pub procs: u32,
}

impl Default for Settings {
    /// Go's defaults: `GOGC=100`, no memory limit, no trace.
    fn default() -> Settings {
        Settings {
            gc_percent: 100,
            memory_limit: NO_MEMORY_LIMIT,
            gctrace: 0,
            procs: 1,
        }
    }
}

/// `GOMEMLIMIT` is not a byte count Go accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedMemoryLimit(pub String);

impl fmt::Display for MalformedMemoryLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GOMEMLIMIT={}\nmalformed GOMEMLIMIT; see `go doc runtime/debug.SetMemoryLimit`",
            self.0
        )
    }
}

impl std::error::Error for MalformedMemoryLimit {}

impl Settings {
    /// Reads `GOGC`, `GOMEMLIMIT` and `GODEBUG` from the environment.
    ///
    /// # Panics
    /// On a malformed `GOMEMLIMIT`, with Go's message (Go throws:
    /// `malformed GOMEMLIMIT; see `go doc runtime/debug.SetMemoryLimit``);
    /// [`try_from_env`](Settings::try_from_env) returns it.
    #[track_caller]
    pub fn from_env() -> Settings {
        match Settings::try_from_env() {
            Ok(settings) => settings,
            Err(e) => panic!("{e}"),
        }
    }

    /// [`from_env`](Settings::from_env), returning a malformed
    /// `GOMEMLIMIT` as an error.
    pub fn try_from_env() -> Result<Settings, MalformedMemoryLimit> {
        let var = |name| std::env::var(name).ok();
        let settings = Settings::parse(
            var("GOGC").as_deref(),
            var("GOMEMLIMIT").as_deref(),
            var("GODEBUG").as_deref(),
        )?;
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
        Ok(Settings {
            procs: read_gomaxprocs(var("GOMAXPROCS").as_deref().unwrap_or(""), cpus),
            ..settings
        })
    }

    /// The settings these variables' values give (`None`: unset).
    pub fn parse(
        gogc: Option<&str>,
        gomemlimit: Option<&str>,
        godebug: Option<&str>,
    ) -> Result<Settings, MalformedMemoryLimit> {
        Ok(Settings {
            gc_percent: read_gogc(gogc.unwrap_or("")),
            memory_limit: read_gomemlimit(gomemlimit.unwrap_or(""))?,
            gctrace: godebug.map_or(0, read_gctrace),
            ..Settings::default()
        })
    }
}

/// `readGOGC`: `off` is -1; a base-10 32-bit integer is itself; anything
/// else (unset, malformed) is 100.
pub fn read_gogc(value: &str) -> i32 {
    if value == "off" {
        return -1;
    }
    value.parse::<i32>().unwrap_or(100)
}

/// `readGOMEMLIMIT`: unset or `off` is no limit; otherwise a byte count
/// (`parseByteCount`).
pub fn read_gomemlimit(value: &str) -> Result<i64, MalformedMemoryLimit> {
    if value.is_empty() || value == "off" {
        return Ok(NO_MEMORY_LIMIT);
    }
    parse_byte_count(value).ok_or_else(|| MalformedMemoryLimit(value.to_owned()))
}

/// `parseByteCount`: a non-negative decimal count of bytes with an optional
/// suffix `B`, `KiB`, `MiB`, `GiB` or `TiB` (powers of 1024, IEC
/// 80000-13), at most `math.MaxInt64`.
///
/// ```
/// use gogc::parse_byte_count;
///
/// assert_eq!(parse_byte_count("1024"), Some(1024));
/// assert_eq!(parse_byte_count("512B"), Some(512));
/// assert_eq!(parse_byte_count("2GiB"), Some(2 << 30));
/// assert_eq!(parse_byte_count("2GB"), None); // SI units are not accepted
/// assert_eq!(parse_byte_count("-1"), None);
/// ```
pub fn parse_byte_count(s: &str) -> Option<i64> {
    let bytes = s.as_bytes();
    let &last = bytes.last()?;
    let non_negative = |digits: &str| digits.parse::<i64>().ok().filter(|&n| n >= 0);
    if last.is_ascii_digit() {
        return non_negative(s);
    }
    if last != b'B' || bytes.len() < 2 {
        return None;
    }
    let before = bytes[bytes.len() - 2];
    if before.is_ascii_digit() {
        return non_negative(&s[..s.len() - 1]);
    } else if before != b'i' {
        return None;
    }
    if bytes.len() < 4 {
        return None;
    }
    let power = match bytes[bytes.len() - 3] {
        b'K' => 1,
        b'M' => 2,
        b'G' => 3,
        b'T' => 4,
        _ => return None,
    };
    let n = non_negative(&s[..s.len() - 3])? as u64;
    let scaled = n.checked_mul(1024u64.pow(power))?;
    i64::try_from(scaled).ok()
}

/// `GOMAXPROCS` as Go's `schedinit` reads it: a positive integer, else
/// the number of CPUs.
pub fn read_gomaxprocs(value: &str, cpus: u32) -> u32 {
    value.parse::<u32>().ok().filter(|&n| n > 0).unwrap_or(cpus)
}

/// The `gctrace` level in a `GODEBUG` value (`key=value` pairs separated by
/// commas; the last setting wins; 0 when absent or not a number).
pub fn read_gctrace(godebug: &str) -> u32 {
    godebug
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .rfind(|(k, _)| k.trim() == "gctrace")
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gogc_as_go_reads_it() {
        assert_eq!(read_gogc(""), 100);
        assert_eq!(read_gogc("off"), -1);
        assert_eq!(read_gogc("OFF"), 100, "case matters to Go");
        assert_eq!(read_gogc("200"), 200);
        assert_eq!(read_gogc("-5"), -5, "set_gc_percent maps it to off");
        assert_eq!(read_gogc("1e3"), 100);
        assert_eq!(read_gogc("99999999999"), 100, "out of 32-bit range");
    }

    #[test]
    fn byte_counts_as_go_parses_them() {
        for (s, want) in [
            ("0", Some(0)),
            ("10KiB", Some(10 << 10)),
            ("3MiB", Some(3 << 20)),
            ("1TiB", Some(1 << 40)),
            ("9223372036854775807", Some(i64::MAX)),
            ("8388608TiB", None), // 2^63: overflow
            ("B", None),
            ("iB", None),
            ("KiB", None),
            ("1KB", None),
            ("1kiB", None),
            ("1 MiB", None),
            ("", None),
        ] {
            assert_eq!(parse_byte_count(s), want, "{s:?}");
        }
    }

    #[test]
    fn malformed_gomemlimit_reads_like_go() {
        let err = read_gomemlimit("lots").unwrap_err();
        assert_eq!(
            err.to_string(),
            "GOMEMLIMIT=lots\nmalformed GOMEMLIMIT; see `go doc runtime/debug.SetMemoryLimit`"
        );
        assert_eq!(read_gomemlimit("off"), Ok(NO_MEMORY_LIMIT));
    }

    #[test]
    fn gomaxprocs_as_go_reads_it() {
        assert_eq!(read_gomaxprocs("", 2), 2);
        assert_eq!(read_gomaxprocs("1", 2), 1);
        assert_eq!(read_gomaxprocs("0", 2), 2);
        assert_eq!(read_gomaxprocs("-3", 2), 2);
    }

    #[test]
    fn gctrace_from_godebug() {
        assert_eq!(read_gctrace("gctrace=1"), 1);
        assert_eq!(read_gctrace("schedtrace=10,gctrace=2"), 2);
        assert_eq!(read_gctrace("gctrace=1,gctrace=0"), 0);
        assert_eq!(read_gctrace("madvdontneed=1"), 0);
    }
}
