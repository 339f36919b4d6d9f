//! The words every layer shares: a goroutine's status and why it waits
//! (`runtime/runtime2.go: _Grunnable… gstatus, waitReason`, Go 1.27), with
//! the one-byte codes a parking goroutine stores.

use std::fmt;

/// A goroutine's status (`_Grunnable`, `_Grunning`, ... in `runtime2.go`).
///
/// ```
/// gosched::Runtime::new().run(|| {
///     let me = gosched::goid().unwrap();
///     let g = gosched::leak::snapshot().into_iter().find(|g| g.id == me).unwrap();
///     assert_eq!(g.status, gosched::GStatus::Running);
///     assert_eq!(g.status.to_string(), "running");
/// }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GStatus {
    /// On a run queue, waiting for an M.
    Runnable,
    /// Running on an M.
    Running,
    /// Parked (see its [`WaitReason`]).
    Waiting,
    /// Inside [`syscall`](crate::syscall); its P may have been handed off.
    Syscall,
    /// Finished.
    Dead,
}

impl GStatus {
    /// The inverse of `as u8` (a G keeps its status in an `AtomicU8`).
    pub(crate) fn from_u8(v: u8) -> GStatus {
        match v {
            0 => GStatus::Runnable,
            1 => GStatus::Running,
            2 => GStatus::Waiting,
            3 => GStatus::Syscall,
            _ => GStatus::Dead,
        }
    }
    /// Go's name as printed in goroutine dumps (`runnable`, `running`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            GStatus::Runnable => "runnable",
            GStatus::Running => "running",
            GStatus::Waiting => "waiting",
            GStatus::Syscall => "syscall",
            GStatus::Dead => "dead",
        }
    }

    /// Go's number for it (`_Grunnable` = 1 … `_Gdead` = 6), as
    /// `scheddetail` prints it.
    pub(crate) fn go_code(self) -> u8 {
        match self {
            GStatus::Runnable => 1,
            GStatus::Running => 2,
            GStatus::Syscall => 3,
            GStatus::Waiting => 4,
            GStatus::Dead => 6,
        }
    }
}

impl fmt::Display for GStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a goroutine (or thread) is parked; shown by deadlock dumps and leak
/// reports. `Display` gives Go's `waitReason` strings (`runtime/runtime2.go`).
///
/// ```
/// assert_eq!(gosched::WaitReason::ChanReceive.to_string(), "chan receive");
/// assert_eq!(gosched::WaitReason::Other("gate").as_str(), "gate");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitReason {
    /// `chan send`
    ChanSend,
    /// `chan receive`
    ChanReceive,
    /// `chan send (nil chan)`
    ChanSendNilChan,
    /// `chan receive (nil chan)`
    ChanReceiveNilChan,
    /// `select`
    Select,
    /// `select (no cases)`
    SelectNoCases,
    /// `sleep`
    Sleep,
    /// `sync.WaitGroup.Wait`
    WaitGroupWait,
    /// `sync.Mutex.Lock`
    SyncMutexLock,
    /// `sync.Cond.Wait`
    SyncCondWait,
    /// `syscall`
    Syscall,
    /// `sync.RWMutex.RLock`
    SyncRWMutexRLock,
    /// `sync.RWMutex.Lock`
    SyncRWMutexLock,
    /// A reason of the caller's own.
    Other(&'static str),
}

impl WaitReason {
    /// Go's string for this reason.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitReason::ChanSend => "chan send",
            WaitReason::ChanReceive => "chan receive",
            WaitReason::ChanSendNilChan => "chan send (nil chan)",
            WaitReason::ChanReceiveNilChan => "chan receive (nil chan)",
            WaitReason::Select => "select",
            WaitReason::SelectNoCases => "select (no cases)",
            WaitReason::Sleep => "sleep",
            WaitReason::WaitGroupWait => "sync.WaitGroup.Wait",
            WaitReason::SyncMutexLock => "sync.Mutex.Lock",
            WaitReason::SyncCondWait => "sync.Cond.Wait",
            WaitReason::Syscall => "syscall",
            WaitReason::SyncRWMutexRLock => "sync.RWMutex.RLock",
            WaitReason::SyncRWMutexLock => "sync.RWMutex.Lock",
            WaitReason::Other(s) => s,
        }
    }
}

impl WaitReason {
    /// The reasons with a fixed string, in code order (code = index + 1;
    /// 0 is "no reason", [`OTHER_CODE`] is [`WaitReason::Other`]).
    const FIXED: [WaitReason; 13] = [
        WaitReason::ChanSend,
        WaitReason::ChanReceive,
        WaitReason::ChanSendNilChan,
        WaitReason::ChanReceiveNilChan,
        WaitReason::Select,
        WaitReason::SelectNoCases,
        WaitReason::Sleep,
        WaitReason::WaitGroupWait,
        WaitReason::SyncMutexLock,
        WaitReason::SyncCondWait,
        WaitReason::Syscall,
        WaitReason::SyncRWMutexRLock,
        WaitReason::SyncRWMutexLock,
    ];

    /// A one-byte code, so a parking goroutine records its reason with one
    /// store (Go's `gp.waitreason` is a `uint8` too). A match rather than a
    /// search of [`FIXED`](Self::FIXED): this runs on every park. The test
    /// `wait_reason_codes_round_trip` keeps the two in step.
    pub(crate) fn code(self) -> u8 {
        match self {
            WaitReason::ChanSend => 1,
            WaitReason::ChanReceive => 2,
            WaitReason::ChanSendNilChan => 3,
            WaitReason::ChanReceiveNilChan => 4,
            WaitReason::Select => 5,
            WaitReason::SelectNoCases => 6,
            WaitReason::Sleep => 7,
            WaitReason::WaitGroupWait => 8,
            WaitReason::SyncMutexLock => 9,
            WaitReason::SyncCondWait => 10,
            WaitReason::Syscall => 11,
            WaitReason::SyncRWMutexRLock => 12,
            WaitReason::SyncRWMutexLock => 13,
            WaitReason::Other(_) => OTHER_CODE,
        }
    }

    /// The reason for a code of [`code`](Self::code) (`None` for 0 and for
    /// [`OTHER_CODE`], whose text is kept beside the code).
    pub(crate) fn from_code(code: u8) -> Option<WaitReason> {
        Self::FIXED.get(usize::from(code).checked_sub(1)?).copied()
    }
}

/// [`WaitReason::code`] of every [`WaitReason::Other`].
pub(crate) const OTHER_CODE: u8 = u8::MAX;

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::{OTHER_CODE, WaitReason};

    #[test]
    fn wait_reason_codes_round_trip() {
        for (i, &r) in WaitReason::FIXED.iter().enumerate() {
            assert_eq!(usize::from(r.code()), i + 1, "{r}");
            assert_eq!(WaitReason::from_code(r.code()), Some(r));
        }
        assert_eq!(WaitReason::Other("gate").code(), OTHER_CODE);
        assert_eq!(WaitReason::from_code(0), None);
        assert_eq!(WaitReason::from_code(OTHER_CODE), None);
    }
}
