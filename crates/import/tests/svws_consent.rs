//! The SVWS consent flags `EinwilligungAudiokonferenz` / `EinwilligungVideokonferenz` on
//! the pupils of a Lernplattform export: booleans or 0/1 in either spelling, absent means
//! "the file says nothing", anything else is a conflict naming the row and the value.

mod common;

use common::read;
use schulhof_import::{ConflictKind, Format, ReadOptions};

#[test]
fn consent_flags_are_read_per_pupil() {
    let data = read("svws_consent.json", Format::Svws, &ReadOptions::default()).expect("reads");
    let of = |id: &str| {
        let p = data
            .persons
            .iter()
            .find(|p| p.source_id == id)
            .unwrap_or_else(|| panic!("{id}"));
        (p.consent_audio, p.consent_video)
    };
    assert_eq!(of("S10"), (Some(true), Some(true)));
    assert_eq!(of("S11"), (Some(true), Some(false)), "PascalCase and 0/1");
    assert_eq!(of("S12"), (None, None), "absent: nothing said");
    assert_eq!(of("S13"), (None, Some(false)), "the bad flag is left out");
    assert_eq!(of("L1"), (None, None), "teachers carry none");
    let bad: Vec<_> = data
        .conflicts
        .iter()
        .filter(|c| matches!(c.kind, ConflictKind::BadValue { .. }))
        .collect();
    assert_eq!(bad.len(), 1, "{:?}", data.conflicts);
    let c = bad[0];
    assert_eq!(c.source_id.as_deref(), Some("S13"));
    assert_eq!(
        c.position.path.as_deref(),
        Some("$.schueler[3].einwilligungAudiokonferenz")
    );
    assert!(
        c.message.contains("S13")
            && c.message.contains("Mia Klein")
            && c.message.contains("\"ja\""),
        "{}",
        c.message
    );
}
