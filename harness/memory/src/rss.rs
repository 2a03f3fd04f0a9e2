//! Resident memory (RSS) of this process and of child processes, on Linux.
//!
//! [`current_rss_bytes`] and [`peak_rss_bytes`] read `VmRSS` and `VmHWM` from
//! `/proc/self/status`; [`reset_peak_rss`] starts a new peak by writing `5` to
//! `/proc/self/clear_refs` (Linux 4.0 and later). [`measure_child`] runs a
//! command to the end and returns its exit status, wall and CPU time and the
//! peak RSS the kernel reports for it (`wait4`'s `ru_maxrss`), which is how a
//! bench compares itself with an external tool such as `vipsthumbnail`.
//!
//! **A child's `ru_maxrss` is never below its parent's RSS.** Linux records the
//! resident size of the memory a child leaves behind at `exec`; std starts
//! children with `posix_spawn` (a vfork), where that memory is the parent's,
//! so the child's `ru_maxrss` is at least the parent's peak RSS at that moment
//! (checked on this kernel: a 300 MiB parent running `/bin/true` gets
//! `ru_maxrss` = 313 MiB). [`ChildUsage::child_peak_rss_bytes`] therefore only
//! answers when the reported peak rose above the parent's own peak, and says
//! `None` otherwise; call [`reset_peak_rss`] before [`measure_child`] and keep
//! big buffers out of the parent while it runs, so the floor is low.
//!
//! What it does not do: work on other systems than Linux (every function
//! returns an error there, naming the `/proc` file), sample RSS over time (the
//! caller samples; see [`crate::monitor`]), or count the heap (see
//! [`crate::counting`]).

use crate::MemoryError;
use std::io::{self, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

/// This process's status file.
pub const SELF_STATUS: &str = "/proc/self/status";

/// The file a `5` is written to to reset this process's peak RSS.
pub const SELF_CLEAR_REFS: &str = "/proc/self/clear_refs";

/// `ru_maxrss` is in KiB on Linux.
const KIB: u64 = 1024;

/// This process's resident set size now (`VmRSS`), in bytes.
pub fn current_rss_bytes() -> Result<u64, MemoryError> {
    status_field_bytes(Path::new(SELF_STATUS), "VmRSS")
}

/// This process's peak resident set size (`VmHWM`) since it started or since
/// the last [`reset_peak_rss`], in bytes.
pub fn peak_rss_bytes() -> Result<u64, MemoryError> {
    status_field_bytes(Path::new(SELF_STATUS), "VmHWM")
}

/// Resets this process's peak RSS to its current RSS, so the next
/// [`peak_rss_bytes`] is the peak of what follows. Fails where the kernel has
/// no `/proc/self/clear_refs` or does not allow writing it.
pub fn reset_peak_rss() -> Result<(), MemoryError> {
    std::fs::write(SELF_CLEAR_REFS, b"5").map_err(|source| MemoryError::ResetPeak {
        path: PathBuf::from(SELF_CLEAR_REFS),
        source,
    })
}

/// Reads one `<field>: <n> kB` line of a `/proc/<pid>/status` file, in
/// bytes. Any process's status file works, e.g. a service under load.
pub fn status_field_bytes(path: &Path, field: &str) -> Result<u64, MemoryError> {
    let text = std::fs::read_to_string(path).map_err(|source| MemoryError::ReadProc {
        path: path.to_owned(),
        source,
    })?;
    parse_status_field(&text, field, path)
}

/// The parsing half of [`status_field_bytes`]; `path` only names the file in
/// errors.
pub fn parse_status_field(text: &str, field: &str, path: &Path) -> Result<u64, MemoryError> {
    let value = text
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            (name == field).then(|| value.trim())
        })
        .ok_or_else(|| MemoryError::MissingField {
            path: path.to_owned(),
            field: field.to_owned(),
        })?;
    let bad = || MemoryError::BadField {
        path: path.to_owned(),
        field: field.to_owned(),
        value: value.to_owned(),
    };
    let kib = value
        .strip_suffix("kB")
        .map(str::trim_end)
        .ok_or_else(bad)?
        .parse::<u64>()
        .map_err(|_| bad())?;
    kib.checked_mul(KIB).ok_or_else(bad)
}

