//! The harness of the file-manager scenarios: a school with a class, a teacher, three
//! students and a hand-moved clock, on a test database, with its content directory.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use schulhof_authz::files::Area;
use schulhof_domain::admin::NewUser;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::files::{Located, Placement};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use tokio::io::AsyncReadExt;

pub const PW: &str = "ein-gutes-passwort";

pub struct School {
    pub platform: Platform,
    pub clock: Arc<ManualClock>,
    pub number: &'static str,
    pub blobs: tempfile::TempDir,
}

pub async fn school(db: Db, number: &'static str, quotas: FileQuotas) -> School {
    let blobs = tempfile::tempdir().expect("blob dir");
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
            .single()
            .expect("time"),
    ));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        blob_dir: Some(blobs.path().to_owned()),
        file_quotas: quotas,
        ..Config::default()
    };
    let platform = Platform::new(db, clock.clone(), config);
    platform
        .system_create_school(number, "Testschule")
        .await
        .expect("school");
    let s = School {
        platform,
        clock,
        number,
        blobs,
    };
    let admin = s.admin().await;
    s.platform
        .create_group(&admin, "5a", "klasse", "Klasse 5a")
        .await
        .expect("group");
    for (login, kind, groups) in [
        ("lehrer", "lehrer", vec!["5a"]),
        ("anna", "schueler", vec!["5a"]),
        ("ben", "schueler", vec!["5a"]),
        ("carla", "schueler", vec![]),
    ] {
        s.platform
            .create_user(
                &admin,
                NewUser {
                    first_name: login.into(),
                    last_name: "Test".into(),
                    account_type: Some(kind.into()),
                    function_role: None,
                    login: Some(login.into()),
                    password: Some(PW.into()),
                    external_mail: None,
                    holder: None,
                    groups: groups.into_iter().map(str::to_owned).collect(),
                },
            )
            .await
            .expect("user");
    }
    s
}

impl School {
    pub async fn admin(&self) -> Actor {
        self.platform
            .system_set_password(self.number, "admin", Some("admin-passwort-1"))
            .await
            .expect("password");
        self.as_("admin", "admin-passwort-1").await
    }

    pub async fn user(&self, login: &str) -> Actor {
        self.as_(login, PW).await
    }

    pub async fn as_(&self, login: &str, password: &str) -> Actor {
        let s = self
            .platform
            .login(self.number, login, password, "127.0.0.1")
            .await
            .expect("login");
        self.platform
            .session(&s.cookie)
            .await
            .expect("session")
            .actor
    }

    pub async fn area(&self, a: &Actor, area: Area) -> Located {
        let root = self
            .platform
            .file_areas(a)
            .await
            .expect("areas")
            .into_iter()
            .find(|e| e.area_value == area)
            .expect("area visible");
        self.platform.locate(a, root.id).await.expect("root")
    }

    pub async fn put(
        &self,
        a: &Actor,
        folder: &Located,
        name: &str,
        content: &[u8],
    ) -> Result<Located, DomainError> {
        let e = self
            .platform
            .file_upload(a, Placement { folder, name }, None, content)
            .await?;
        self.platform.locate(a, e.id).await
    }

    pub async fn mkdir(&self, a: &Actor, folder: &Located, name: &str) -> Located {
        let e = self
            .platform
            .file_mkdir(a, Placement { folder, name })
            .await
            .expect("mkdir");
        self.platform.locate(a, e.id).await.expect("folder")
    }

    pub async fn read(&self, a: &Actor, file: &Located) -> Vec<u8> {
        let mut f = self.platform.file_open(a, file).await.expect("open");
        let mut v = Vec::new();
        f.read_to_end(&mut v).await.expect("read");
        v
    }

    pub async fn names(&self, a: &Actor, folder: &Located) -> Vec<String> {
        self.platform
            .file_list(a, folder)
            .await
            .expect("list")
            .into_iter()
            .map(|e| e.name)
            .collect()
    }

    /// Stored contents and unfinished temporary files.
    pub fn blob_files(&self) -> (usize, usize) {
        fn count(dir: &Path, tmp: &mut usize, blobs: &mut usize, in_tmp: bool) {
            for e in std::fs::read_dir(dir).expect("dir").flatten() {
                let p = e.path();
                if p.is_dir() {
                    count(
                        &p,
                        tmp,
                        blobs,
                        in_tmp || p.file_name().is_some_and(|n| n == "tmp"),
                    );
                } else if in_tmp {
                    *tmp += 1;
                } else {
                    *blobs += 1;
                }
            }
        }
        let (mut tmp, mut blobs) = (0, 0);
        count(self.blobs.path(), &mut tmp, &mut blobs, false);
        (blobs, tmp)
    }
}
