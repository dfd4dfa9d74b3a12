//! Tiles that open a tool (OpenID Connect Core §4, third-party initiated login) on SQLite
//! and PostgreSQL: who sees which tile (the school's own tools and the state-wide ones with
//! an initiate login URI; never another school's; no function account), where the start
//! sends the browser (`iss` and `target_link_uri`, encoded), the 404s, and the checks of
//! the registration. Also: the audit forgets tool logins and consents after 7 days.

use crate::calendar_support;
use crate::oidc_support;
use calendar_support::*;
use chrono::Duration;
use oidc_support::*;
use schulhof_domain::Db;
use schulhof_domain::DomainError;
use schulhof_domain::clock::Clock;
use schulhof_domain::oidc::NewClient;
use schulhof_store::backend_tests;

fn tool(school: Option<&str>, name: &str, host: &str, initiate: &str) -> NewClient {
    NewClient {
        school: school.map(str::to_owned),
        name: name.into(),
        redirect_uris: vec![format!("https://{host}/cb")],
        initiate_login_uri: initiate.into(),
        ..Default::default()
    }
}

fn names(t: &[schulhof_domain::oidc::ToolTile]) -> Vec<&str> {
    t.iter().map(|t| t.name.as_str()).collect()
}

async fn who_sees_which_tile(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let other = school_on(p.clone(), "654321").await;
    let own = p
        .system_oidc_add_client(&tool(
            Some("123456"),
            "Atlas",
            "atlas.example",
            "https://atlas.example/login",
        ))
        .await
        .expect("own");
    let mut state_wide = tool(
        None,
        "Bibliothek",
        "bib.example",
        "https://bib.example/start?lang=de",
    );
    state_wide.target_link_uri = "https://bib.example/regal?a=b&c=d".into();
    let state = p.system_oidc_add_client(&state_wide).await.expect("state");
    let foreign = p
        .system_oidc_add_client(&tool(
            Some("654321"),
            "Chemie",
            "chemie.example",
            "https://chemie.example/login",
        ))
        .await
        .expect("foreign");
    // Without an initiate login URI a tool has no tile (it is opened at the tool).
    let plain = p
        .system_oidc_add_client(&tool(Some("123456"), "Duden", "duden.example", ""))
        .await
        .expect("plain");

    let anna = s.user("anna").await;
    let lena = s.user("lehrer").await;
    let admin = s.admin().await;
    let other_anna = other.user("anna").await;
    let tiles = p.oidc_tool_tiles(&anna).await.expect("tiles");
    assert_eq!(names(&tiles), ["Atlas", "Bibliothek"]);
    assert!(!tiles[0].state_wide && tiles[1].state_wide);
    assert_eq!(tiles[0].client_id, own.client_id);
    assert_eq!(
        names(&p.oidc_tool_tiles(&lena).await.expect("teacher")),
        ["Atlas", "Bibliothek"]
    );
    assert_eq!(
        names(&p.oidc_tool_tiles(&other_anna).await.expect("other")),
        ["Bibliothek", "Chemie"],
        "the other school sees its own tool and the state-wide one, never ours"
    );
    // A function account (the admin) is nobody a tool could know: no tiles, no start.
    assert!(p.oidc_tool_tiles(&admin).await.expect("admin").is_empty());
    let e = p
        .oidc_tool_start(&admin, &own.client_id, ISS)
        .await
        .expect_err("refused");
    assert!(matches!(e, DomainError::NotFound), "{e:?}");

    // The start: iss and target_link_uri added to the URI's query, percent-encoded.
    assert_eq!(
        p.oidc_tool_start(&anna, &own.client_id, ISS)
            .await
            .expect("start"),
        "https://atlas.example/login?iss=https%3A%2F%2Fschulhof.example\
         &target_link_uri=https%3A%2F%2Fatlas.example%2F"
    );
    assert_eq!(
        p.oidc_tool_start(&other_anna, &state.client_id, ISS)
            .await
            .expect("start"),
        "https://bib.example/start?lang=de&iss=https%3A%2F%2Fschulhof.example\
         &target_link_uri=https%3A%2F%2Fbib.example%2Fregal%3Fa%3Db%26c%3Dd"
    );
    for (who, id) in [
        (&anna, &foreign.client_id),
        (&other_anna, &own.client_id),
        (&anna, &plain.client_id),
    ] {
        let e = p.oidc_tool_start(who, id, ISS).await.expect_err("refused");
        assert!(matches!(e, DomainError::NotFound), "{id}: {e:?}");
    }
    let e = p
        .oidc_tool_start(&anna, "t-unknown", ISS)
        .await
        .expect_err("refused");
    assert!(matches!(e, DomainError::NotFound), "{e:?}");
}

