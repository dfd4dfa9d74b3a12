//! The public start page on SQLite and PostgreSQL: who may edit it (homepage.admin per
//! account type, never a function account), that no school reaches another's pages, that
//! bad input is refused whole, and what the public page costs in statements, cold and warm.

use crate::file_support;
use std::time::Duration;

use file_support::*;
use schulhof_domain::admin::NewUser;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::homepage::{Cached, PageInput};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;
use schulhof_store::testing::statements;

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn page(title: &str, slug: &str, body: &str, published: bool) -> PageInput {
    PageInput {
        title: title.into(),
        slug: slug.into(),
        body: body.into(),
        position: None,
        published,
    }
}

async fn add_user(s: &School, login: &str, kind: &str) -> Actor {
    let admin = s.admin().await;
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
                groups: vec![],
            },
        )
        .await
        .expect("user");
    s.user(login).await
}

/// A login of `s` holding homepage.admin.
async fn editor(s: &School, login: &str) -> Actor {
    let admin = s.admin().await;
    s.platform
        .set_user_right(&admin, login, "homepage.admin", true)
        .await
        .expect("grant");
    s.user(login).await
}

/// The public page's data of school `nr`, rendering a marker body for variant `v`.
async fn public(p: &Platform, nr: &str) -> Result<Cached, DomainError> {
    p.public_homepage(nr, "de", |h| {
        Some(bytes_of(format!("{}|{}", h.school_name, h.pages.len())))
    })
    .await
}

fn bytes_of(s: String) -> bytes::Bytes {
    bytes::Bytes::from(s)
}

fn slugs(c: &Cached) -> Vec<String> {
    c.home.pages.iter().map(|p| p.slug.clone()).collect()
}

async fn every_account_type_may_edit_once_granted_no_function_account_ever(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let p = &s.platform;
    add_user(&s, "paul", "personal").await;
    add_user(&s, "erik", "extern").await;
    for login in ["lehrer", "paul", "erik", "anna"] {
        let before = s.user(login).await;
        assert!(
            matches!(p.homepage_admin(&before).await, Err(DomainError::Forbidden)),
            "{login} without the grant"
        );
        assert!(
            p.homepage_save_page(&before, None, &page("X", login, "", true))
                .await
                .is_err()
        );
        let after = editor(&s, login).await;
        p.homepage_save_page(&after, None, &page("Seite", login, "<p>Hallo</p>", true))
            .await
            .unwrap_or_else(|e| panic!("{login} with the grant: {e}"));
    }
    let admin = s.admin().await;
    assert!(matches!(
        p.homepage_admin(&admin).await,
        Err(DomainError::Forbidden)
    ));
    for role in ["admin", "schulleitung", "sekretariat"] {
        assert!(
            p.set_user_right(&admin, role, "homepage.admin", true)
                .await
                .is_err(),
            "{role} can never be granted homepage.admin"
        );
    }
    let pages = p
        .homepage_admin(&editor(&s, "lehrer").await)
        .await
        .expect("admin");
    assert_eq!(pages.pages.len(), 4);
    let log = p.admin_log(&admin, 100, 0).await.expect("log");
    assert!(
        log.iter()
            .filter(|l| l.action == "homepage_page_create")
            .count()
            == 4,
        "every change is in the admin's log"
    );
}

