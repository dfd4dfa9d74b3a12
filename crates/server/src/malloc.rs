//! glibc's malloc, set for a long-running server that now and then handles large buffers
//! (Argon2's 19 MiB per password hash, message bodies of up to 25 MB, IMAP literals).
//!
//! By default glibc raises its mmap threshold to the size of the largest block freed (up to
//! 32 MiB): after the first password hash, every later buffer below that size comes from the
//! per-thread heaps, and freed ones stay there. Measured (docs/benchmarks.md, "Mail —
//! durable commits …"): a fresh server grew from 64 to 250 MiB by creating 20 accounts, and
//! held 228 MiB with 2,000 idle IMAP connections; with the threshold fixed at 1 MiB, 82 and
//! 117 MiB. The threshold is a glibc tunable read when the process starts, and setting it
//! from inside would need `unsafe` (`mallopt`), so the server starts itself once more with
//! it set (same process id, same arguments and descriptors). An operator's own
//! `GLIBC_TUNABLES` with a threshold is left alone.

/// The tunable: blocks of 1 MiB and more are mapped on their own and given back when freed.
pub const TUNABLE: &str = "glibc.malloc.mmap_threshold=1048576";

/// Re-executes the server with [`TUNABLE`] unless it is already set; returns only if it is
/// set, on other platforms, or when the re-execution failed (then malloc stays as it is).
pub fn ensure_tuned() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt;
        let current = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
        if current.contains("glibc.malloc.mmap_threshold") {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let value = if current.is_empty() {
            TUNABLE.to_owned()
        } else {
            format!("{current}:{TUNABLE}")
        };
        let err = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("GLIBC_TUNABLES", value)
            .exec();
        eprintln!("schulhof: could not restart with {TUNABLE}: {err}");
    }
}
