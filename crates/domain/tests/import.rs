//! Import, re-import, school-year change and deletion periods, on SQLite and PostgreSQL.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use schulhof_domain::clock::ManualClock;
use schulhof_domain::identity::Actor;
use schulhof_domain::import::{Columns, Format, ImportProgress, SystemImport, UploadInput};
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;
use schulhof_types::AccountType;

const SCHOOL: &str = "123456";

fn step<'a>(
    from: &'a str,
    to: &'a str,
    dry_run: bool,
) -> schulhof_domain::school_year::YearStep<'a> {
    schulhof_domain::school_year::YearStep {
        from,
        to,
        leavers: None,
        dry_run,
    }
}

struct Env {
    school: String,
    platform: Platform,
    clock: Arc<ManualClock>,
    dir: tempfile::TempDir,
}

async fn env(db: Db) -> Env {
    env_for(db, SCHOOL).await
}

async fn env_for(db: Db, school: &str) -> Env {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
            .single()
            .expect("time"),
    ));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        ..Config::default()
    };
    let platform = Platform::new(db, clock.clone(), config);
    platform
        .system_create_school(school, "Testschule")
        .await
        .expect("school");
    Env {
        school: school.into(),
        platform,
        clock,
        dir: tempfile::tempdir().expect("dir"),
    }
}

/// A person of a hand-written test file.
#[derive(Clone, Debug)]
struct P {
    id: String,
    given: String,
    family: String,
    role: &'static str,
    state: u8,
    groups: Vec<String>,
}

fn p(id: &str, given: &str, family: &str, role: &'static str, groups: &[&str]) -> P {
    P {
        id: id.into(),
        given: given.into(),
        family: family.into(),
        role,
        state: 2,
        groups: groups.iter().map(|g| (*g).into()).collect(),
    }
}

/// A Schild-shaped XML with the school groups on levels 1 and 2.
fn schild(persons: &[P], groups: &[(&str, &str)]) -> String {
    schild_for(SCHOOL, persons, groups)
}

fn schild_for(school: &str, persons: &[P], groups: &[(&str, &str)]) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<enterprise xmlns=\"http://www.metaventis.com/ns/cockpit/sync/1.0\">\n<properties><datasource>SCHILDNRW-2.0.33.1</datasource></properties>\n",
    );
    for p in persons {
        let _ = writeln!(
            x,
            "<person recstatus=\"1\"><sourcedid><source>S</source><id>{}</id></sourcedid><name><fn>{} {}</fn><n><family>{}</family><given>{}</given></n></name><institutionrole institutionroletype=\"{}\"/><extension><x-schildnrw-person-state>{}</x-schildnrw-person-state></extension></person>",
            p.id, p.family, p.given, p.family, p.given, p.role, p.state
        );
    }
    x.push_str("<group><sourcedid><id>TR</id></sourcedid><grouptype><typevalue level=\"1\">Schultraeger</typevalue></grouptype><description><short>Stadt</short></description></group>\n");
    let _ = writeln!(
        x,
        "<group><sourcedid><id>SN</id></sourcedid><grouptype><typevalue level=\"2\">Schule</typevalue></grouptype><description><short>{school}</short><long>Testschule (2026/27)</long></description></group>"
    );
    for (id, name) in groups {
        let _ = writeln!(
            x,
            "<group><sourcedid><id>{id}</id></sourcedid><grouptype><typevalue level=\"3\">Gruppe</typevalue></grouptype><description><short>{name}</short></description></group>"
        );
    }
    for (gid, _) in groups {
        let members: Vec<&P> = persons
            .iter()
            .filter(|p| p.groups.iter().any(|g| g == gid))
            .collect();
        if members.is_empty() {
            continue;
        }
        let _ = write!(x, "<membership><sourcedid><id>{gid}</id></sourcedid>");
        for m in members {
            let _ = write!(
                x,
                "<member><sourcedid><id>{}</id></sourcedid><idtype>1</idtype></member>",
                m.id
            );
        }
        x.push_str("</membership>\n");
    }
    x.push_str("</enterprise>\n");
    x
}

