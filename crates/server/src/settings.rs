//! Where the data lives and which database to use, from flags or `SCHULHOF_*` variables.

use std::path::{Path, PathBuf};

use clap::Args;

#[derive(Args, Clone, Debug)]
pub struct Storage {
    /// Directory for the embedded database and files.
    #[arg(
        long,
        env = "SCHULHOF_DATA",
        default_value = "./schulhof-data",
        global = true
    )]
    pub data: PathBuf,
    /// Database URL (`postgres://…` or `sqlite://…`); defaults to SQLite inside the data dir.
    #[arg(long, env = "SCHULHOF_DATABASE_URL", global = true)]
    pub database: Option<String>,
    /// Mail domain of the state: addresses are vorname.nachname@<schulnummer>.<domain>.
    #[arg(
        long,
        env = "SCHULHOF_STATE_DOMAIN",
        default_value = "nrw.schule",
        global = true
    )]
    pub state_domain: String,
}

impl Storage {
    /// The database URL, creating the data directory for the embedded database.
    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data).map_err(|e| {
            anyhow::anyhow!("cannot create data directory {}: {e}", self.data.display())
        })?;
        Ok(format!(
            "sqlite://{}",
            absolute(&self.data.join("schulhof.db")).display()
        ))
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
