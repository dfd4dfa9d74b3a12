//! The harness of the import and life-cycle scenarios: a school on a test database with a
//! hand-moved clock, hand-written Schild files, and the stored state in comparable form.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use schulhof_domain::clock::ManualClock;
use schulhof_domain::identity::Actor;
use schulhof_domain::import::{Columns, Format, ImportProgress, SystemImport, UploadInput};
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_types::AccountType;

pub const SCHOOL: &str = "123456";

pub fn step<'a>(
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

pub struct Env {
    pub school: String,
    pub platform: Platform,
    pub clock: Arc<ManualClock>,
    pub dir: tempfile::TempDir,
}

pub async fn env(db: Db) -> Env {
    env_for(db, SCHOOL).await
}

pub async fn env_for(db: Db, school: &str) -> Env {
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
pub struct P {
    pub id: String,
    pub given: String,
    pub family: String,
    pub role: &'static str,
    pub state: u8,
    pub groups: Vec<String>,
}

pub fn p(id: &str, given: &str, family: &str, role: &'static str, groups: &[&str]) -> P {
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
pub fn schild(persons: &[P], groups: &[(&str, &str)]) -> String {
    schild_for(SCHOOL, persons, groups)
}

pub fn schild_for(school: &str, persons: &[P], groups: &[(&str, &str)]) -> String {
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
    pub fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).expect("write");
        path
    }

    pub async fn import(
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

    pub async fn schild(
        &self,
        persons: &[P],
        groups: &[(&str, &str)],
    ) -> schulhof_domain::import::ImportOutcome {
        let path = self.file("schild.xml", &schild_for(&self.school, persons, groups));
        self.import(Format::Schild, path, false)
            .await
            .expect("import")
    }

    pub async fn admin(&self) -> Actor {
        self.platform
            .system_set_password(&self.school, "admin", Some("admin-passwort-1"))
            .await
            .expect("password");
        self.login("admin", "admin-passwort-1").await
    }

    pub async fn login(&self, login: &str, password: &str) -> Actor {
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
    pub async fn state(
        &self,
        only_current: bool,
    ) -> (BTreeSet<String>, BTreeSet<(String, String)>) {
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

pub fn school_file() -> (Vec<P>, Vec<(&'static str, &'static str)>) {
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