impl Env {
    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).expect("write");
        path
    }

    async fn import(
        &self,
        format: Format,
        path: PathBuf,
        dry_run: bool,
    ) -> Result<schulhof_domain::import::ImportOutcome, DomainError> {
        let input = SystemImport {
            upload: UploadInput {
                format,
                file_name: "test".into(),
                path,
                zip_password: None,
                with_students: true,
                account_type: (format == Format::Table).then_some(AccountType::Schueler),
                columns: Columns::default(),
            },
            dry_run,
            accept_fixes: false,
        };
        self.platform
            .system_import(&self.school, input, &ImportProgress::new())
            .await
    }

    async fn schild(
        &self,
        persons: &[P],
        groups: &[(&str, &str)],
    ) -> schulhof_domain::import::ImportOutcome {
        let path = self.file("schild.xml", &schild_for(&self.school, persons, groups));
        self.import(Format::Schild, path, false)
            .await
            .expect("import")
    }

    async fn admin(&self) -> Actor {
        self.platform
            .system_set_password(&self.school, "admin", Some("admin-passwort-1"))
            .await
            .expect("password");
        self.login("admin", "admin-passwort-1").await
    }

    async fn login(&self, login: &str, password: &str) -> Actor {
        let s = self
            .platform
            .login(&self.school, login, password, "127.0.0.1")
            .await
            .expect("login");
        self.platform
            .session(&s.cookie)
            .await
            .expect("session")
            .actor
    }

    /// Persons (source id, names, type, active, marked) and memberships (group name,
    /// source id) of the school, sorted: what an import is about.
    async fn state(&self, only_current: bool) -> (BTreeSet<String>, BTreeSet<(String, String)>) {
        let db = self.platform.db();
        let mut h = db.read().await.expect("read");
        let school = schulhof_store::instances::find_by_number(&mut h, &self.school)
            .await
            .expect("q")
            .expect("school");
        let persons = schulhof_store::imports::source_persons(&mut h, school.id, "schild")
            .await
            .expect("q");
        let groups = schulhof_store::imports::current_groups(&mut h, school.id)
            .await
            .expect("q");
        let members = schulhof_store::imports::source_memberships(&mut h, school.id, "schild")
            .await
            .expect("q");
        let ps = persons
            .iter()
            .filter(|p| !only_current || !p.marked_for_deletion)
            .map(|p| {
                format!(
                    "{}|{}|{}|{}|{}|{}|{:?}",
                    p.source_id,
                    p.first_name,
                    p.last_name,
                    p.kind,
                    p.active,
                    p.marked_for_deletion,
                    p.class_label
                )
            })
            .collect();
        let ms = members
            .iter()
            .filter_map(|(g, u)| {
                let g = groups.iter().find(|x| x.id == *g)?;
                let p = persons.iter().find(|x| x.id == *u)?;
                (!only_current || !p.marked_for_deletion)
                    .then(|| (g.source_id.clone().unwrap_or_default(), p.source_id.clone()))
            })
            .collect();
        (ps, ms)
    }
}

fn school_file() -> (Vec<P>, Vec<(&'static str, &'static str)>) {
    let persons = vec![
        p("S1", "Jürgen", "Müller", "Student", &["K5A", "ALLE"]),
        p(
            "S2",
            "Anna Lena",
            "Özdemir",
            "student",
            &["K5A", "ALLE", "D-GK"],
        ),
        p("S3", "José", "García", "STUDENT", &["K5B", "ALLE", "D-GK"]),
        p("S4", "Jürgen", "Müller", "Student", &["K5B", "ALLE"]),
        p("L1", "Renée", "Weiß", "Faculty", &["K5A-L", "D-GK"]),
    ];
    let groups = vec![
        ("K5A", "Klasse 05A - Schueler"),
        ("K5B", "Klasse 05B - Schueler"),
        ("K5A-L", "Klasse 05A - Lehrer"),
        ("ALLE", "Alle - Schueler"),
        ("D-GK", "Kurs D-GK1 (D, GK, 1, Schueler)"),
    ];
    (persons, groups)
}

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

async fn school_year_change_archives_classes_and_moves_leavers_out(db: Db) {
    let e = env(db).await;
    let (mut persons, groups) = school_file();
    e.schild(&persons, &groups).await;
    persons.retain(|p| p.id != "S4");
    e.schild(&persons, &groups).await; // S4 marked for deletion
    let admin = e.admin().await;
    let year = e
        .platform
        .current_school_year(admin.token.instance())
        .await
        .expect("year");
    assert_eq!(year, "2026/27");
    let dry = e
        .platform
        .change_school_year(&admin, step("2026/27", "2027/28", true))
        .await
        .expect("dry");
    assert!(!dry.applied);
    assert_eq!(
        dry.archived_groups.len(),
        4,
        "classes and the course: {:?}",
        dry.archived_groups
    );
    assert_eq!(dry.leavers.len(), 1);
    // Only the leavers the preview listed move out: none listed, none leave.
    let none: Vec<String> = Vec::new();
    let listed = schulhof_domain::school_year::YearStep {
        leavers: Some(&none),
        ..step("2026/27", "2027/28", true)
    };
    let dry_none = e
        .platform
        .change_school_year(&admin, listed)
        .await
        .expect("dry");
    assert!(dry_none.leavers.is_empty());
    let wrong = e
        .platform
        .change_school_year(&admin, step("2025/26", "2026/27", false))
        .await;
    assert!(
        matches!(wrong, Err(DomainError::Invalid { field: "from", .. })),
        "{wrong:?}"
    );
    let done = e
        .platform
        .change_school_year(&admin, step("2026/27", "2027/28", false))
        .await
        .expect("change");
    assert!(done.applied);
    // Archived groups are read-only; the next import creates the new year's groups.
    let next = e.schild(&persons, &groups).await.summary;
    assert_eq!(next.groups_created, 4, "{next:?}");
    let archived = e
        .platform
        .list_groups(&admin, "(2026/27)")
        .await
        .expect("groups");
    let old = archived
        .iter()
        .find(|g| g.name.starts_with("Klasse 05A - Schueler"))
        .expect("archived class");
    let refused = e
        .platform
        .set_membership(&admin, old.id, "juergen.mueller", false)
        .await;
    assert!(
        matches!(refused, Err(DomainError::Conflict { field: "group", .. })),
        "{refused:?}"
    );
    let refused = e.platform.delete_group(&admin, old.id).await;
    assert!(
        matches!(refused, Err(DomainError::Conflict { field: "group", .. })),
        "kept for its period: {refused:?}"
    );
}

