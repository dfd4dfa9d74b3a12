//! "Passwort vergessen" on SQLite and PostgreSQL: the link goes by real SMTP to the external
//! address, works once and for one hour, ends every session; the answer is the same for
//! accounts that do not exist; requests are throttled and a login gets few links.

use crate::mail_support;
use chrono::Duration;
use mail_support::*;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

const NEW: &str = "neues-sicheres-passwort";

/// The link of every reset mail the sink took, in order.
fn links(sink: &Sink) -> Vec<(String, String)> {
    sink.messages()
        .iter()
        .map(|g| {
            let m = mail_parser::MessageParser::default()
                .parse(&g.raw[..])
                .expect("parse");
            let body = m.body_text(0).map(|b| b.into_owned()).unwrap_or_default();
            let start = body
                .find("https://schulhof.test/passwort-vergessen/")
                .unwrap_or_else(|| panic!("no link in {body}"));
            let link: String = body[start..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            (g.rcpts.join(","), link)
        })
        .collect()
}

fn token(link: &str) -> &str {
    link.rsplit('/').next().expect("token")
}

async fn a_reset_link_sets_a_new_password_once(db: Db) {
    let sink = Sink::start(None).await;
    let e = env(db, Some(sink.url())).await;
    let p = &e.platform;
    let before = p
        .login(SCHOOL, "lehrer", PW, "10.0.0.9")
        .await
        .expect("login");
    p.password_reset_request(SCHOOL, "lehrer", "10.0.0.1", "http://ignored")
        .await
        .expect("requested");
    assert!(
        sink.messages().is_empty(),
        "the mail goes through the queue"
    );
    p.system_send_due_mail(p.now()).await.expect("run");
    let sent = links(&sink);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "lehrer@example.org");
    let t = token(&sent[0].1).to_owned();
    p.password_reset_check(&t).await.expect("valid");

    // A weak password is refused and the link stays usable.
    let weak = p.password_reset_complete(&t, "kurz", "10.0.0.1").await;
    assert!(
        matches!(
            weak,
            Err(DomainError::Invalid {
                field: "password",
                ..
            })
        ),
        "{weak:?}"
    );
    p.password_reset_check(&t).await.expect("still valid");
    p.password_reset_complete(&t, NEW, "10.0.0.1")
        .await
        .expect("reset");
    assert!(matches!(
        p.password_reset_complete(&t, "noch-ein-passwort", "10.0.0.1")
            .await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.password_reset_check(&t).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.login(SCHOOL, "lehrer", PW, "10.0.0.1").await,
        Err(DomainError::BadCredentials)
    ));
    p.login(SCHOOL, "lehrer", NEW, "10.0.0.1")
        .await
        .expect("the new password works");
    assert!(
        p.session(&before.cookie).await.is_err(),
        "sessions end with the reset"
    );
    let t_actor = e.as_("lehrer", NEW).await;
    let mut c = p.db().read().await.expect("db");
    let log = schulhof_store::audit::system_list_kind(&mut c, t_actor.token.instance(), "account")
        .await
        .expect("log");
    let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
    assert!(actions.contains(&"password.reset_link_sent"), "{actions:?}");
    assert!(actions.contains(&"password.reset_by_link"), "{actions:?}");
}

async fn the_answer_is_the_same_whether_or_not_the_account_exists(db: Db) {
    let sink = Sink::start(None).await;
    let e = env(db, Some(sink.url())).await;
    let p = &e.platform;
    for (school, name) in [
        (SCHOOL, "niemand"),
        ("999999", "lehrer"),
        // Anna has no external address.
        (SCHOOL, "anna"),
        (SCHOOL, "anna.test@123456.nrw.schule"),
        // Ben asks with his school address.
        (SCHOOL, "ben.test@123456.nrw.schule"),
    ] {
        let r = p
            .password_reset_request(school, name, "10.0.0.2", "http://x")
            .await;
        assert!(r.is_ok(), "{school} {name}: {r:?}");
    }
    p.system_send_due_mail(p.now()).await.expect("run");
    let sent = links(&sink);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, "ben@example.org");
}

