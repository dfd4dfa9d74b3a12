//! The Daten-Safe on SQLite and PostgreSQL: its own password and idle timeout, sealed
//! contents, the editor, nothing shared out, the common area run by the Schulleitung, and
//! no way in for the admin, students or the file manager's own paths.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use schulhof_authz::files::{Area, FileRole};
use schulhof_domain::admin::NewUser;
use schulhof_domain::clock::ManualClock;
use schulhof_domain::files::{LinkMode, NewLink, Placement};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;

const PW: &str = "ein-gutes-passwort";
const SCHOOL: &str = "123456";

struct Env {
    platform: Platform,
    clock: Arc<ManualClock>,
    blobs: tempfile::TempDir,
}

async fn env(db: Db) -> Env {
    let blobs = tempfile::tempdir().expect("blob dir");
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
            .single()
            .expect("time"),
    ));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        blob_dir: Some(blobs.path().to_owned()),
        ..Config::default()
    };
    let platform = Platform::new(db, clock.clone(), config);
    platform
        .system_create_school(SCHOOL, "Testschule")
        .await
        .expect("school");
    let e = Env {
        platform,
        clock,
        blobs,
    };
    let admin = e.admin().await;
    for (login, kind, role) in [
        ("lehrer", Some("lehrer"), None),
        ("kollegin", Some("lehrer"), None),
        ("anna", Some("schueler"), None),
        ("schulleitung", None, Some("schulleitung")),
    ] {
        e.platform
            .create_user(
                &admin,
                NewUser {
                    first_name: login.into(),
                    last_name: "Test".into(),
                    account_type: kind.map(str::to_owned),
                    function_role: role.map(str::to_owned),
                    login: Some(login.into()),
                    password: Some(PW.into()),
                    external_mail: None,
                    holder: None,
                    groups: Vec::new(),
                },
            )
            .await
            .expect("user");
    }
    e
}

impl Env {
    async fn admin(&self) -> Actor {
        self.platform
            .system_set_password(SCHOOL, "admin", Some("admin-passwort-1"))
            .await
            .expect("password");
        self.as_("admin", "admin-passwort-1").await
    }

    async fn as_(&self, login: &str, password: &str) -> Actor {
        let s = self
            .platform
            .login(SCHOOL, login, password, "127.0.0.1")
            .await
            .expect("login");
        self.platform
            .session(&s.cookie)
            .await
            .expect("session")
            .actor
    }

    async fn user(&self, login: &str) -> Actor {
        self.as_(login, PW).await
    }

    /// A login with a Safe password from the Schulleitung, its Safe opened.
    async fn opened(&self, login: &str, by: &Actor) -> (Actor, Actor) {
        let safe_pw = self
            .platform
            .safe_generate_password(by, login)
            .await
            .expect("safe password");
        let a = self.user(login).await;
        self.platform
            .safe_unlock(&a, &safe_pw, "127.0.0.1")
            .await
            .expect("unlock");
        let s = self.platform.safe_actor(&a).await.expect("open");
        (a, s)
    }

    async fn area(&self, safe: &Actor, area: Area) -> schulhof_domain::files::Located {
        let root = self
            .platform
            .safe_areas(safe)
            .await
            .expect("areas")
            .into_iter()
            .find(|e| e.area_value == area)
            .expect("area");
        self.platform.locate(safe, root.id).await.expect("root")
    }

    /// Whether any stored content contains `needle` in plain.
    fn stored_plain(&self, needle: &[u8]) -> bool {
        fn walk(dir: &std::path::Path, needle: &[u8]) -> bool {
            std::fs::read_dir(dir).expect("dir").flatten().any(|e| {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, needle)
                } else {
                    std::fs::read(&p)
                        .expect("read")
                        .windows(needle.len())
                        .any(|w| w == needle)
                }
            })
        }
        walk(self.blobs.path(), needle)
    }
}

