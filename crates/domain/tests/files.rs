//! The cloud file manager's services on SQLite and PostgreSQL: quotas, atomic uploads,
//! versions, trash, inheritance and its withdrawal, drop folders, privacy of own areas and
//! isolation between schools.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use schulhof_authz::files::{Area, FileRole};
use schulhof_domain::admin::NewUser;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::files::{LinkMode, LinkRefusal, Located, NewLink, Placement, Subject};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;
use tokio::io::AsyncReadExt;

const PW: &str = "ein-gutes-passwort";

struct School {
    platform: Platform,
    clock: Arc<ManualClock>,
    number: &'static str,
    blobs: tempfile::TempDir,
}

async fn school(db: Db, number: &'static str, quotas: FileQuotas) -> School {
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
    async fn admin(&self) -> Actor {
        self.platform
            .system_set_password(self.number, "admin", Some("admin-passwort-1"))
            .await
            .expect("password");
        self.as_("admin", "admin-passwort-1").await
    }

    async fn user(&self, login: &str) -> Actor {
        self.as_(login, PW).await
    }

    async fn as_(&self, login: &str, password: &str) -> Actor {
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

    async fn area(&self, a: &Actor, area: Area) -> Located {
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

    async fn put(
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

    async fn mkdir(&self, a: &Actor, folder: &Located, name: &str) -> Located {
        let e = self
            .platform
            .file_mkdir(a, Placement { folder, name })
            .await
            .expect("mkdir");
        self.platform.locate(a, e.id).await.expect("folder")
    }

    async fn read(&self, a: &Actor, file: &Located) -> Vec<u8> {
        let mut f = self.platform.file_open(a, file).await.expect("open");
        let mut v = Vec::new();
        f.read_to_end(&mut v).await.expect("read");
        v
    }

    async fn names(&self, a: &Actor, folder: &Located) -> Vec<String> {
        self.platform
            .file_list(a, folder)
            .await
            .expect("list")
            .into_iter()
            .map(|e| e.name)
            .collect()
    }

    /// Stored contents and unfinished temporary files.
    fn blob_files(&self) -> (usize, usize) {
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

async fn quotas_refuse_uploads_and_leave_nothing_behind(db: Db) {
    let quotas = FileQuotas {
        schueler: 1000,
        ..FileQuotas::default()
    };
    let s = school(db, "123456", quotas).await;
    let anna = s.user("anna").await;
    let own = s.area(&anna, Area::Own).await;
    s.put(&anna, &own, "a.txt", &[1u8; 800])
        .await
        .expect("fits");
    let over = s.put(&anna, &own, "b.txt", &[2u8; 800]).await;
    assert!(
        matches!(over, Err(DomainError::QuotaExceeded(_))),
        "{over:?}"
    );
    assert_eq!(s.names(&anna, &own).await, ["a.txt"]);
    let usage = s.platform.file_usage(&anna).await.expect("usage");
    assert_eq!((usage.used, usage.quota), (800, 1000));
    assert_eq!(
        s.blob_files(),
        (1, 0),
        "the refused upload left no content and no temporary file"
    );

    // A cancelled upload: begun, partly written, dropped.
    let mut up = s
        .platform
        .begin_upload(
            &anna,
            Placement {
                folder: &own,
                name: "c.txt",
            },
            None,
        )
        .await
        .expect("begin");
    up.write(b"halb").await.expect("write");
    drop(up);
    assert_eq!(s.names(&anna, &own).await, ["a.txt"]);
    assert_eq!(s.blob_files(), (1, 0));

    // Copies share content: no new blob, but the quota counts them.
    let a = s
        .platform
        .locate_path(&anna, Area::Own, &["a.txt"])
        .await
        .expect("a");
    let copied = s
        .platform
        .file_copy(
            &anna,
            &a,
            Placement {
                folder: &own,
                name: "kopie.txt",
            },
        )
        .await;
    assert!(
        matches!(copied, Err(DomainError::QuotaExceeded(_))),
        "800 + 800 > 1000"
    );
    let teacher = s.user("lehrer").await;
    let t_own = s.area(&teacher, Area::Own).await;
    let f = s
        .put(&teacher, &t_own, "x.bin", &[7u8; 5000])
        .await
        .expect("teacher has 5 GB");
    s.platform
        .file_copy(
            &teacher,
            &f,
            Placement {
                folder: &t_own,
                name: "y.bin",
            },
        )
        .await
        .expect("copy");
    assert_eq!(s.blob_files(), (2, 0), "a copy costs no extra storage");
}

async fn versions_and_trash_keep_who_did_what(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    let folder = s.mkdir(&t, &own, "Zeugnisse").await;
    s.put(&t, &folder, "noten.txt", b"Fassung 1")
        .await
        .expect("v1");
    let f = s
        .put(&t, &folder, "noten.txt", b"Fassung 2")
        .await
        .expect("v2");
    assert_eq!(s.read(&t, &f).await, b"Fassung 2");
    let versions = s.platform.file_versions(&t, &f).await.expect("versions");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].modified_by.as_deref(), Some("lehrer"));
    let back = s
        .platform
        .file_restore_version(&t, &f, versions[0].id)
        .await
        .expect("restore");
    let f = s.platform.locate(&t, back.id).await.expect("file");
    assert_eq!(s.read(&t, &f).await, b"Fassung 1");
    assert_eq!(
        s.platform
            .file_versions(&t, &f)
            .await
            .expect("versions")
            .len(),
        2
    );

    s.platform.file_delete(&t, &folder).await.expect("delete");
    assert!(s.names(&t, &own).await.is_empty());
    assert!(
        matches!(
            s.platform.locate(&t, f.node().id).await,
            Err(DomainError::NotFound)
        ),
        "trashed content is gone from view"
    );
    let trash = s.platform.file_trash(&t, Area::Own).await.expect("trash");
    assert_eq!(trash.len(), 1);
    assert_eq!(
        (trash[0].name.as_str(), trash[0].deleted_by.as_deref()),
        ("Zeugnisse", Some("lehrer"))
    );

    // A new folder took the name: restoring is a clear conflict and changes nothing.
    s.mkdir(&t, &own, "Zeugnisse").await;
    let clash = s.platform.file_restore(&t, trash[0].id).await;
    assert!(
        matches!(clash, Err(DomainError::Conflict { .. })),
        "{clash:?}"
    );
    let again = s
        .platform
        .locate_path(&t, Area::Own, &["Zeugnisse"])
        .await
        .expect("new one");
    s.platform
        .file_move(
            &t,
            &again,
            Placement {
                folder: &own,
                name: "Zeugnisse neu",
            },
        )
        .await
        .expect("rename");
    s.platform
        .file_restore(&t, trash[0].id)
        .await
        .expect("restore");
    let restored = s
        .platform
        .locate_path(&t, Area::Own, &["Zeugnisse", "noten.txt"])
        .await
        .expect("back");
    assert_eq!(s.read(&t, &restored).await, b"Fassung 1");
    assert!(
        s.platform
            .file_trash(&t, Area::Own)
            .await
            .expect("trash")
            .is_empty()
    );
}

async fn shares_inherit_down_and_can_be_withdrawn(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    let course = s.mkdir(&t, &own, "Mathe 5a").await;
    let solutions = s.mkdir(&t, &course, "Lösungen").await;
    s.put(&t, &solutions, "loesung.pdf", b"%PDF")
        .await
        .expect("file");
    let group = s
        .platform
        .file_subject_by_name(&t, "5a")
        .await
        .expect("group");
    s.platform
        .file_share(&t, &course, group, FileRole::Viewer)
        .await
        .expect("share");

    let anna = s.user("anna").await;
    let carla = s.user("carla").await;
    let shared = s.platform.file_shared_with_me(&anna).await.expect("shared");
    assert_eq!(
        shared.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["Mathe 5a"]
    );
    assert_eq!(shared[0].role_value, FileRole::Viewer);
    let sol = s
        .platform
        .locate(&anna, solutions.node().id)
        .await
        .expect("inherited");
    let file = s.platform.locate_path(&anna, Area::Own, &["x"]).await;
    assert!(file.is_err(), "the own-area path is the student's own");
    let list = s.platform.file_list(&anna, &sol).await.expect("list");
    assert_eq!(list.len(), 1);
    let in_sol = s.platform.locate(&anna, list[0].id).await.expect("file");
    assert_eq!(s.read(&anna, &in_sol).await, b"%PDF");
    assert!(
        matches!(
            s.put(&anna, &sol, "meins.txt", b"x").await,
            Err(DomainError::Forbidden)
        ),
        "viewers do not upload"
    );
    assert!(matches!(
        s.platform.file_delete(&anna, &in_sol).await,
        Err(DomainError::Forbidden)
    ));
    assert!(
        matches!(
            s.platform.locate(&carla, course.node().id).await,
            Err(DomainError::NotFound)
        ),
        "not in 5a: invisible"
    );
    assert!(
        s.platform
            .file_shared_with_me(&carla)
            .await
            .expect("shared")
            .is_empty()
    );

    // Withdraw below: the class loses the solutions, the teacher keeps coordinating them.
    let solutions = s
        .platform
        .locate(&t, solutions.node().id)
        .await
        .expect("again");
    s.platform
        .file_set_inherit(&t, &solutions, false)
        .await
        .expect("withdraw");
    let solutions = s
        .platform
        .locate(&t, solutions.node().id)
        .await
        .expect("again");
    let key = s
        .platform
        .file_grants(&t, &solutions)
        .await
        .expect("grants")
        .into_iter()
        .find(|g| g.kind == "group")
        .expect("the class's role was carried down")
        .key;
    s.platform
        .file_unshare(&t, &solutions, &key)
        .await
        .expect("unshare");
    assert!(matches!(
        s.platform.locate(&anna, solutions.node().id).await,
        Err(DomainError::NotFound)
    ));
    assert_eq!(
        s.names(
            &anna,
            &s.platform
                .locate(&anna, course.node().id)
                .await
                .expect("course")
        )
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        s.platform
            .locate(&t, solutions.node().id)
            .await
            .expect("teacher")
            .role(&t),
        Some(FileRole::Coordinator)
    );

    // Students cannot share their own files by default (files.own.share_internal is O).
    let a_own = s.area(&anna, Area::Own).await;
    let refused = s
        .platform
        .file_share(&anna, &a_own, group, FileRole::Viewer)
        .await;
    assert!(
        matches!(refused, Err(DomainError::Forbidden)),
        "{refused:?}"
    );
}

async fn drop_folders_hide_each_others_work(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    let drop = s.mkdir(&t, &own, "Abgabe Aufsatz").await;
    s.platform
        .file_set_drop_box(&t, &drop, true)
        .await
        .expect("drop box");
    let class = s
        .platform
        .file_subject_by_name(&t, "5a")
        .await
        .expect("group");
    s.platform
        .file_share(&t, &drop, class, FileRole::Contributor)
        .await
        .expect("share");
    let (anna, ben) = (s.user("anna").await, s.user("ben").await);
    let a_drop = s
        .platform
        .locate(&anna, drop.node().id)
        .await
        .expect("anna sees it");
    let b_drop = s
        .platform
        .locate(&ben, drop.node().id)
        .await
        .expect("ben sees it");
    let anna_file = s
        .put(&anna, &a_drop, "anna.txt", b"Anna")
        .await
        .expect("anna hands in");
    s.put(&ben, &b_drop, "ben.txt", b"Ben")
        .await
        .expect("ben hands in");
    assert_eq!(s.names(&anna, &a_drop).await, ["anna.txt"]);
    assert_eq!(s.names(&ben, &b_drop).await, ["ben.txt"]);
    assert!(matches!(
        s.platform.locate(&ben, anna_file.node().id).await,
        Err(DomainError::NotFound)
    ));
    let overwrite = s.put(&ben, &b_drop, "anna.txt", b"Ben war hier").await;
    assert!(
        matches!(overwrite, Err(DomainError::Conflict { .. })),
        "{overwrite:?}"
    );
    let drop = s
        .platform
        .locate(&t, drop.node().id)
        .await
        .expect("teacher");
    assert_eq!(s.names(&t, &drop).await, ["anna.txt", "ben.txt"]);
    let as_teacher = s
        .platform
        .locate(&t, anna_file.node().id)
        .await
        .expect("teacher sees it");
    assert_eq!(
        s.read(&t, &as_teacher).await,
        b"Anna",
        "Anna's work is unchanged"
    );
}

async fn admins_and_other_schools_never_see_private_files(db: Db) {
    let s = school(db.clone(), "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    let private = s
        .put(&t, &own, "privat.txt", b"nur ich")
        .await
        .expect("file");
    let admin = s.admin().await;
    assert!(matches!(
        s.platform.locate(&admin, private.node().id).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        s.platform.locate(&admin, own.node().id).await,
        Err(DomainError::NotFound)
    ));
    let info = s.area(&admin, Area::Info).await;
    let notice = s
        .put(&admin, &info, "aushang.txt", b"Sportfest")
        .await
        .expect("admin coordinates Informationen");
    let anna = s.user("anna").await;
    assert!(
        s.platform.locate(&anna, notice.node().id).await.is_ok(),
        "everyone reads Informationen"
    );

    let other = school(db, "654321", FileQuotas::default()).await;
    let other_admin = other.admin().await;
    for id in [private.node().id, notice.node().id, info.node().id] {
        assert!(matches!(
            other.platform.locate(&other_admin, id).await,
            Err(DomainError::NotFound)
        ));
    }
    let subject = other
        .platform
        .file_subject_by_name(&other_admin, "lehrer")
        .await
        .expect("their own lehrer");
    let Subject::User(_) = subject else {
        panic!("a login")
    };
    let their_info = other.area(&other_admin, Area::Info).await;
    assert!(
        other.names(&other_admin, &their_info).await.is_empty(),
        "another school's Informationen are its own"
    );
}

async fn names_are_checked_and_folders_never_move_into_themselves(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    for bad in ["a/b", "..", "tab\tname", &"x".repeat(256)] {
        let r = s
            .platform
            .file_mkdir(
                &t,
                Placement {
                    folder: &own,
                    name: bad,
                },
            )
            .await;
        assert!(
            matches!(r, Err(DomainError::Invalid { field: "name", .. })),
            "{bad:?}: {r:?}"
        );
    }
    let a = s.mkdir(&t, &own, "A").await;
    let b = s.mkdir(&t, &a, "B").await;
    let into_self = s
        .platform
        .file_move(
            &t,
            &a,
            Placement {
                folder: &b,
                name: "A",
            },
        )
        .await;
    assert!(
        matches!(into_self, Err(DomainError::Invalid { .. })),
        "{into_self:?}"
    );
    let clash = s
        .platform
        .file_mkdir(
            &t,
            Placement {
                folder: &own,
                name: "a",
            },
        )
        .await;
    assert!(
        matches!(clash, Err(DomainError::Conflict { .. })),
        "names are unique regardless of case"
    );
    assert_eq!(s.names(&t, &own).await, ["A"]);
    assert_eq!(
        s.names(&t, &s.platform.locate(&t, a.node().id).await.expect("A"))
            .await,
        ["B"]
    );
}

async fn links_open_exactly_what_their_creator_may_share(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    let folder = s.mkdir(&t, &own, "Elternabend").await;
    s.put(&t, &folder, "einladung.txt", b"Donnerstag 19 Uhr")
        .await
        .expect("file");
    let read = s
        .platform
        .link_create(
            &t,
            &folder,
            NewLink {
                mode: LinkMode::Read,
                password: Some("eltern5a".into()),
                expires_at: None,
            },
        )
        .await
        .expect("link");
    let open = |pw: Option<&'static str>, unlock: Option<String>| {
        let token = read.token.clone();
        let p = s.platform.clone();
        async move { p.link_open(&token, pw, unlock.as_deref(), "10.0.0.1").await }
    };
    assert_eq!(
        open(None, None).await.err(),
        Some(LinkRefusal::PasswordNeeded { wrong: false })
    );
    assert_eq!(
        open(Some("falsch"), None).await.err(),
        Some(LinkRefusal::PasswordNeeded { wrong: true })
    );
    let ok = open(Some("eltern5a"), None).await.expect("right password");
    assert_eq!(ok.entry.name, "Elternabend");
    let listed = s
        .platform
        .file_list(&ok.actor, &ok.node)
        .await
        .expect("list");
    assert_eq!(
        listed.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["einladung.txt"]
    );
    assert!(
        s.platform.link_locate(&ok, listed[0].id).await.is_ok(),
        "inside the linked folder"
    );
    assert!(
        s.platform.link_locate(&ok, own.node().id).await.is_err(),
        "never above it"
    );
    assert!(
        open(None, Some(ok.unlock_key.clone())).await.is_ok(),
        "the browser keeps the unlock"
    );
    assert!(
        s.platform
            .link_open("erfunden", None, None, "10.0.0.1")
            .await
            .is_err()
    );

    // Upload-only: new files go in, nothing is seen or replaced.
    let upload = s
        .platform
        .link_create(
            &t,
            &folder,
            NewLink {
                mode: LinkMode::Upload,
                password: None,
                expires_at: Some(s.platform.now() + chrono::Duration::days(7)),
            },
        )
        .await
        .expect("upload link");
    let up = s
        .platform
        .link_open(&upload.token, None, None, "10.0.0.2")
        .await
        .expect("open");
    assert!(
        s.platform.link_locate(&up, listed[0].id).await.is_err(),
        "upload links do not browse"
    );
    let mut p = s
        .platform
        .begin_upload_new(
            &up.actor,
            Placement {
                folder: &up.node,
                name: "rueckmeldung.txt",
            },
            None,
        )
        .await
        .expect("begin");
    p.write(b"Wir kommen").await.expect("write");
    s.platform
        .finish_upload(&up.actor, p)
        .await
        .expect("finish");
    let clash = s
        .platform
        .begin_upload_new(
            &up.actor,
            Placement {
                folder: &up.node,
                name: "einladung.txt",
            },
            None,
        )
        .await;
    assert!(
        matches!(clash, Err(DomainError::Conflict { .. })),
        "an upload link never replaces a file"
    );
    let folder = s
        .platform
        .locate(&t, folder.node().id)
        .await
        .expect("folder");
    assert_eq!(
        s.names(&t, &folder).await,
        ["einladung.txt", "rueckmeldung.txt"]
    );

    // Lists, expiry, revocation, and the creator losing access.
    assert_eq!(s.platform.link_list(&t, None).await.expect("mine").len(), 2);
    let admin = s.admin().await;
    assert_eq!(
        s.platform.link_list(&admin, None).await.expect("all").len(),
        2,
        "the admin sees every link"
    );
    s.clock.advance(chrono::Duration::days(8));
    assert_eq!(
        s.platform
            .link_open(&upload.token, None, None, "10.0.0.2")
            .await
            .err(),
        Some(LinkRefusal::Gone),
        "expired"
    );
    s.platform
        .link_revoke(&admin, read.link.id)
        .await
        .expect("admin revokes");
    assert_eq!(
        open(Some("eltern5a"), None).await.err(),
        Some(LinkRefusal::Gone),
        "revoked"
    );

    let anna = s.user("anna").await;
    let a_own = s.area(&anna, Area::Own).await;
    let refused = s
        .platform
        .link_create(
            &anna,
            &a_own,
            NewLink {
                mode: LinkMode::Read,
                password: None,
                expires_at: None,
            },
        )
        .await;
    assert!(
        matches!(refused, Err(DomainError::Forbidden)),
        "students may not share by default: {refused:?}"
    );

    let last = s
        .platform
        .link_create(
            &t,
            &folder,
            NewLink {
                mode: LinkMode::Read,
                password: None,
                expires_at: None,
            },
        )
        .await
        .expect("link");
    assert!(
        s.platform
            .link_open(&last.token, None, None, "10.0.0.3")
            .await
            .is_ok()
    );
    s.platform.file_delete(&t, &folder).await.expect("delete");
    assert_eq!(
        s.platform
            .link_open(&last.token, None, None, "10.0.0.3")
            .await
            .err(),
        Some(LinkRefusal::Gone),
        "deleted content is gone for links too"
    );
}

async fn deleting_a_login_deletes_its_files(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let carla = s.user("carla").await;
    let own = s.area(&carla, Area::Own).await;
    let f = s
        .put(&carla, &own, "aufsatz.txt", b"Mein Aufsatz")
        .await
        .expect("file");
    let admin = s.admin().await;
    s.platform
        .delete_user(&admin, "carla")
        .await
        .expect("delete");
    let mut c = s.platform.db().read().await.expect("db");
    let left = schulhof_store::files::get(&mut c, carla.token.instance(), f.node().id, "|")
        .await
        .expect("query");
    assert!(left.is_none(), "the own area goes with the login");
}

async fn unreferenced_contents_are_collected(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    let keep = s
        .put(&t, &own, "bleibt.txt", b"bleibt")
        .await
        .expect("file");
    let gone = s
        .put(&t, &own, "weg.txt", b"kommt weg")
        .await
        .expect("file");
    s.put(&t, &own, "bleibt.txt", b"bleibt, zweite Fassung")
        .await
        .expect("version");
    assert_eq!(s.blob_files().0, 3);
    s.platform.file_delete(&t, &gone).await.expect("delete");
    assert_eq!(
        s.platform
            .system_collect_blobs(std::time::Duration::ZERO)
            .await
            .expect("gc"),
        0,
        "the trash still refers to it"
    );
    let trash = s.platform.file_trash(&t, Area::Own).await.expect("trash");
    s.platform.file_purge(&t, trash[0].id).await.expect("purge");
    assert_eq!(
        s.platform
            .system_collect_blobs(std::time::Duration::from_secs(3600))
            .await
            .expect("gc"),
        0,
        "too young"
    );
    assert_eq!(
        s.platform
            .system_collect_blobs(std::time::Duration::ZERO)
            .await
            .expect("gc"),
        1
    );
    assert_eq!(s.blob_files().0, 2, "the file and its earlier version stay");
    let keep = s.platform.locate(&t, keep.node().id).await.expect("kept");
    assert_eq!(s.read(&t, &keep).await, b"bleibt, zweite Fassung");
}

async fn app_passwords_open_webdav_and_are_revocable(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let _ = s.platform.give_consent(&t, true, true, "127.0.0.1").await;
    let created = s
        .platform
        .app_password_create(&t, "Laptop Finder")
        .await
        .expect("create");
    let dav = s
        .platform
        .basic_actor("lehrer@123456", &created.password, "127.0.0.1")
        .await
        .expect("app password");
    assert_eq!(dav.token.user(), t.token.user());
    s.platform
        .basic_actor("lehrer@123456", PW, "127.0.0.1")
        .await
        .expect("account password too");
    assert!(
        s.platform
            .basic_actor("anna@123456", &created.password, "127.0.0.1")
            .await
            .is_err(),
        "only for its own login"
    );
    let listed = s.platform.app_password_list(&t).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_some());
    s.platform
        .app_password_revoke(&t, created.app_password.id)
        .await
        .expect("revoke");
    assert!(
        s.platform
            .basic_actor("lehrer@123456", &created.password, "127.0.0.1")
            .await
            .is_err(),
        "revoked at once"
    );
    assert!(s.platform.app_password_create(&t, " ").await.is_err());
}

backend_tests!(
    app_passwords_open_webdav_and_are_revocable,
    unreferenced_contents_are_collected,
    deleting_a_login_deletes_its_files,
    links_open_exactly_what_their_creator_may_share,
    quotas_refuse_uploads_and_leave_nothing_behind,
    versions_and_trash_keep_who_did_what,
    shares_inherit_down_and_can_be_withdrawn,
    drop_folders_hide_each_others_work,
    admins_and_other_schools_never_see_private_files,
    names_are_checked_and_folders_never_move_into_themselves,
);
