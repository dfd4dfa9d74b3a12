//! Four-eyes access to a mailbox on SQLite and PostgreSQL: only the Schulleitung asks, with a
//! reason and an end; only a staff council member confirms; then the Schulleitung reads the
//! owner's own folders read-only until the end, each message opened is logged, the owner is
//! told, a confidential mailbox the owner holds stays closed, and other schools see nothing.

use crate::file_support;
use chrono::Duration;
use file_support::*;
use schulhof_authz::mail::MailboxAccess::Write;
use schulhof_domain::admin::NewUser;
use schulhof_domain::clock::Clock;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::mail::{Special, inspection::MAX_DAYS};
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

fn message(from: &str, to: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@test>\r\n\r\nText\r\n"
    )
    .into_bytes()
}

async fn add(s: &School, login: &str, kind: Option<&str>, role: Option<&str>) {
    let admin = s.admin().await;
    let u = NewUser {
        first_name: login.into(),
        last_name: "Test".into(),
        account_type: kind.map(str::to_owned),
        function_role: role.map(str::to_owned),
        login: Some(login.into()),
        password: Some(PW.into()),
        external_mail: None,
        holder: None,
        groups: Vec::new(),
    };
    s.platform.create_user(&admin, u).await.expect("user");
}

/// A school with a Schulleitung account, a staff council member (`kollegin`) and the
/// confidential mailbox `lehrerrat` held by `lehrer`; anna wrote to both.
async fn setup(db: Db, number: &'static str) -> School {
    let s = school(db, number, FileQuotas::default()).await;
    add(&s, "schulleitung", None, Some("schulleitung")).await;
    add(&s, "kollegin", Some("lehrer"), None).await;
    let (p, admin) = (&s.platform, s.admin().await);
    p.mail_create_confidential(&admin, "lehrerrat", "Lehrerrat")
        .await
        .expect("confidential");
    p.mail_confidential_delegate(&admin, "lehrerrat", "lehrer", Some((Write, false)))
        .await
        .expect("holder");
    let anna = s.user("anna").await;
    let from = format!("anna.test@{number}.nrw.schule");
    let t = format!("lehrer.test@{number}.nrw.schule");
    let rat = format!("lehrerrat@{number}.nrw.schule");
    for (to, subject) in [(t.as_str(), "Frage"), (rat.as_str(), "Vertraulich")] {
        p.mail_submit(&anna, &from, &[to.into()], &message(&from, to, subject))
            .await
            .expect("sent");
    }
    s
}

async fn only_the_schulleitung_asks_and_only_the_council_confirms(db: Db) {
    let s = setup(db, "123456").await;
    let p = &s.platform;
    let (admin, sl) = (s.admin().await, s.user("schulleitung").await);
    let (t, kollegin) = (s.user("lehrer").await, s.user("kollegin").await);
    let until = s.clock.now() + Duration::days(3);
    let reason = "Dringende Vertretung, Elternbrief im Postfach";
    // Nobody but the Schulleitung asks.
    for a in [&admin, &t] {
        let r = p
            .mail_inspection_request(a, "kollegin", reason, until)
            .await;
        assert!(matches!(r, Err(DomainError::Forbidden)), "{r:?}");
    }
    // A confidential-role account, a function account, the own login: never.
    for login in ["lehrerrat", "admin", "schulleitung", "niemand"] {
        let r = p.mail_inspection_request(&sl, login, reason, until).await;
        assert!(r.is_err(), "{login}");
    }
    // A reason and an end within the limit are required; nothing is stored otherwise.
    let short = p
        .mail_inspection_request(&sl, "lehrer", "weil", until)
        .await;
    assert!(matches!(short, Err(DomainError::Invalid { .. })));
    let far = s.clock.now() + Duration::days(MAX_DAYS + 1);
    let long = p.mail_inspection_request(&sl, "lehrer", reason, far).await;
    assert!(matches!(long, Err(DomainError::Invalid { .. })));
    let id = p
        .mail_inspection_request(&sl, "lehrer", reason, until)
        .await
        .expect("asked");
    // Not yet confirmed: nothing opens.
    assert!(p.mail_inspections(&sl).await.expect("list").is_empty());
    assert!(matches!(
        p.mail_inspection_folders(&sl, id).await,
        Err(DomainError::NotFound)
    ));
    // Without a staff council member nobody can confirm: not the Schulleitung, not the
    // admin, not another teacher.
    for a in [&sl, &admin, &kollegin] {
        assert!(p.confirm_request(a, id).await.is_err());
    }
    p.mail_set_staff_council(&t, "kollegin", true)
        .await
        .expect_err("only the admin assigns the council");
    p.mail_set_staff_council(&admin, "kollegin", true)
        .await
        .expect("council");
    assert_eq!(
        p.mail_staff_council(&admin).await.expect("council"),
        vec!["kollegin".to_owned()]
    );
    let kollegin = s.user("kollegin").await;
    let listed = p.four_eyes_requests(&kollegin).await.expect("requests");
    assert!(listed.iter().any(|r| r.id == id && r.may_decide));
    // The owner has an external address: the notice goes there too, at once.
    let mut tx = p.db().begin().await.expect("tx");
    schulhof_store::users::set_external_mail(
        &mut tx,
        t.token.instance(),
        t.token.user(),
        Some("lehrer.privat@example.org"),
        p.now(),
    )
    .await
    .expect("external");
    tx.commit().await.expect("commit");
    p.confirm_request(&kollegin, id).await.expect("confirmed");
    // The owner is told at once, with who, why and until when.
    let notes = p.my_notifications(&t).await.expect("notes");
    let note = notes
        .iter()
        .find(|n| n.kind == "mailbox_inspection")
        .expect("owner told");
    assert_eq!(note.params["by"], "schulleitung");
    assert_eq!(note.params["with"], "kollegin");
    assert_eq!(note.params["reason"], reason);
    let mut c = p.db().read().await.expect("db");
    let waiting = schulhof_store::notify::queued_mails(&mut c, t.token.instance(), t.token.user())
        .await
        .expect("outbox");
    drop(c);
    // Queued in the confirming transaction for the external address (the security path).
    assert_eq!(waiting, 1, "queued with the notice itself");
    let log = p.admin_log(&admin, 100, 0).await.expect("log");
    for action in ["four_eyes.request", "four_eyes.confirm", "mail.council.add"] {
        assert!(log.iter().any(|l| l.action == action), "{action}");
    }
}