/// What a child process used, from `wait4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildUsage {
    /// How it ended.
    pub status: ExitStatus,
    /// From just before it was started to just after it was reaped.
    pub wall: Duration,
    /// CPU time in user mode (`ru_utime`).
    pub user_time: Duration,
    /// CPU time in the kernel (`ru_stime`).
    pub system_time: Duration,
    /// `ru_maxrss` in bytes: the child's peak RSS, but never less than the
    /// parent's peak RSS when it was started (see the module docs).
    pub peak_rss_bytes: u64,
    /// This process's peak RSS (`VmHWM`) read right after the child was
    /// reaped: an upper bound of the floor under `peak_rss_bytes`. `None`
    /// when it could not be read.
    pub parent_peak_rss_bytes: Option<u64>,
}

impl ChildUsage {
    /// The child's own peak RSS, when it is known: `peak_rss_bytes` if it is
    /// above the parent's peak (so it cannot be the floor the parent set),
    /// `None` when it is not, or when the parent's peak is unknown.
    pub fn child_peak_rss_bytes(&self) -> Option<u64> {
        let parent = self.parent_peak_rss_bytes?;
        (self.peak_rss_bytes > parent).then_some(self.peak_rss_bytes)
    }
}

/// Runs `cmd` to the end and reports its exit status, times and peak RSS.
///
/// A non-zero exit is not an error: it is in [`ChildUsage::status`]. Piped
/// stdout and stderr are read and thrown away so the child cannot block on a
/// full pipe; a piped stdin is closed at once. To keep the child's output,
/// redirect it to a file.
pub fn measure_child(cmd: &mut Command) -> Result<ChildUsage, MemoryError> {
    let command = format!("{cmd:?}");
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(|source| MemoryError::Spawn {
        command: command.clone(),
        source,
    })?;
    let pid = child.id();
    drop(child.stdin.take());
    let drains: Vec<_> = [
        child
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|e| Box::new(e) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|mut pipe| std::thread::spawn(move || io::copy(&mut pipe, &mut io::sink())))
    .collect();
    let waited = wait4(pid);
    let wall = start.elapsed();
    for drain in drains {
        // The child has exited, so the pipes reach end of file; a read error
        // only loses output nobody asked for.
        let _ = drain.join();
    }
    let (status, usage) = waited.map_err(|source| MemoryError::Wait {
        command,
        pid,
        source,
    })?;
    Ok(ChildUsage {
        status,
        wall,
        user_time: timeval(usage.ru_utime),
        system_time: timeval(usage.ru_stime),
        peak_rss_bytes: u64::try_from(usage.ru_maxrss)
            .unwrap_or(0)
            .saturating_mul(KIB),
        parent_peak_rss_bytes: peak_rss_bytes().ok(),
    })
}

fn timeval(t: libc::timeval) -> Duration {
    let secs = u64::try_from(t.tv_sec).unwrap_or(0);
    let micros = u32::try_from(t.tv_usec).unwrap_or(0);
    Duration::from_secs(secs) + Duration::from_micros(micros.into())
}

/// Reaps `pid` with `wait4`, which std does not offer, to get its rusage.
#[allow(unsafe_code)]
fn wait4(pid: u32) -> io::Result<(ExitStatus, libc::rusage)> {
    let pid = libc::pid_t::try_from(pid).map_err(|_| io::Error::other("pid out of range"))?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain integers and timevals; all zeroes is valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are to live locals of the right types; `pid`
        // is our own child, which std has not reaped (we never call
        // `Child::wait`).
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            return Ok((ExitStatus::from_raw(status), usage));
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

#[cfg(test)]
mod tests;