async fn no_school_reaches_anothers_start_page(db: Db) {
    let a = school(db.clone(), "111111", FileQuotas::default()).await;
    let b = school(db, "222222", FileQuotas::default()).await;
    let (ea, eb) = (editor(&a, "lehrer").await, editor(&b, "lehrer").await);
    let secret = a
        .platform
        .homepage_save_page(
            &ea,
            None,
            &page("Intern", "intern", "<p>A intern</p>", false),
        )
        .await
        .expect("a page");
    let shown = a
        .platform
        .homepage_save_page(
            &ea,
            None,
            &page("Über uns", "ueber-uns", "<p>Schule A</p>", true),
        )
        .await
        .expect("a page");
    let img = a
        .platform
        .homepage_upload_image(&ea, "hof.png", PNG)
        .await
        .expect("img");
    let pb = &b.platform;
    for id in [secret.id, shown.id] {
        assert!(matches!(
            pb.homepage_page(&eb, id).await,
            Err(DomainError::NotFound)
        ));
        assert!(matches!(
            pb.homepage_save_page(&eb, Some(id), &page("B war hier", "b", "", true))
                .await,
            Err(DomainError::NotFound)
        ));
        assert!(matches!(
            pb.homepage_delete_page(&eb, id).await,
            Err(DomainError::NotFound)
        ));
    }
    assert!(matches!(
        pb.homepage_delete_image(&eb, img.id).await,
        Err(DomainError::NotFound)
    ));
    assert!(pb.public_homepage_image("222222", img.id).await.is_err());
    assert!(
        a.platform
            .public_homepage_image("111111", img.id)
            .await
            .is_ok()
    );
    // The pages are untouched, and B's page shows none of A's.
    let a_now = a.platform.homepage_admin(&ea).await.expect("a");
    assert_eq!(a_now.pages.len(), 2);
    assert!(a_now.pages.iter().all(|p| p.title != "B war hier"));
    assert!(slugs(&public(pb, "222222").await.expect("b")).is_empty());
    assert_eq!(
        slugs(&public(pb, "111111").await.expect("a")),
        ["ueber-uns"],
        "drafts stay hidden"
    );
    assert!(matches!(
        public(pb, "999999").await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        public(pb, "1' OR '1'='1").await,
        Err(DomainError::NotFound)
    ));
}

async fn bad_input_is_refused_clearly_and_stores_nothing(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let p = &s.platform;
    let e = editor(&s, "lehrer").await;
    let saved = p
        .homepage_save_page(
            &e,
            None,
            &page(
                "Start",
                "",
                "<p onmouseover=\"x()\">Hi<script>alert(1)</script></p>",
                true,
            ),
        )
        .await
        .expect("save");
    assert_eq!(saved.slug, "start");
    assert!(!saved.body.contains("script") && !saved.body.contains("onmouseover"));
    assert_eq!(
        p.homepage_page(&e, saved.id).await.expect("page").body,
        "<p>Hi</p>"
    );

    let dup = p
        .homepage_save_page(&e, None, &page("Anders", "start", "", true))
        .await;
    assert!(
        matches!(dup, Err(DomainError::Conflict { field: "slug", .. })),
        "{dup:?}"
    );
    for bad in [
        page("", "x", "", true),
        page("Titel", "Böse Adresse", "", true),
    ] {
        assert!(matches!(
            p.homepage_save_page(&e, None, &bad).await,
            Err(DomainError::Invalid { .. })
        ));
    }
    let big = vec![0u8; 5_000_001];
    let mut png_big = PNG.to_vec();
    png_big.extend_from_slice(&big);
    for (bytes, what) in [
        (png_big.as_slice(), "too large"),
        (b"<svg onload=x()>".as_slice(), "svg"),
        (b"".as_slice(), "empty"),
    ] {
        assert!(
            matches!(
                p.homepage_upload_image(&e, "x.png", bytes).await,
                Err(DomainError::Invalid { field: "image", .. })
            ),
            "{what}"
        );
    }
    for bad in [
        "http://schule.de/",
        "javascript:alert(1)",
        "https://",
        "https://a b.de/",
    ] {
        assert!(matches!(
            p.homepage_save_settings(&e, "<p>Neu</p>", bad).await,
            Err(DomainError::Invalid {
                field: "redirect_url",
                ..
            })
        ));
    }
    let admin = p.homepage_admin(&e).await.expect("admin");
    assert_eq!(admin.pages.len(), 1, "nothing stored half");
    assert!(admin.images.is_empty());
    assert_eq!(admin.settings.intro, "", "settings untouched");
    p.homepage_save_settings(&e, "<p>Willkommen</p>", "https://www.schule.example/")
        .await
        .expect("redirect");
    let c = public(p, "123456").await.expect("public");
    assert_eq!(
        c.home.redirect_url.as_deref(),
        Some("https://www.schule.example/")
    );
}

