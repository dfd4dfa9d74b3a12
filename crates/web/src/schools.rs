//! The schools of this installation, for the public start page.
//!
//! Stop-gap: the domain has no public call listing schools yet, so this reads the store
//! directly. Only the number and name are used, which every school shows publicly anyway.

use schulhof_front::AppState;

#[derive(Clone, Debug)]
pub struct School {
    pub number: String,
    pub name: String,
}

/// Every school, by number; empty (and logged) if the database cannot be read.
pub async fn list(state: &AppState) -> Vec<School> {
    let result = async {
        let mut c = state.platform.db().read().await?;
        schulhof_store::instances::list(&mut c).await
    }
    .await;
    match result {
        Ok(rows) => rows
            .into_iter()
            .map(|r| School {
                number: r.school_number,
                name: r.name,
            })
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "listing schools for the start page failed");
            Vec::new()
        }
    }
}
