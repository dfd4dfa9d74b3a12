//! The schools of this installation, for the public start page.

use schulhof_front::AppState;

#[derive(Clone, Debug)]
pub struct School {
    pub number: String,
    pub name: String,
}

/// Every school, by number; empty (and logged) if they cannot be read.
pub async fn list(state: &AppState) -> Vec<School> {
    match state.platform.public_schools().await {
        Ok(schools) => schools
            .into_iter()
            .map(|s| School {
                number: s.number,
                name: s.name,
            })
            .collect(),
        Err(e) => {
            tracing::error!(error = %e, "listing schools for the start page failed");
            Vec::new()
        }
    }
}
