//! Around the file tree, on SQLite and PostgreSQL: share links, app passwords, deleting a
//! login, and collecting contents nothing refers to.

use crate::file_support;
use file_support::*;
use schulhof_authz::files::Area;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::files::{LinkMode, LinkRefusal, NewLink, Placement};
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

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

async fn version_count(s: &School, a: &schulhof_domain::identity::Actor) -> usize {
    let file = s
        .platform
        .locate_path(a, Area::Own, &["a.bin"])
        .await
        .expect("file");
    s.platform
        .file_versions(a, &file)
        .await
        .expect("versions")
        .len()
}

/// Versions count toward the quota, so overwriting cannot store more than the quota
/// allows; the file's oldest versions give way when room is short.
async fn versions_count_toward_the_quota_and_give_way_when_it_is_short(db: Db) {
    let quotas = FileQuotas {
        schueler: 1000,
        ..FileQuotas::default()
    };
    let s = school(db, "123457", quotas).await;
    let anna = s.user("anna").await;
    let own = s.area(&anna, Area::Own).await;
    s.put(&anna, &own, "a.bin", &[1u8; 400])
        .await
        .expect("first");
    s.put(&anna, &own, "a.bin", &[2u8; 400])
        .await
        .expect("second");
    assert_eq!(
        s.platform.file_usage(&anna).await.expect("usage").used,
        800,
        "the version counts"
    );
    assert_eq!(version_count(&s, &anna).await, 1);
    // A third content: the oldest version gives way, the previous one stays.
    s.put(&anna, &own, "a.bin", &[3u8; 400])
        .await
        .expect("third");
    assert_eq!(s.platform.file_usage(&anna).await.expect("usage").used, 800);
    assert_eq!(version_count(&s, &anna).await, 1);
    // Room only without any version: the content is replaced, no version is kept.
    s.put(&anna, &own, "a.bin", &[4u8; 700])
        .await
        .expect("fourth");
    assert_eq!(s.platform.file_usage(&anna).await.expect("usage").used, 700);
    assert_eq!(version_count(&s, &anna).await, 0);
    // Overwriting a hundred times never stores more than the quota.
    for i in 0..100u8 {
        s.put(&anna, &own, "a.bin", &[i; 500])
            .await
            .expect("overwrite");
        assert!(s.platform.file_usage(&anna).await.expect("usage").used <= 1000);
    }
    let over = s.put(&anna, &own, "a.bin", &[9u8; 1001]).await;
    assert!(
        matches!(over, Err(DomainError::QuotaExceeded(_))),
        "{over:?}"
    );
    let other = s.put(&anna, &own, "b.bin", &[9u8; 600]).await;
    assert!(
        matches!(other, Err(DomainError::QuotaExceeded(_))),
        "{other:?}"
    );
}

backend_tests!(
    versions_count_toward_the_quota_and_give_way_when_it_is_short,
    links_open_exactly_what_their_creator_may_share,
    deleting_a_login_deletes_its_files,
    unreferenced_contents_are_collected,
    app_passwords_open_webdav_and_are_revocable,
);