async fn the_access_is_read_only_logged_limited_and_never_reaches_further(db: Db) {
    let s = setup(db, "123456").await;
    let p = &s.platform;
    let (admin, sl) = (s.admin().await, s.user("schulleitung").await);
    let t = s.user("lehrer").await;
    p.mail_set_staff_council(&admin, "kollegin", true)
        .await
        .expect("council");
    let until = s.clock.now() + Duration::days(2);
    let id = p
        .mail_inspection_request(&sl, "lehrer", "Krankheitsfall, Elternanfrage offen", until)
        .await
        .expect("asked");
    let kollegin = s.user("kollegin").await;
    p.confirm_request(&kollegin, id).await.expect("confirmed");
    let open = p.mail_inspections(&sl).await.expect("list");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].owner, "lehrer");
    // The owner's own folders only, all read-only.
    let (_, folders) = p.mail_inspection_folders(&sl, id).await.expect("folders");
    let own = p.mail_folders(&t).await.expect("own");
    assert_eq!(folders.len(), own.len());
    assert!(folders.iter().all(|f| f.read_only));
    let inbox = folders
        .iter()
        .find(|f| f.special == Some(Special::Inbox))
        .expect("inbox");
    let (msgs, n) = p
        .mail_inspection_page(&sl, id, inbox.id, 0, 50)
        .await
        .expect("page");
    assert_eq!(n, 1);
    assert_eq!(msgs[0].subject, "Frage");
    let (meta, raw) = p
        .mail_inspection_message(&sl, id, msgs[0].id)
        .await
        .expect("message");
    assert!(String::from_utf8_lossy(&raw).contains("Subject: Frage"));
    // Reading leaves the owner's flags alone.
    assert!(!meta.flags.seen);
    let (again, _) = p.mail_page(&t, inbox.id, 0, 50).await.expect("own page");
    assert!(!again[0].flags.seen);
    let log = p.admin_log(&admin, 100, 0).await.expect("log");
    let reads: Vec<_> = log
        .iter()
        .filter(|l| l.action == "mail.inspection.read")
        .collect();
    assert_eq!(reads.len(), 1, "logged message by message");
    assert_eq!(reads[0].object.as_deref(), Some("lehrer"));
    // The confidential mailbox the owner holds is not reached, not even by its folder id.
    let rat_inbox = p
        .mail_delegated_folders(&t)
        .await
        .expect("delegated")
        .into_iter()
        .flat_map(|d| d.folders)
        .find(|f| f.special == Some(Special::Inbox))
        .expect("rat inbox");
    assert!(matches!(
        p.mail_inspection_page(&sl, id, rat_inbox.id, 0, 50).await,
        Err(DomainError::NotFound)
    ));
    // Nobody else uses the access: not the confirming member, not the admin.
    for a in [&kollegin, &admin, &t] {
        assert!(matches!(
            p.mail_inspection_folders(a, id).await,
            Err(DomainError::NotFound)
        ));
    }
    // It ends on its date.
    s.clock.advance(Duration::days(2) + Duration::seconds(1));
    assert!(p.mail_inspections(&sl).await.expect("list").is_empty());
    assert!(matches!(
        p.mail_inspection_message(&sl, id, msgs[0].id).await,
        Err(DomainError::NotFound)
    ));
    // The retention job removes the ended access (the log keeps what was read).
    let purged = p.system_purge_expired().await.expect("purge");
    assert_eq!(purged.mail_inspections, 1);
    assert_eq!(
        p.system_purge_expired()
            .await
            .expect("again")
            .mail_inspections,
        0
    );
}

async fn other_schools_see_nothing(db: Db) {
    let s = setup(db.clone(), "123456").await;
    let other = setup(db, "654321").await;
    let (p, admin) = (&s.platform, s.admin().await);
    p.mail_set_staff_council(&admin, "kollegin", true)
        .await
        .expect("council");
    let sl = s.user("schulleitung").await;
    let until = s.clock.now() + Duration::days(1);
    let id = p
        .mail_inspection_request(&sl, "lehrer", "Dringende Vertretung im Kollegium", until)
        .await
        .expect("asked");
    p.confirm_request(&s.user("kollegin").await, id)
        .await
        .expect("confirmed");
    let their_sl = other.user("schulleitung").await;
    let their_admin = other.admin().await;
    assert!(matches!(
        other.platform.mail_inspection_folders(&their_sl, id).await,
        Err(DomainError::NotFound)
    ));
    // Another school's staff council cannot be assigned from here, nor confirm here.
    assert!(
        other
            .platform
            .mail_set_staff_council(&their_admin, "kollegin", true)
            .await
            .is_ok()
    );
    assert!(
        other
            .platform
            .mail_inspections(&their_sl)
            .await
            .expect("list")
            .is_empty()
    );
}

backend_tests!(
    only_the_schulleitung_asks_and_only_the_council_confirms,
    the_access_is_read_only_logged_limited_and_never_reaches_further,
    other_schools_see_nothing,
);