async fn links_expire_after_an_hour(db: Db) {
    let sink = Sink::start(None).await;
    let e = env(db, Some(sink.url())).await;
    let p = &e.platform;
    p.password_reset_request(SCHOOL, "lehrer", "10.0.0.3", "http://x")
        .await
        .expect("requested");
    p.system_send_due_mail(p.now()).await.expect("run");
    let link = links(&sink).remove(0).1;
    e.clock.advance(Duration::minutes(61));
    assert!(matches!(
        p.password_reset_check(token(&link)).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.password_reset_complete(token(&link), NEW, "10.0.0.3")
            .await,
        Err(DomainError::NotFound)
    ));
    p.login(SCHOOL, "lehrer", PW, "10.0.0.3")
        .await
        .expect("the old password stays");
    assert!(matches!(
        p.password_reset_check("erfunden").await,
        Err(DomainError::NotFound)
    ));
    // The retention job forgets expired links a day later.
    e.clock.advance(Duration::days(1));
    let purged = p.system_purge_expired().await.expect("purge");
    assert_eq!(purged.password_resets, 1);
}

async fn requests_are_throttled_and_a_login_gets_few_links(db: Db) {
    let sink = Sink::start(None).await;
    let e = env(db, Some(sink.url())).await;
    let p = &e.platform;
    let mut throttled_at = None;
    for i in 0..12 {
        match p
            .password_reset_request(SCHOOL, "lehrer", "10.0.0.4", "http://x")
            .await
        {
            Ok(()) => {}
            Err(DomainError::Throttled { .. }) => {
                throttled_at = Some(i);
                break;
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    let n = throttled_at.expect("throttled in the end");
    assert!(n >= 3, "a few requests pass: {n}");
    // An unknown name is throttled alike: a refusal tells nothing about the account.
    let mut unknown_throttled = false;
    for _ in 0..12 {
        if let Err(DomainError::Throttled { .. }) = p
            .password_reset_request(SCHOOL, "niemand", "10.0.0.4", "http://x")
            .await
        {
            unknown_throttled = true;
            break;
        }
    }
    assert!(unknown_throttled);
    p.system_send_due_mail(p.now()).await.expect("run");
    assert_eq!(links(&sink).len(), 3, "at most three links an hour");
    // Another address may ask again once the hour is over.
    e.clock.advance(Duration::minutes(61));
    p.password_reset_request(SCHOOL, "lehrer", "10.0.0.5", "http://x")
        .await
        .expect("requested");
    p.system_send_due_mail(p.now()).await.expect("run");
    assert_eq!(links(&sink).len(), 4);
}

async fn a_confidential_account_gets_no_reset_link(db: Db) {
    let sink = Sink::start(None).await;
    let e = env(db, Some(sink.url())).await;
    let p = &e.platform;
    let admin = e.admin().await;
    p.mail_create_confidential(&admin, "lehrerrat", "Lehrerrat")
        .await
        .expect("created");
    // Even with an external address on the account, the reset sends nothing.
    let mut c = e.db.begin().await.expect("tx");
    let u =
        schulhof_store::users::find_by_login_or_mail(&mut c, admin.token.instance(), "lehrerrat")
            .await
            .expect("find")
            .expect("exists");
    schulhof_store::users::set_external_mail(
        &mut c,
        admin.token.instance(),
        u.id,
        Some("rat@privat.example"),
        p.now(),
    )
    .await
    .expect("mail");
    c.commit().await.expect("commit");
    p.password_reset_request(SCHOOL, "lehrerrat", "10.0.0.1", "http://ignored")
        .await
        .expect("same answer as for any name");
    p.system_send_due_mail(p.now()).await.expect("run");
    assert!(
        sink.messages().is_empty(),
        "no link for a confidential account"
    );
    // An ordinary account of the same school still gets its link.
    p.password_reset_request(SCHOOL, "lehrer", "10.0.0.2", "http://ignored")
        .await
        .expect("requested");
    p.system_send_due_mail(p.now()).await.expect("run");
    assert_eq!(links(&sink).len(), 1);
}

backend_tests!(
    a_confidential_account_gets_no_reset_link,
    a_reset_link_sets_a_new_password_once,
    the_answer_is_the_same_whether_or_not_the_account_exists,
    links_expire_after_an_hour,
    requests_are_throttled_and_a_login_gets_few_links,
);
