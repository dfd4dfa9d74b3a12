//! Imports from the school administration software (Schild-NRW XML, SVWS JSON) and from
//! tables: read → plan (the preview) → apply in one transaction → protocol.
//!
//! Persons and groups are matched by `(source, source_id)`. An import adds and removes
//! memberships only in groups of its own source; in groups an admin made by hand (or of
//! another source) it only adds. Persons no longer in the file are marked for deletion,
//! never deleted by the import.

mod apply;
mod applying;
mod inputs;
mod plan;
mod plan_groups;
mod progress;
mod protocol;
mod service;
mod system;

pub use inputs::{ApplyInput, ImportOutcome, RunView, SystemImport, UploadInput};
pub use plan::{Change, Plan, PlannedGroup, PlannedPerson};
pub use progress::ImportProgress;
pub use protocol::{
    Letter, LetterClass, archive as protocol_zip, check_protocol_password, csv as protocol_csv,
};
pub use schulhof_import::protocol::ProtocolRow;
pub use schulhof_import::{ColumnMap, Conflict, ConflictKind, Format, ImportData};

use serde::{Deserialize, Serialize};

/// What the school-year change reuses.
pub(crate) mod service_api {
    pub(crate) use super::inputs::{options_of as run_options, read as read_upload};
    pub(crate) use super::protocol::check_protocol_password;
    pub(crate) use super::service::{plan_in, school_year_at};
    pub(crate) use super::system::system_audit;
}

/// Applies a plan inside `tx`, creating groups in `year`.
pub(crate) async fn apply_plan(
    tx: &mut schulhof_store::Tx,
    instance: schulhof_types::InstanceId,
    data: &ImportData,
    plan: &Plan,
    year: &str,
    progress: &ImportProgress,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<schulhof_import::protocol::ProtocolRow>, crate::DomainError> {
    apply::apply(tx, instance, data, plan, Some(year), progress, now).await
}

/// The detail of an `import.apply` audit entry: the counts, and how many consent records
/// to audio/video conferences the run wrote.
pub(crate) fn audit_detail(summary: &Summary, plan: &Plan) -> serde_json::Value {
    let mut v = serde_json::to_value(summary).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("av_consents".into(), plan.consent_changes().into());
    }
    v
}

/// What an import does (preview) or did (apply), in counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Newly marked for deletion by this run.
    pub marked_for_deletion: u64,
    /// Marked earlier and back in the file: the mark is cleared.
    pub unmarked: u64,
    /// Everyone of the school marked for deletion after this run, awaiting confirmation.
    pub awaiting_deletion: u64,
    /// Left or graduated persons in the file who were never imported.
    pub skipped_left: u64,
    pub conflicts: u64,
    pub groups_created: u64,
    pub groups_existing: u64,
    pub groups_expired: u64,
    pub groups_skipped: u64,
    pub memberships_added: u64,
    pub memberships_removed: u64,
}

/// How a file is read and applied; stored with the run (never the ZIP password).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunOptions {
    pub format: String,
    pub with_students: bool,
    pub account_type: Option<String>,
    #[serde(default)]
    pub columns: Columns,
    /// Source ids of new groups not to create.
    #[serde(default)]
    pub skip_groups: Vec<String>,
}

/// Which header holds which field of a table (the reader guesses the ones left `None`).
pub type Columns = ColumnMap;
