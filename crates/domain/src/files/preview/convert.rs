//! LibreOffice as a separate process: one run per document, with its own profile in a
//! temporary directory (so runs never share or damage state), a time limit, and its whole
//! process group killed when it hangs.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// A conversion taking longer is given up (and the document only downloaded).
pub const TIME_LIMIT: Duration = Duration::from_secs(120);

/// The program to convert with: the configured one (`--soffice`; empty or `none` turns
/// previews of office documents off), else `soffice` on the `PATH`. `None` when it is not
/// there: then office documents simply have no preview.
pub fn find_soffice(setting: Option<&str>) -> Option<PathBuf> {
    match setting.map(str::trim) {
        Some("" | "none" | "off") => None,
        Some(p) if p.contains('/') => {
            let path = PathBuf::from(p);
            path.is_file().then_some(path)
        }
        Some(name) => on_path(name),
        None => on_path("soffice"),
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Converts `input` (named with its extension, which tells LibreOffice the format) to a
/// PDF inside `dir`, and returns the PDF's path.
pub async fn to_pdf(soffice: &Path, input: &Path, dir: &Path) -> Result<PathBuf, String> {
    let out = dir.join("out");
    tokio::fs::create_dir_all(&out)
        .await
        .map_err(|e| format!("output directory: {e}"))?;
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    let mut cmd = tokio::process::Command::new(soffice);
    cmd.arg(profile)
        .args([
            "--headless",
            "--invisible",
            "--nodefault",
            "--nolockcheck",
            "--nologo",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&out)
        .arg(input)
        .env("HOME", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group, so a hanging soffice.bin is killed with its launcher.
        .process_group(0)
        .kill_on_drop(true);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start soffice: {e}"))?;
    let pid = child.id();
    match tokio::time::timeout(TIME_LIMIT, child.wait()).await {
        Ok(Ok(status)) if status.success() => {}
        Ok(Ok(status)) => return Err(format!("soffice ended with {status}")),
        Ok(Err(e)) => return Err(format!("soffice: {e}")),
        Err(_) => {
            if let Some(pid) = pid {
                kill_group(pid).await;
            }
            let _ = child.kill().await;
            return Err(format!("soffice took longer than {TIME_LIMIT:?}"));
        }
    }
    let stem = input
        .file_stem()
        .ok_or_else(|| "input without a name".to_owned())?;
    let pdf = out.join(stem).with_extension("pdf");
    match tokio::fs::metadata(&pdf).await {
        Ok(m) if m.is_file() && m.len() > 0 => Ok(pdf),
        _ => Err("soffice wrote no PDF".to_owned()),
    }
}

/// Kills the process group `pgid` (the launcher and the office process it started), by the
/// system's `kill`, which needs no unsafe code here.
async fn kill_group(pgid: u32) {
    let _ = tokio::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_of_office_files_can_be_turned_off_or_pointed_elsewhere() {
        assert_eq!(find_soffice(Some("none")), None);
        assert_eq!(find_soffice(Some("")), None);
        assert_eq!(find_soffice(Some("/nowhere/soffice")), None);
        assert_eq!(find_soffice(Some("no-such-program-here")), None);
        // A program that exists everywhere stands in for soffice.
        assert_eq!(
            find_soffice(Some("/bin/sh")),
            Some(PathBuf::from("/bin/sh"))
        );
    }
}