async fn pictures_count_against_the_school_quota(db: Db) {
    let quotas = FileQuotas {
        school_per_staff: 2_000,
        ..FileQuotas::default()
    };
    let s = school(db, "123456", quotas).await;
    let p = &s.platform;
    let e = editor(&s, "lehrer").await;
    let mut pic = PNG.to_vec();
    pic.extend_from_slice(&[0u8; 1_500]);
    p.homepage_upload_image(&e, "a.png", &pic)
        .await
        .expect("fits");
    pic.push(1);
    assert!(matches!(
        p.homepage_upload_image(&e, "b.png", &pic).await,
        Err(DomainError::QuotaExceeded(_))
    ));
    assert_eq!(p.homepage_admin(&e).await.expect("admin").images.len(), 1);
    let usage = p.file_usage(&e).await.expect("usage");
    assert!(usage.school_used >= 1_500, "{usage:?}");
}

async fn statements_of(p: &Platform, nr: &str) -> (usize, Cached) {
    statements::install();
    let before = statements::so_far();
    let c = public(p, nr).await.expect("public");
    (statements::so_far() - before, c)
}

/// Another node: its own cache, the same database and content store.
fn node(s: &School, db: &Db) -> Platform {
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        blob_dir: Some(s.blobs.path().to_owned()),
        ..Config::default()
    };
    Platform::new(db.clone(), s.clock.clone(), config)
}

async fn the_public_page_costs_few_statements_cold_and_none_warm(db: Db) {
    let s = school(db.clone(), "123456", FileQuotas::default()).await;
    let p = &s.platform;
    let e = editor(&s, "lehrer").await;
    p.homepage_save_page(&e, None, &page("Über uns", "ueber-uns", "<p>1</p>", true))
        .await
        .expect("page");
    let (cold, c) = statements_of(p, "123456").await;
    assert!((1..=10).contains(&cold), "cold: {cold} statements");
    assert_eq!(c.body.as_deref(), Some(b"Testschule|1".as_slice()));
    let (warm, c) = statements_of(p, "123456").await;
    assert_eq!(warm, 0, "warm: no statement at all");
    assert_eq!(c.body.as_deref(), Some(b"Testschule|1".as_slice()));

    // A change on this node shows at once.
    p.homepage_save_page(&e, None, &page("Anmeldung", "anmeldung", "<p>2</p>", true))
        .await
        .expect("page");
    let (_, c) = statements_of(p, "123456").await;
    assert_eq!(c.body.as_deref(), Some(b"Testschule|2".as_slice()));

    // A node that missed the notification sees the change at its next stamp check: one
    // statement while nothing changed.
    let other = node(&s, &db);
    other.homepage_cache().set_recheck(Duration::ZERO);
    assert_eq!(slugs(&public(&other, "123456").await.expect("b")).len(), 2);
    // The fewest of three tries: the other node's listener connects meanwhile (PostgreSQL).
    let mut check = usize::MAX;
    for _ in 0..3 {
        check = check.min(statements_of(&other, "123456").await.0);
    }
    assert_eq!(check, 1, "an unchanged stamp costs one statement");
    p.homepage_delete_page(&e, c.home.pages[0].id)
        .await
        .expect("delete");
    let (_, c) = statements_of(&other, "123456").await;
    assert_eq!(slugs(&c), ["anmeldung"], "the other node rendered again");
}

backend_tests!(
    every_account_type_may_edit_once_granted_no_function_account_ever,
    no_school_reaches_anothers_start_page,
    bad_input_is_refused_clearly_and_stores_nothing,
    pictures_count_against_the_school_quota,
    the_public_page_costs_few_statements_cold_and_none_warm,
);