async fn school_year_change_applies_the_new_years_file_in_one_step(db: Db) {
    let e = env(db).await;
    let (mut persons, groups) = school_file();
    e.schild(&persons, &groups).await;
    let admin = e.admin().await;
    persons.retain(|p| p.id != "S4");
    persons.push(p("S6", "Ida", "Neumann", "Student", &["K5A"]));
    let path = e.file("next.xml", &schild(&persons, &groups));
    let upload = UploadInput {
        format: Format::Schild,
        file_name: "next.xml".into(),
        path,
        zip_password: None,
        with_students: true,
        account_type: None,
        columns: Columns::default(),
    };
    let run = e
        .platform
        .import_upload(&admin, upload)
        .await
        .expect("upload");
    let go = || schulhof_domain::import::ApplyInput {
        protocol_password: "protokoll-geheim".into(),
        ..Default::default()
    };
    let dry = e
        .platform
        .change_school_year_with_import(&admin, step("2026/27", "2027/28", true), run, go())
        .await
        .expect("dry run");
    assert_eq!(
        dry.import.expect("import").groups_created,
        4,
        "old classes and courses are archived first"
    );
    assert_eq!(dry.leavers.len(), 1, "{:?}", dry.leavers);
    let done = e
        .platform
        .change_school_year_with_import(&admin, step("2026/27", "2027/28", false), run, go())
        .await
        .expect("change");
    assert!(done.applied);
    assert_eq!(
        e.platform
            .import_run(&admin, run)
            .await
            .expect("run")
            .status,
        "applied"
    );
    let letters = e
        .platform
        .import_letters(&admin, run, "protokoll-geheim")
        .await
        .expect("letters");
    assert_eq!(letters.iter().map(|c| c.letters.len()).sum::<usize>(), 1);
    let wrong = e
        .platform
        .import_letters(&admin, run, "falsch-falsch")
        .await;
    assert!(matches!(
        wrong,
        Err(DomainError::Invalid {
            field: "protocol_password",
            ..
        })
    ));
    assert_eq!(
        e.platform
            .current_school_year(admin.token.instance())
            .await
            .expect("y"),
        "2027/28"
    );
}

async fn deletion_periods_delete_deactivated_accounts_after_the_calendar_year(db: Db) {
    let e = env(db).await;
    let (mut persons, groups) = school_file();
    e.schild(&persons, &groups).await;
    persons.retain(|p| p.id != "S4" && p.id != "L1");
    e.schild(&persons, &groups).await;
    let admin = e.admin().await;
    assert_eq!(
        e.platform
            .confirm_deletions(&admin, &[])
            .await
            .expect("confirm"),
        2
    );
    let bad = e
        .platform
        .set_deletion_periods(
            &admin,
            schulhof_store::lifecycle::Periods {
                students: 6,
                staff: 5,
                organisation: 10,
            },
        )
        .await;
    assert!(matches!(
        bad,
        Err(DomainError::Invalid {
            field: "students",
            ..
        })
    ));
    e.platform
        .set_deletion_periods(
            &admin,
            schulhof_store::lifecycle::Periods {
                students: 1,
                staff: 2,
                organisation: 10,
            },
        )
        .await
        .expect("periods");
    let overview = e
        .platform
        .deletion_overview(&admin)
        .await
        .expect("overview");
    assert!(
        overview
            .due
            .iter()
            .any(|d| d.what == "schueler" && d.delete_on.to_string() == "2028-01-01"),
        "{:?}",
        overview.due
    );
    // 2026 + 1 year: the student goes on 2028-01-01, the teacher on 2029-01-01.
    e.clock.advance(Duration::days(424)); // 2027-12-31
    let none = e
        .platform
        .system_apply_deletion_periods()
        .await
        .expect("job");
    assert!(none.iter().all(|(_, d)| d.students == 0 && d.staff == 0));
    e.clock.advance(Duration::days(1));
    let run = e
        .platform
        .system_apply_deletion_periods()
        .await
        .expect("job");
    let ours = run.iter().find(|(n, _)| n == SCHOOL).expect("school").1;
    assert_eq!((ours.students, ours.staff), (1, 0));
    e.clock.advance(Duration::days(366));
    let run = e
        .platform
        .system_apply_deletion_periods()
        .await
        .expect("job");
    assert_eq!(
        run.iter()
            .find(|(n, _)| n == SCHOOL)
            .expect("school")
            .1
            .staff,
        1
    );
    let (ps, _) = e.state(false).await;
    assert_eq!(ps.len(), 3, "{ps:?}");
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
    school_year_change_archives_classes_and_moves_leavers_out,
    school_year_change_applies_the_new_years_file_in_one_step,
    deletion_periods_delete_deactivated_accounts_after_the_calendar_year,
);
