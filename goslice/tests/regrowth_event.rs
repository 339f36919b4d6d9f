//! Each regrowth is a `tracing` event. A test binary of its own: tracing
//! caches each callsite's interest process-wide, and a callsite first hit on
//! another test's thread while this test's scoped subscriber is being
//! registered can be cached as "never", losing the event.

use std::sync::{Arc, Mutex};

use goslice::GoVersion;

/// Collects formatted events from the `tracing` subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn each_regrowth_is_a_debug_event() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let s = goslice::slice![1i64, 2].with_version(GoVersion::V1_19);
        let s = s.append_all(&[4, 5, 6]); // regrows: 2 -> 6
        let _ = s.append(7); // fits: no event
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let events: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("slice regrown"))
        .collect();
    assert_eq!(events.len(), 1, "{text}");
    for field in [
        "old_cap=2",
        "new_cap=6",
        "bytes=48",
        "size_class=Small(5)",
        "release=go1.19",
    ] {
        assert!(
            events[0].contains(field),
            "{field} missing in {}",
            events[0]
        );
    }
}
