//! The environment fingerprint recorded with every run: where and with what
//! the numbers were measured.
//!
//! Only best-effort reads: a missing `/proc` file or `rustc` leaves that field
//! `None` rather than failing a run. The machine id is the one field that
//! matters for comparability, so it is documented and overridable. This
//! module only reads; it never tunes the machine it describes.

use perflab_schema::{Environment, GitInfo};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Command;

/// Environment variable that overrides the machine id, e.g. to pool a fleet of
/// identical CI runners under one id.
pub const MACHINE_ID_ENV: &str = "PERFLAB_MACHINE_ID";

/// Reads the fingerprint of this machine and of the workspace at `root`.
pub fn fingerprint(root: &Path) -> Environment {
    let cpu_model = cpu_model();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
    // Run rustc in the workspace so its rust-toolchain.toml picks the toolchain.
    let rustc_vv = command_output(root, "rustc", &["-vV"]);
    let rustc = rustc_vv
        .as_deref()
        .and_then(|s| s.lines().next())
        .map(str::to_owned);
    let target = rustc_vv
        .as_deref()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("host: ")))
        .map_or_else(
            || {
                format!(
                    "{}-unknown-{}",
                    std::env::consts::ARCH,
                    std::env::consts::OS
                )
            },
            str::to_owned,
        );
    Environment {
        git: git_info(root),
        rustc,
        target,
        machine_id: machine_id(cpu_model.as_deref(), cores),
        cpu_model,
        cores,
        memory_bytes: memory_bytes(),
        os: os_name(),
        kernel: read_trimmed("/proc/sys/kernel/osrelease"),
        cargo_lock_sha256: std::fs::read(root.join("Cargo.lock"))
            .ok()
            .map(|b| hex(&Sha256::digest(b))),
    }
}

/// `PERFLAB_MACHINE_ID` if set; otherwise a hash of `/etc/machine-id` (the
/// OS's stable per-installation id) with the CPU model and core count, so a
/// resized VM gets a new id. Without `/etc/machine-id`, the host name stands in.
pub fn machine_id(cpu_model: Option<&str>, cores: u32) -> String {
    if let Ok(id) = std::env::var(MACHINE_ID_ENV)
        && !id.trim().is_empty()
    {
        return id.trim().to_owned();
    }
    let identity = read_trimmed("/etc/machine-id")
        .or_else(|| read_trimmed("/proc/sys/kernel/hostname"))
        .unwrap_or_default();
    let digest = Sha256::digest(format!("{identity}\n{}\n{cores}", cpu_model.unwrap_or("")));
    hex(&digest)[..16].to_owned()
}

fn git_info(root: &Path) -> Option<GitInfo> {
    let repo = git2::Repository::discover(root).ok()?;
    let head = repo.head().ok()?;
    let commit = head.peel_to_commit().ok()?.id().to_string();
    let branch = head
        .is_branch()
        .then(|| head.shorthand().ok().map(str::to_owned))
        .flatten();
    let mut options = git2::StatusOptions::new();
    options.include_untracked(false).include_ignored(false);
    let dirty = repo
        .statuses(Some(&mut options))
        .map(|s| !s.is_empty())
        .unwrap_or(true);
    Some(GitInfo {
        commit,
        dirty,
        branch,
    })
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
}

fn memory_bytes() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib = info.lines().find_map(|l| l.strip_prefix("MemTotal:"))?;
    kib.trim()
        .trim_end_matches("kB")
        .trim()
        .parse::<u64>()
        .ok()
        .map(|k| k * 1024)
}

fn os_name() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_owned())
}

fn read_trimmed(path: &str) -> Option<String> {
    let s = std::fs::read_to_string(path).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn command_output(dir: &Path, program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
