//! Where the initial passwords go: a CSV or an encrypted ZIP, created before the import.

use std::path::PathBuf;

use clap::Args;
use schulhof_domain::import::{ProtocolRow, check_protocol_password, protocol_csv, protocol_zip};

/// Where the initial passwords go.
#[derive(Args)]
pub struct ProtocolArgs {
    /// Write the protocol (with initial passwords) as CSV to this file (mode 0600).
    #[arg(long, value_name = "OUT.csv")]
    protocol: Option<PathBuf>,
    /// Write the protocol as a ZIP encrypted (AES-256) with this password instead.
    #[arg(long, hide_env_values = true, env = "SCHULHOF_PROTOCOL_PASSWORD")]
    protocol_password: Option<String>,
}

impl ProtocolArgs {
    /// Checks the password and creates the file (readable only by its owner) before
    /// anything is imported, so the passwords cannot be lost to an unwritable path.
    pub(super) fn prepare(&self) -> Result<Option<std::fs::File>, String> {
        let Some(path) = &self.protocol else {
            return Ok(None);
        };
        if let Some(pw) = &self.protocol_password {
            check_protocol_password(pw).map_err(|e| format!("--protocol-password: {e}"))?;
        }
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        open.open(path)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    pub(super) fn write(
        &self,
        file: Option<std::fs::File>,
        rows: &[ProtocolRow],
    ) -> Result<(), String> {
        use std::io::Write as _;
        let created = rows.iter().filter(|r| r.initial_password.is_some()).count();
        let Some(mut file) = file else {
            if created > 0 {
                eprintln!(
                    "warning: {created} new person(s) got initial passwords that are in no protocol (no --protocol); reset their passwords to hand out new ones"
                );
            }
            return Ok(());
        };
        let bytes = match &self.protocol_password {
            Some(pw) => protocol_zip(rows, pw),
            None => protocol_csv(rows),
        }
        .map_err(|e| e.to_string())?;
        file.write_all(&bytes).map_err(|e| e.to_string())
    }
}