async fn the_safe_asks_for_its_own_password_and_locks_when_idle(db: Db) {
    let e = env(db).await;
    let t = e.user("lehrer").await;
    let status = e.platform.safe_status(&t).await.expect("status");
    assert!(!status.has_password && !status.open);
    assert!(matches!(
        e.platform.safe_actor(&t).await,
        Err(DomainError::SafeLocked)
    ));
    assert!(
        e.platform.safe_unlock(&t, PW, "127.0.0.1").await.is_err(),
        "the account password does not open the Safe"
    );

    let head = e.user("schulleitung").await;
    let safe_pw = e
        .platform
        .safe_generate_password(&head, "lehrer")
        .await
        .expect("generated");
    assert!(
        e.platform
            .safe_unlock(&t, "falsch-falsch", "127.0.0.1")
            .await
            .is_err()
    );
    e.platform
        .safe_unlock(&t, &safe_pw, "127.0.0.1")
        .await
        .expect("unlock");
    assert!(e.platform.safe_status(&t).await.expect("status").open);
    e.platform.safe_actor(&t).await.expect("open");
    e.clock.advance(Duration::minutes(9));
    e.platform.safe_actor(&t).await.expect("use keeps it open");
    e.clock.advance(Duration::minutes(11));
    assert!(
        matches!(
            e.platform.safe_actor(&t).await,
            Err(DomainError::SafeLocked)
        ),
        "idle for longer than 10 minutes"
    );
    let other_session = e.user("lehrer").await;
    assert!(
        matches!(
            e.platform.safe_actor(&other_session).await,
            Err(DomainError::SafeLocked)
        ),
        "the Safe opens per session"
    );

    // Students, externals and the admin never get in; the admin may only reset.
    let anna = e.user("anna").await;
    assert!(matches!(
        e.platform.safe_status(&anna).await,
        Err(DomainError::NotFound)
    ));
    assert!(
        e.platform
            .safe_generate_password(&head, "anna")
            .await
            .is_err(),
        "students never get a Safe password"
    );
    let admin = e.admin().await;
    assert!(matches!(
        e.platform.safe_status(&admin).await,
        Err(DomainError::NotFound)
    ));
    assert!(
        e.platform
            .safe_generate_password(&admin, "lehrer")
            .await
            .is_err(),
        "the admin never sees a Safe password"
    );
    // She asks; the Schulleitung (another person) confirms and hands the password over.
    e.platform
        .request_safe_password_reset(&admin, "lehrer")
        .await
        .expect("the admin asks for a forgotten one");
    let pending = e.platform.four_eyes_requests(&head).await.expect("list");
    let request = pending.iter().find(|r| r.may_decide).expect("pending");
    let reset = e
        .platform
        .confirm_request(&head, request.id)
        .await
        .expect("confirmed")
        .safe_password
        .expect("shown to the Schulleitung");
    assert!(
        e.platform
            .safe_unlock(&t, &safe_pw, "127.0.0.1")
            .await
            .is_err(),
        "the old Safe password is gone"
    );
    e.platform
        .safe_unlock(&t, &reset, "127.0.0.1")
        .await
        .expect("the new one opens");
}

