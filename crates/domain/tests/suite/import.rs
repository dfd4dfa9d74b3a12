//! Import and re-import: sources, differences, conflicts, bad files, the property that
//! import(A) then import(B) equals import(B) alone. On SQLite and PostgreSQL.

use crate::support;
use chrono::Duration;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use schulhof_domain::import::{Columns, Format, ImportProgress, SystemImport, UploadInput};
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;
use schulhof_types::AccountType;
use std::path::PathBuf;
use support::*;

async fn first_import_creates_everything_and_repeating_it_changes_nothing(db: Db) {
    let e = env(db).await;
    let (persons, groups) = school_file();
    let preview = e
        .import(
            Format::Schild,
            e.file("a.xml", &schild(&persons, &groups)),
            true,
        )
        .await
        .expect("preview");
    assert_eq!(preview.summary.created, 5);
    assert!(!preview.applied);
    assert_eq!(e.state(false).await.0.len(), 0, "a dry run changes nothing");
    let logins: Vec<&str> = preview
        .plan
        .create
        .iter()
        .map(|c| c.login.as_str())
        .collect();
    assert!(
        logins.contains(&"juergen.mueller") && logins.contains(&"juergen.mueller2"),
        "{logins:?}"
    );
    assert!(
        preview
            .plan
            .create
            .iter()
            .any(|c| c.mail == "anna-lena.oezdemir@123456.nrw.schule"
                || c.mail == "annalena.oezdemir@123456.nrw.schule"
                || c.mail.starts_with("anna")),
        "mail shown in the preview"
    );

    let first = e.schild(&persons, &groups).await;
    let s = first.summary;
    assert_eq!(
        (s.created, s.updated, s.groups_created, s.memberships_added),
        (5, 0, 5, 12)
    );
    assert_eq!(
        first
            .protocol
            .iter()
            .filter(|r| r.initial_password.is_some())
            .count(),
        5
    );
    let before = e.state(false).await;

    let again = e.schild(&persons, &groups).await.summary;
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 5));
    assert_eq!(
        (
            again.marked_for_deletion,
            again.groups_created,
            again.memberships_added,
            again.memberships_removed
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(
        e.state(false).await,
        before,
        "an identical import changes nothing"
    );
}

async fn imported_persons_log_in_with_the_initial_password_and_must_change_it(db: Db) {
    let e = env(db).await;
    let (persons, groups) = school_file();
    let out = e.schild(&persons, &groups).await;
    let row = out
        .protocol
        .iter()
        .find(|r| r.quell_id == "S2")
        .expect("row");
    let s = e
        .platform
        .login(
            SCHOOL,
            &row.login,
            row.initial_password.as_deref().expect("pw"),
            "127.0.0.1",
        )
        .await
        .expect("login");
    let session = e.platform.session(&s.cookie).await.expect("session");
    assert_eq!(
        session.gate,
        Some(schulhof_domain::identity::Gate::PasswordChange)
    );
    let wrong = e
        .platform
        .login(SCHOOL, &row.login, "Falsch-Passwort1", "127.0.0.1")
        .await;
    assert!(
        matches!(wrong, Err(DomainError::BadCredentials)),
        "{:?}",
        wrong.err()
    );
}

async fn a_changed_file_applies_only_its_differences(db: Db) {
    let e = env(db).await;
    let (mut persons, groups) = school_file();
    e.schild(&persons, &groups).await;
    persons[0].family = "Müller-Schmidt".into(); // renamed
    persons[2].groups = vec!["K5A".into(), "ALLE".into()]; // changed class, left the course
    persons.remove(3); // gone from the file
    persons.push(p("S5", "Zoë", "D'Angelo", "Student", &["K5A"])); // new
    let out = e.schild(&persons, &groups).await;
    let s = out.summary;
    assert_eq!(
        (s.created, s.updated, s.unchanged, s.marked_for_deletion),
        (1, 1, 3, 1),
        "{s:?}"
    );
    assert_eq!(
        (s.memberships_added, s.memberships_removed),
        (2, 2),
        "{s:?}"
    );
    let (ps, ms) = e.state(false).await;
    assert!(
        ps.iter()
            .any(|p| p.starts_with("S4|") && p.contains("|true|true|")),
        "S4 is kept, marked: {ps:?}"
    );
    assert!(
        ms.contains(&("K5A".into(), "S3".into())) && !ms.contains(&("D-GK".into(), "S3".into()))
    );

    // The admin confirms: S4 is deactivated, not deleted; coming back clears the mark.
    let admin = e.admin().await;
    let overview = e
        .platform
        .deletion_overview(&admin)
        .await
        .expect("overview");
    assert_eq!(overview.marked.len(), 1);
    e.clock.advance(Duration::minutes(5));
    assert_eq!(
        e.platform
            .confirm_deletions(&admin, &[])
            .await
            .expect("confirm"),
        1
    );
    let (ps, _) = e.state(false).await;
    assert!(
        ps.iter()
            .any(|p| p.starts_with("S4|") && p.contains("|false|true|")),
        "{ps:?}"
    );
    persons.push(p("S4", "Jürgen", "Müller", "Student", &["K5B"]));
    let back = e.schild(&persons, &groups).await.summary;
    assert_eq!(back.unmarked, 1);
    let (ps, _) = e.state(false).await;
    assert!(
        ps.iter()
            .any(|p| p.starts_with("S4|") && p.contains("|true|false|")),
        "{ps:?}"
    );
}

async fn table_and_schild_imports_never_touch_each_other(db: Db) {
    let e = env(db).await;
    let (persons, groups) = school_file();
    e.schild(&persons, &groups).await;
    let csv = "Quell-ID;Nachname;Vorname;Klasse\nS1;Meier;Tom;5c\nS2;Kaya;Elif;5c\n";
    let out = e
        .import(Format::Table, e.file("t.csv", csv), false)
        .await
        .expect("csv");
    assert_eq!(
        out.summary.created, 2,
        "same Quell-IDs, other source: new persons"
    );
    assert_eq!(out.summary.marked_for_deletion, 0);
    // An empty table for the same type marks only the table's persons.
    let out = e
        .import(
            Format::Table,
            e.file("t2.csv", "Quell-ID;Nachname;Vorname\nS9;Neu;Nina\n"),
            false,
        )
        .await
        .expect("csv");
    assert_eq!(out.summary.marked_for_deletion, 2);
    let (ps, _) = e.state(false).await;
    assert!(
        ps.iter().all(|p| p.contains("|true|false|")),
        "Schild persons untouched: {ps:?}"
    );
}

async fn a_bad_file_names_its_position_and_changes_nothing(db: Db) {
    let e = env(db).await;
    let (persons, groups) = school_file();
    e.schild(&persons, &groups).await;
    let before = e.state(false).await;
    let mut broken = schild(&persons[..2], &groups);
    broken = broken.replacen("</family>", "</famly>", 1);
    let err = e
        .import(Format::Schild, e.file("bad.xml", &broken), false)
        .await
        .expect_err("malformed");
    let msg = err.to_string();
    assert!(msg.contains("line 4"), "{msg}");
    let err = e
        .import(
            Format::Table,
            e.file("bad.csv", "Nachname;Vorname\nA;B\n"),
            false,
        )
        .await
        .expect_err("no Quell-ID");
    assert!(err.to_string().to_lowercase().contains("quell"), "{err}");
    let other = schild(&persons, &groups).replace(">123456<", ">654321<");
    let err = e
        .import(Format::Schild, e.file("other.xml", &other), false)
        .await
        .expect_err("other school");
    assert!(err.to_string().contains("654321"), "{err}");
    assert_eq!(e.state(false).await, before);
}

async fn conflicts_stop_the_import_unless_the_fixes_are_accepted(db: Db) {
    let e = env(db).await;
    let mut persons = school_file().0;
    persons.push(p("S1", "Doppelt", "Vergeben", "Student", &[]));
    persons.push(p("X1", "Unbekannt", "Rolle", "Hausmeister", &[]));
    let groups = school_file().1;
    let path = e.file("c.xml", &schild(&persons, &groups));
    let err = e
        .import(Format::Schild, path.clone(), false)
        .await
        .expect_err("conflicts");
    assert!(
        matches!(
            err,
            DomainError::Invalid {
                field: "accept_fixes",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(e.state(false).await.0.len(), 0);
    let preview = e
        .import(Format::Schild, path.clone(), true)
        .await
        .expect("preview");
    assert_eq!(
        preview.plan.conflicts.len(),
        2,
        "{:?}",
        preview.plan.conflicts
    );
    let input = SystemImport {
        upload: UploadInput {
            format: Format::Schild,
            file_name: "c".into(),
            path,
            zip_password: None,
            with_students: true,
            account_type: None,
            columns: Columns::default(),
        },
        dry_run: false,
        accept_fixes: true,
    };
    let out = e
        .platform
        .system_import(SCHOOL, input, &ImportProgress::new())
        .await
        .expect("accepted");
    assert_eq!(out.summary.created, 5);
}

/// Property: import(A) then import(B) ends where import(B) into an empty school ends, for
/// the persons B lists and their memberships.
async fn import_a_then_b_equals_b_alone(db: Db) {
    for seed in 0..12u64 {
        let (a, b) = (random_file(seed * 2), random_file(seed * 2 + 1));
        let both = env_for(db.clone(), &format!("{}", 100_000 + seed)).await;
        both.schild(&a, &GROUPS).await;
        both.schild(&b, &GROUPS).await;
        let only = env_for(db.clone(), &format!("{}", 200_000 + seed)).await;
        only.schild(&b, &GROUPS).await;
        assert_eq!(
            both.state(true).await,
            only.state(true).await,
            "seed {seed}"
        );
    }
}

async fn svws_and_generated_schild_exports_import_and_reimport_unchanged(db: Db) {
    use schulhof_import::generate::{SchildSpec, schild_xml, svws_json};
    let e = env(db).await;
    let spec = SchildSpec {
        school_number: SCHOOL.into(),
        students: 60,
        teachers: 8,
        classes: 3,
        courses: 5,
        courses_per_student: 3,
        left_students: 3,
        seed: 11,
    };
    for (format, name, content) in [
        (Format::Svws, "svws.json", svws_json(&spec)),
        (Format::Schild, "schild.xml", schild_xml(&spec)),
    ] {
        let path = e.file(name, &content);
        let first = e
            .import(format, path.clone(), false)
            .await
            .expect("import")
            .summary;
        assert_eq!(
            first.created, 65,
            "{name}: 57 active pupils and 8 teachers: {first:?}"
        );
        assert_eq!(first.skipped_left, 3, "{name}");
        assert!(first.memberships_added > 150, "{name}: {first:?}");
        let again = e.import(format, path, false).await.expect("again").summary;
        assert_eq!(
            (again.created, again.updated, again.unchanged),
            (0, 0, 65),
            "{name}"
        );
        assert_eq!(
            (again.memberships_added, again.memberships_removed),
            (0, 0),
            "{name}"
        );
    }
}

/// Review findings: a table's Quell-ID of another type, memberships in another source's
/// group of the same id, and an admin's deactivation surviving a re-import.
async fn imports_respect_types_other_sources_and_the_admins_deactivation(db: Db) {
    let e = env(db).await;
    let teachers = "Quell-ID;Nachname;Vorname;Gruppen\n1;Müller;Hans;Mathe\n";
    let path = e.file("lehrer.csv", teachers);
    let input = |path: PathBuf, t: AccountType| SystemImport {
        upload: UploadInput {
            format: Format::Table,
            file_name: "t".into(),
            path,
            zip_password: None,
            with_students: true,
            account_type: Some(t),
            columns: Columns::default(),
        },
        dry_run: false,
        accept_fixes: true,
    };
    let p = ImportProgress::new();
    e.platform
        .system_import(SCHOOL, input(path, AccountType::Lehrer), &p)
        .await
        .expect("teachers");
    let students = e.file(
        "schueler.csv",
        "Quell-ID;Nachname;Vorname;Klasse\n1;Klein;Anna;5a\n",
    );
    let out = e
        .platform
        .system_import(SCHOOL, input(students, AccountType::Schueler), &p)
        .await
        .expect("students");
    assert_eq!(
        (
            out.summary.created,
            out.summary.updated,
            out.summary.conflicts
        ),
        (0, 0, 1),
        "{:?}",
        out.plan.conflicts
    );
    assert!(matches!(
        out.plan.conflicts[0].kind,
        schulhof_import::ConflictKind::OtherAccountType { .. }
    ));

    // A Schild group whose id equals the table group's name leaves the table group alone.
    let (persons, _) = school_file();
    let groups = [("Mathe", "Mathe (Schild)")];
    e.schild(&persons, &groups).await;
    let admin = e.admin().await;
    let mathe = e
        .platform
        .list_groups(&admin, "mathe")
        .await
        .expect("groups");
    let table_group = mathe
        .iter()
        .find(|g| g.name == "Mathe")
        .expect("table group");
    e.platform
        .set_membership(&admin, table_group.id, "renee.weiss", true)
        .await
        .expect("add by hand");
    let again = e.schild(&persons, &groups).await.summary;
    assert_eq!(again.memberships_removed, 0, "{again:?}");

    // Deactivated by the admin, then gone from the file and back: stays deactivated.
    e.platform
        .set_user_active(&admin, "juergen.mueller", false)
        .await
        .expect("deactivate");
    let without: Vec<P> = persons.iter().filter(|p| p.id != "S1").cloned().collect();
    e.schild(&without, &groups).await;
    e.schild(&persons, &groups).await;
    let (ps, _) = e.state(false).await;
    assert!(
        ps.iter()
            .any(|p| p.starts_with("S1|") && p.contains("|false|false|")),
        "{ps:?}"
    );
}

/// A table in an encrypted ZIP: its columns can be mapped again without the password.
async fn a_zipped_table_can_be_mapped_again(db: Db) {
    let e = env(db).await;
    let admin = e.admin().await;
    let csv = "ID;Familienname;Rufname\n7;Meier;Tom\n";
    let zip =
        schulhof_import::protocol::encrypted_zip(&[("liste.csv", csv.as_bytes())], "zip-passwort")
            .expect("zip");
    let path = e.dir.path().join("liste.zip");
    std::fs::write(&path, zip).expect("write");
    let upload = UploadInput {
        format: Format::Table,
        file_name: "liste.zip".into(),
        path,
        zip_password: Some("zip-passwort".into()),
        with_students: true,
        account_type: Some(AccountType::Schueler),
        columns: Columns::default(),
    };
    let run = e
        .platform
        .import_upload(&admin, upload)
        .await
        .expect("upload");
    let (view, plan) = e
        .platform
        .import_preview(&admin, run, &[])
        .await
        .expect("preview");
    assert_eq!(view.headers, ["ID", "Familienname", "Rufname"]);
    assert_eq!(plan.create.len(), 1);
    let columns = Columns {
        nachname: Some("Rufname".into()),
        vorname: Some("Familienname".into()),
        ..Columns::default()
    };
    e.platform
        .import_remap(&admin, run, columns)
        .await
        .expect("remap");
    let (_, plan) = e
        .platform
        .import_preview(&admin, run, &[])
        .await
        .expect("preview");
    assert_eq!(plan.create[0].login, "meier.tom");
}

/// Random files over one pool of ids, names and groups.
fn random_file(seed: u64) -> Vec<P> {
    let mut rng = StdRng::seed_from_u64(seed);
    let names = ["Müller", "Öztürk", "Weiß", "García", "Nguyễn", "Schmidt"];
    let given = ["Jürgen", "Anna Lena", "José", "Zoë", "Ben"];
    let gs = ["K5A", "K5B", "ALLE", "D-GK", "E-LK"];
    let ids: Vec<u32> = (0..12).filter(|_| rng.random_bool(0.7)).collect();
    ids.into_iter()
        .map(|i| P {
            id: format!("S{i}"),
            given: given[rng.random_range(0..given.len())].into(),
            family: names[rng.random_range(0..names.len())].into(),
            role: if i < 2 { "Faculty" } else { "Student" },
            state: if rng.random_bool(0.1) { 9 } else { 2 },
            groups: gs
                .iter()
                .filter(|_| rng.random_bool(0.4))
                .map(|g| (*g).into())
                .collect(),
        })
        .collect()
}

const GROUPS: [(&str, &str); 5] = [
    ("K5A", "Klasse 5A"),
    ("K5B", "Klasse 5B"),
    ("ALLE", "Alle"),
    ("D-GK", "Deutsch GK"),
    ("E-LK", "Englisch LK"),
];

backend_tests!(
    a_zipped_table_can_be_mapped_again,
    imports_respect_types_other_sources_and_the_admins_deactivation,
    svws_and_generated_schild_exports_import_and_reimport_unchanged,
    first_import_creates_everything_and_repeating_it_changes_nothing,
    imported_persons_log_in_with_the_initial_password_and_must_change_it,
    a_changed_file_applies_only_its_differences,
    table_and_schild_imports_never_touch_each_other,
    a_bad_file_names_its_position_and_changes_nothing,
    conflicts_stop_the_import_unless_the_fixes_are_accepted,
    import_a_then_b_equals_b_alone,
);