async fn the_registration_checks_the_uris(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let admin = s.admin().await;
    let anna = s.user("anna").await;
    let cases = [
        ("http://e.example/login", "", "initiate_login_uri"),
        ("javascript:alert(1)", "", "initiate_login_uri"),
        ("https://e.example/login#x", "", "initiate_login_uri"),
        (
            "https://e.example/login",
            "https://evil.example/",
            "target_link_uri",
        ),
        ("", "https://e.example/app", "target_link_uri"),
    ];
    for (initiate, target, field) in cases {
        let mut n = tool(None, "Echo", "e.example", initiate);
        n.target_link_uri = target.into();
        let e = p.oidc_register_school_tool(&admin, &n).await;
        assert!(
            matches!(&e, Err(DomainError::Invalid { field: f, .. }) if *f == field),
            "{initiate} {target}: {e:?}"
        );
        let e = p.system_oidc_add_client(&n).await;
        assert!(matches!(e, Err(DomainError::Invalid { .. })), "{e:?}");
    }
    assert!(
        p.oidc_tool_tiles(&anna).await.expect("tiles").is_empty(),
        "nothing refused was stored"
    );
    // http on loopback is fine (development, tests).
    let n = tool(None, "Echo", "127.0.0.1", "http://127.0.0.1:8080/login");
    p.oidc_register_school_tool(&admin, &n)
        .await
        .expect("loopback");
    assert_eq!(
        names(&p.oidc_tool_tiles(&anna).await.expect("tiles")),
        ["Echo"]
    );
}

/// The audit's tool entries of the school, as (action, when).
async fn tool_entries(
    p: &schulhof_domain::Platform,
    a: &schulhof_domain::identity::Actor,
) -> Vec<(String, chrono::DateTime<chrono::Utc>)> {
    let mut c = p.db().read().await.expect("read");
    schulhof_store::audit::system_list_kind(&mut c, a.token.instance(), "tool")
        .await
        .expect("audit")
        .into_iter()
        .map(|e| (e.action, e.at))
        .collect()
}

async fn tool_logins_and_consents_are_kept_seven_days(db: Db) {
    let (platform, clock) = clocked(db);
    let s = school_on(platform, "123456").await;
    let p = &s.platform;
    let anna = s.user("anna").await;
    let old = add(p, None, "alt.example", true, &["name"], "").await;
    let new = add(p, None, "neu.example", true, &["name"], "").await;
    let start = clock.now();
    // 8 days before the run: a consent and a login to one tool.
    p.oidc_give_consent(&anna, &old.client_id, "openid profile", true)
        .await
        .expect("consent");
    code(p, &anna, &req(&old, "alt.example", "openid profile", true)).await;
    // 6 days before the run: the same at another tool.
    clock.advance(Duration::days(2));
    let anna = s.user("anna").await;
    p.oidc_give_consent(&anna, &new.client_id, "openid profile", true)
        .await
        .expect("consent");
    code(p, &anna, &req(&new, "neu.example", "openid profile", true)).await;
    let before = tool_entries(p, &anna).await;
    assert_eq!(
        before
            .iter()
            .filter(|(_, at)| *at < start + Duration::days(1))
            .count(),
        2,
        "{before:?}"
    );
    assert!(before.iter().any(|(a, _)| a == "tool_login"));
    assert!(before.iter().any(|(a, _)| a == "tool_consent"));

    clock.advance(Duration::days(6));
    let purged = p.system_purge_expired().await.expect("purge");
    assert!(purged.log_entries >= 2, "{purged:?}");
    let after = tool_entries(p, &anna).await;
    assert!(
        after.iter().all(|(_, at)| *at >= start + Duration::days(2)),
        "entries of 8 days ago are gone: {after:?}"
    );
    let mut actions: Vec<&str> = after.iter().map(|(a, _)| a.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        ["tool_consent", "tool_login"],
        "entries of 6 days ago stay"
    );
}

backend_tests!(
    who_sees_which_tile,
    the_registration_checks_the_uris,
    tool_logins_and_consents_are_kept_seven_days,
);