async fn documents_are_sealed_edited_and_never_leave_the_safe(db: Db) {
    let e = env(db).await;
    let admin = e.admin().await;
    let (head, _) = e
        .opened("schulleitung", &e.user("schulleitung").await)
        .await;
    let (t, safe) = e.opened("lehrer", &head).await;
    let own = e.area(&safe, Area::SafeOwn).await;
    let doc = e
        .platform
        .safe_doc_create(&safe, &own, "Förderplan Anna")
        .await
        .expect("create");
    assert_eq!(doc.name, "Förderplan Anna.html");
    let doc = e.platform.locate(&safe, doc.id).await.expect("doc");
    let saved = e
        .platform
        .safe_doc_save(&safe, &doc, "<h2>Förderplan</h2><p onclick=\"x()\">Lesen üben VERTRAULICH-4711</p><script>alert(1)</script>")
        .await
        .expect("save");
    let doc = e.platform.locate(&safe, saved.id).await.expect("doc");
    let text = e.platform.safe_doc_load(&safe, &doc).await.expect("load");
    assert_eq!(
        text,
        "<h2>Förderplan</h2><p>Lesen üben VERTRAULICH-4711</p>"
    );
    assert!(
        !e.stored_plain(b"VERTRAULICH-4711"),
        "Safe contents are sealed at rest"
    );

    // Autosaves within ten minutes replace each other; a later save keeps the last as a version.
    e.platform
        .safe_doc_save(&safe, &doc, "<p>zweite Fassung</p>")
        .await
        .expect("autosave");
    e.clock.advance(Duration::minutes(11));
    let safe = e.platform.safe_actor(&t).await;
    assert!(matches!(safe, Err(DomainError::SafeLocked)));
    let safe_pw = e
        .platform
        .safe_generate_password(&head, "lehrer")
        .await
        .expect("again");
    e.platform
        .safe_unlock(&t, &safe_pw, "127.0.0.1")
        .await
        .expect("unlock");
    let safe = e.platform.safe_actor(&t).await.expect("open");
    let doc = e.platform.locate(&safe, doc.node().id).await.expect("doc");
    e.platform
        .safe_doc_save(&safe, &doc, "<p>dritte Fassung</p>")
        .await
        .expect("save");
    let doc = e.platform.locate(&safe, doc.node().id).await.expect("doc");
    let versions = e
        .platform
        .file_versions(&safe, &doc)
        .await
        .expect("versions");
    assert_eq!(
        versions.len(),
        1,
        "edits within ten minutes are one version"
    );
    assert_eq!(
        e.platform.safe_doc_load(&safe, &doc).await.expect("load"),
        "<p>dritte Fassung</p>"
    );
    e.platform
        .file_restore_version(&safe, &doc, versions[0].id)
        .await
        .expect("restore");
    let doc = e.platform.locate(&safe, doc.node().id).await.expect("doc");
    assert_eq!(
        e.platform.safe_doc_load(&safe, &doc).await.expect("load"),
        "<p>zweite Fassung</p>"
    );

    // The file manager's paths never reach it: not by id, not by sharing, not by link.
    assert!(
        matches!(
            e.platform.locate(&t, doc.node().id).await,
            Err(DomainError::NotFound)
        ),
        "without the Safe gate"
    );
    assert!(matches!(
        e.platform.locate(&admin, doc.node().id).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        e.platform.file_open(&safe, &doc).await,
        Err(DomainError::Invalid { .. })
    ));
    let colleague = e
        .platform
        .file_subject_by_name(&safe, "kollegin")
        .await
        .expect("subject");
    assert!(
        e.platform
            .file_share(&safe, &doc, colleague, FileRole::Viewer)
            .await
            .is_err(),
        "nothing is shared out of the own Safe area"
    );
    let link = e
        .platform
        .link_create(
            &safe,
            &doc,
            NewLink {
                mode: LinkMode::Read,
                password: None,
                expires_at: None,
            },
        )
        .await;
    assert!(
        matches!(link, Err(DomainError::Forbidden)),
        "no share links out of the Safe"
    );
    let files_root = e
        .platform
        .file_areas(&t)
        .await
        .expect("areas")
        .into_iter()
        .find(|a| a.area == "own")
        .expect("own");
    let files_own = e
        .platform
        .locate(&safe, files_root.id)
        .await
        .expect("own files");
    let copied = e
        .platform
        .file_copy(
            &safe,
            &doc,
            Placement {
                folder: &files_own,
                name: "raus.html",
            },
        )
        .await;
    assert!(
        matches!(copied, Err(DomainError::Forbidden)),
        "no copy out of the Safe"
    );
}

async fn safe_areas_of(e: &Env, safe: &Actor) -> Vec<Area> {
    let areas = e.platform.safe_areas(safe).await.expect("areas");
    areas.iter().map(|a| a.area_value).collect()
}

