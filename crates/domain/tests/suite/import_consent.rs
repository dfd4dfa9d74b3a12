//! The SVWS import of the pupils' consent to audio and video conferences, on SQLite and
//! PostgreSQL: created with the person, changed on a re-import (an "updated" person with
//! the field named in the protocol), counted in the audit entry, announced to running
//! conferences; a bad flag is a conflict that names the row and stops the import until
//! the fix (leave the record as it is) is accepted.

use crate::support;
use schulhof_domain::conference::AvConsent;
use schulhof_domain::import::{
    Columns, Format, ImportOutcome, ImportProgress, SystemImport, UploadInput,
};
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;
use support::*;

const FILE: &str = include_str!("../../../import/tests/fixtures/svws_consent.json");

async fn import(e: &Env, content: &str, accept_fixes: bool) -> Result<ImportOutcome, DomainError> {
    let input = SystemImport {
        upload: UploadInput {
            format: Format::Svws,
            file_name: "svws.json".into(),
            path: e.file("svws.json", content),
            zip_password: None,
            with_students: true,
            account_type: None,
            columns: Columns::default(),
        },
        dry_run: false,
        accept_fixes,
    };
    e.platform
        .system_import(&e.school, input, &ImportProgress::new())
        .await
}

fn pair(audio: bool, video: bool) -> AvConsent {
    AvConsent { audio, video }
}

async fn svws_consents_are_imported_audited_and_updated(db: Db) {
    let e = env(db).await;
    let admin = e.admin().await;
    // Mia's audio flag reads "ja": a conflict that names her row stops the import.
    let refused = import(&e, FILE, false).await;
    assert!(
        matches!(&refused, Err(DomainError::Invalid { .. })),
        "{refused:?}"
    );
    let out = import(&e, FILE, true).await.expect("import with fixes");
    let c = &out.plan.conflicts[0];
    assert_eq!(c.source_id.as_deref(), Some("S13"));
    assert!(c.message.contains("$.schueler[3]"), "{}", c.message);
    assert_eq!(out.summary.created, 5);
    let login = |id: &str| {
        out.protocol
            .iter()
            .find(|r| r.quell_id == id)
            .map(|r| r.login.clone())
            .unwrap_or_else(|| panic!("{id}"))
    };
    let consent = |l: String| {
        let (p, a) = (&e.platform, &admin);
        async move { p.av_consent(a, &l).await.expect("consent") }
    };
    assert_eq!(consent(login("S10")).await, pair(true, true));
    assert_eq!(consent(login("S11")).await, pair(true, false));
    assert_eq!(consent(login("S12")).await, pair(false, false));
    assert_eq!(consent(login("S13")).await, pair(false, false));
    let log = e.platform.admin_log(&admin, 50, 0).await.expect("log");
    let entry = log
        .iter()
        .find(|l| l.action == "import.apply")
        .expect("audited");
    let detail = entry.detail.as_ref().expect("detail");
    assert_eq!(detail["av_consents"], 2, "{detail}");

    // The school withdraws Lea's video consent and records Jonas's: a re-import updates
    // exactly them, names the field, and tells running conferences at once.
    let mut changes = e.platform.consent_changes();
    let changed = FILE
        .replace(
            r#""einwilligungAudiokonferenz": true, "einwilligungVideokonferenz": true"#,
            r#""einwilligungAudiokonferenz": true, "einwilligungVideokonferenz": false"#,
        )
        .replace(
            r#""EinwilligungVideokonferenz": 0"#,
            r#""EinwilligungVideokonferenz": "1""#,
        );
    let again = import(&e, &changed, true).await.expect("re-import");
    assert_eq!(
        (again.summary.created, again.summary.updated),
        (0, 2),
        "{:?}",
        again.summary
    );
    for row in again.protocol.iter().filter(|r| r.status == "updated") {
        assert_eq!(row.message, "av_consent", "{row:?}");
    }
    assert_eq!(consent(login("S10")).await, pair(true, false));
    assert_eq!(consent(login("S11")).await, pair(true, true));
    let mut announced = Vec::new();
    while let Ok(c) = changes.try_recv() {
        announced.push(c.user);
    }
    assert_eq!(announced.len(), 2, "{announced:?}");
    // An admin's hand-set record is what a file without flags leaves alone.
    e.platform
        .set_av_consent(&admin, &login("S12"), pair(true, true))
        .await
        .expect("by hand");
    let third = import(&e, &changed, true).await.expect("third");
    assert_eq!(third.summary.updated, 0, "{:?}", third.summary);
    assert_eq!(consent(login("S12")).await, pair(true, true));
}

backend_tests!(svws_consents_are_imported_audited_and_updated);
