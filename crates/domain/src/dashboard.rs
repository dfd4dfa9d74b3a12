//! What the home page shows: the newest files of the caller and what was shared with it
//! lately. The store picks candidates inside SQL (through the caller's grants, newest first,
//! limited) and returns their paths in the same statement; the policy then decides each
//! path exactly as opening the file would, so nothing listed here answers 404.

use chrono::{DateTime, Utc};
use schulhof_authz::files::{self, Area};
use schulhof_store::files::NodeRow;
use schulhof_store::files::recent as store;

use crate::files::{FileEntry, Located};
use crate::identity::Actor;
use crate::{DomainError, Platform};

/// A file with the folder it lies in.
#[derive(Clone, Debug)]
pub struct RecentFile {
    pub entry: FileEntry,
    /// The folder's name (an area root by its area's name).
    pub folder: Option<String>,
}

/// Something shared with the caller: who shared it and when.
#[derive(Clone, Debug)]
pub struct SharedLately {
    pub entry: FileEntry,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// Candidates fetched beyond what is shown, so a few the policy refuses (withdrawn
/// inheritance, others' hand-ins) still leave a full card.
const SPARE: usize = 3;

/// The entry of a path if the caller may open it, as [`crate::files`] would decide.
fn visible(actor: &Actor, rows: Vec<NodeRow>) -> Option<Located> {
    let area = Area::parse(&rows.first()?.area)?;
    if area.is_safe() || rows.iter().any(|r| r.deleted_at.is_some()) {
        return None;
    }
    let located = Located {
        area,
        rows,
        viewer: actor.token.user(),
        guest: None,
    };
    located.role(actor)?;
    Some(located)
}

/// The name of the folder a file lies in, only if the caller may see that folder too (a
/// file shared alone does not tell where it lies).
fn folder_name(actor: &Actor, l: &Located) -> Option<String> {
    l.parent().and_then(|p| p.entry(actor)).map(|e| e.name)
}

impl Platform {
    /// The newest files in the caller's own area and in what others shared with it from
    /// theirs, at most `limit`. Two statements at most, however many files there are.
    pub async fn recent_files(
        &self,
        actor: &Actor,
        limit: usize,
    ) -> Result<Vec<RecentFile>, DomainError> {
        let keys = files::subject_keys(&actor.token);
        let mut c = self.db.read().await?;
        let paths = store::recent_own_files(
            &mut c,
            actor.token.instance(),
            &keys,
            (limit * SPARE) as i64,
        )
        .await?;
        let mut out: Vec<RecentFile> = paths
            .into_iter()
            .filter_map(|p| visible(actor, p))
            .filter_map(|l| {
                Some(RecentFile {
                    folder: folder_name(actor, &l),
                    entry: l.entry(actor)?,
                })
            })
            .collect();
        out.sort_by_key(|f| std::cmp::Reverse(f.entry.modified_at));
        out.truncate(limit);
        Ok(out)
    }

    /// What others shared with the caller lately (by name or through a group), newest
    /// share first, at most `limit` entries; only what the caller can open.
    pub async fn shared_lately(
        &self,
        actor: &Actor,
        limit: usize,
    ) -> Result<Vec<SharedLately>, DomainError> {
        let keys = files::subject_keys(&actor.token);
        let (school, me) = (actor.token.instance(), actor.token.user());
        let fetch = (limit * SPARE) as i64;
        let mut c = self.db.read().await?;
        let shares = store::shares_lately(&mut c, school, &keys, me, fetch).await?;
        if shares.is_empty() {
            return Ok(Vec::new());
        }
        let paths = store::shares_lately_paths(&mut c, school, &keys, me, fetch).await?;
        drop(c);
        let located: Vec<Located> = paths
            .into_iter()
            .filter_map(|p| visible(actor, p))
            .collect();
        let mut out: Vec<SharedLately> = Vec::new();
        for s in shares {
            if out.iter().any(|o| o.entry.id == s.node) {
                continue;
            }
            let Some(entry) = located
                .iter()
                .find(|l| l.node().id == s.node)
                .and_then(|l| l.entry(actor))
            else {
                continue;
            };
            out.push(SharedLately {
                entry,
                by: s.by_name,
                at: s.at,
            });
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }
}