async fn the_common_area_shows_each_teacher_only_what_the_schulleitung_gave(db: Db) {
    let e = env(db).await;
    let (head_login, head) = e
        .opened("schulleitung", &e.user("schulleitung").await)
        .await;
    // safe.common.read is O: without it a teacher has no common area at all.
    let (_, t) = e.opened("lehrer", &head_login).await;
    assert!(
        safe_areas_of(&e, &t)
            .await
            .iter()
            .all(|a| *a != Area::SafeCommon)
    );
    for login in ["lehrer", "kollegin"] {
        e.platform
            .set_user_right(&head_login, login, "safe.common.read", true)
            .await
            .expect("the Schulleitung grants");
    }
    let (_, t) = e.opened("lehrer", &head_login).await;
    let (_, k) = e.opened("kollegin", &head_login).await;
    let common = e.area(&head, Area::SafeCommon).await;
    let folder = e
        .platform
        .file_mkdir(
            &head,
            Placement {
                folder: &common,
                name: "Zeugnisse 5a",
            },
        )
        .await
        .expect("mkdir");
    let folder = e.platform.locate(&head, folder.id).await.expect("folder");
    let t_common = e.area(&t, Area::SafeCommon).await;
    assert!(
        e.platform
            .file_list(&t, &t_common)
            .await
            .expect("list")
            .is_empty(),
        "no rights, no folder"
    );
    assert!(
        e.platform
            .file_mkdir(
                &t,
                Placement {
                    folder: &t_common,
                    name: "Eigenes"
                }
            )
            .await
            .is_err(),
        "teachers do not create folders here"
    );

    let teacher = e
        .platform
        .file_subject_by_name(&head, "lehrer")
        .await
        .expect("subject");
    e.platform
        .file_share(&head, &folder, teacher, FileRole::Viewer)
        .await
        .expect("give");
    let seen = e.platform.file_list(&t, &t_common).await.expect("list");
    assert_eq!(
        seen.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["Zeugnisse 5a"]
    );
    assert!(
        e.platform
            .file_list(&k, &e.area(&k, Area::SafeCommon).await)
            .await
            .expect("list")
            .is_empty(),
        "the colleague sees nothing"
    );
    let t_folder = e.platform.locate(&t, seen[0].id).await.expect("folder");
    assert!(
        e.platform
            .safe_doc_create(&t, &t_folder, "Notizen")
            .await
            .is_err(),
        "viewers do not write"
    );
    e.platform
        .file_share(&head, &folder, teacher, FileRole::Contributor)
        .await
        .expect("more");
    let t_folder = e.platform.locate(&t, seen[0].id).await.expect("folder");
    assert!(
        e.platform
            .safe_doc_create(&t, &t_folder, "Notizen")
            .await
            .is_err(),
        "a Contributor grant counts only with safe.common.contribute"
    );
    e.platform
        .set_user_right(&head_login, "lehrer", "safe.common.contribute", true)
        .await
        .expect("the Schulleitung grants");
    let (_, t) = e.opened("lehrer", &head_login).await;
    let t_folder = e.platform.locate(&t, seen[0].id).await.expect("folder");
    e.platform
        .safe_doc_create(&t, &t_folder, "Notizen")
        .await
        .expect("contributors write");
    let colleague = e
        .platform
        .file_subject_by_name(&t, "kollegin")
        .await
        .expect("subject");
    assert!(
        e.platform
            .file_share(&t, &t_folder, colleague, FileRole::Viewer)
            .await
            .is_err(),
        "only the Schulleitung (or its delegate) gives rights"
    );
}

async fn the_own_safe_area_has_its_own_trash_and_sanitises_uploads(db: Db) {
    let e = env(db).await;
    let (head, _) = e
        .opened("schulleitung", &e.user("schulleitung").await)
        .await;
    let (_, safe) = e.opened("lehrer", &head).await;
    let own = e.area(&safe, Area::SafeOwn).await;
    let up = e
        .platform
        .file_upload(
            &safe,
            Placement {
                folder: &own,
                name: "import.html",
            },
            None,
            &b"<p>Hallo</p><script>x()</script>"[..],
        )
        .await
        .expect("upload");
    // Resumable uploads would rest unsealed on disk until complete: not into the Safe.
    let refused = e
        .platform
        .upload_announce(
            &safe,
            Placement {
                folder: &own,
                name: "gross.bin",
            },
            None,
            10,
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(DomainError::Invalid {
                field: "folder",
                ..
            })
        ),
        "{refused:?}"
    );
    let doc = e.platform.locate(&safe, up.id).await.expect("doc");
    assert_eq!(
        e.platform.safe_doc_load(&safe, &doc).await.expect("load"),
        "<p>Hallo</p>",
        "uploaded HTML is sanitised for the editor"
    );
    assert!(
        e.platform.safe_doc_create(&safe, &own, "  ").await.is_err(),
        "a document needs a title"
    );
    e.platform.file_delete(&safe, &doc).await.expect("delete");
    let trash = e
        .platform
        .file_trash(&safe, Area::SafeOwn)
        .await
        .expect("trash");
    assert_eq!(
        trash.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["import.html"]
    );
    e.platform
        .file_restore(&safe, trash[0].id)
        .await
        .expect("restore");
}

backend_tests!(
    the_own_safe_area_has_its_own_trash_and_sanitises_uploads,
    the_safe_asks_for_its_own_password_and_locks_when_idle,
    documents_are_sealed_edited_and_never_leave_the_safe,
    the_common_area_shows_each_teacher_only_what_the_schulleitung_gave,
);
