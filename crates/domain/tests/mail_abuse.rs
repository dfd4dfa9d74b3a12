//! Abuse control, stage 1, on SQLite and PostgreSQL: only the Schulleitung asks, with a
//! written reason and a period within the kept seven days; only the data-protection officer
//! (an operator) decides; approved, the analysis shows messages and volume per external
//! domain and day and nothing that names a person; refused or closed, it shows nothing.

mod file_support;
mod operator_support;

use chrono::Duration;
use file_support::*;
use operator_support::secret_of;
use schulhof_domain::admin::NewUser;
use schulhof_domain::clock::Clock;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::operators::{OperatorActor, totp};
use schulhof_domain::{Db, DomainError, Platform};
use schulhof_store::backend_tests;

const T: &str = "lehrer.test@123456.nrw.schule";

/// An operator with `role`, logged in with its second factor and a changed password.
async fn operator(p: &Platform, login: &str, role: &str) -> OperatorActor {
    let c = p.system_create_operator(login, role).await.expect("create");
    let code = |p: &Platform| {
        totp::code_at_step(
            &secret_of(&c.otpauth_uri),
            totp::step_at(p.now().timestamp()),
        )
    };
    let s = p
        .operator_login(&c.login, &c.one_time_password, &code(p), "10.1.0.1")
        .await
        .expect("login");
    let session = p.operator_session(&s.cookie).await.expect("session");
    let new_pw = "ein-langes-betriebspasswort";
    p.operator_change_password(&session.actor, &c.one_time_password, new_pw, "10.1.0.1")
        .await
        .expect("change");
    p.operator_session(&s.cookie).await.expect("session").actor
}

fn message(from: &str, to: &str, subject: &str) -> Vec<u8> {
    format!("From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nText\r\n").into_bytes()
}

async fn setup(db: Db) -> School {
    let s = school(db, "123456", FileQuotas::default()).await;
    let admin = s.admin().await;
    let u = NewUser {
        first_name: "schulleitung".into(),
        last_name: "Test".into(),
        account_type: None,
        function_role: Some("schulleitung".into()),
        login: Some("schulleitung".into()),
        password: Some(PW.into()),
        external_mail: None,
        holder: None,
        groups: Vec::new(),
    };
    s.platform.create_user(&admin, u).await.expect("user");
    let p = &s.platform;
    let t = s.user("lehrer").await;
    p.mail_submit(
        &t,
        T,
        &["freund@gmx.de".into()],
        &message(T, "freund@gmx.de", "Geheim privat"),
    )
    .await
    .expect("out");
    for n in 0..2 {
        let rcpt = p.mail_inbound_rcpt(T).await.expect("rcpt");
        let raw = message("werbung@evil.example", T, &format!("Angebot {n}"));
        p.mail_deliver_inbound("werbung@evil.example", &[rcpt], &raw)
            .await
            .expect("in");
    }
    s
}

async fn stage_one_is_anonymous_and_needs_the_officer(db: Db) {
    let s = setup(db).await;
    let p = &s.platform;
    let (sl, t) = (s.user("schulleitung").await, s.user("lehrer").await);
    let now = s.clock.now();
    let (from, until) = (now - Duration::days(1), now + Duration::seconds(1));
    s.clock.advance(Duration::seconds(2));
    let reason = "Verdacht auf Massenversand an externe Domains";
    assert!(matches!(
        p.mail_abuse_request(&t, reason, from, until).await,
        Err(DomainError::Forbidden)
    ));
    assert!(matches!(
        p.mail_abuse_request(&sl, "Verdacht", from, until).await,
        Err(DomainError::Invalid { .. })
    ));
    let long_ago = now - Duration::days(9);
    assert!(matches!(
        p.mail_abuse_request(&sl, reason, long_ago, until).await,
        Err(DomainError::Invalid { .. })
    ));
    let id = p
        .mail_abuse_request(&sl, reason, from, until)
        .await
        .expect("asked");
    // Nobody of the school decides; nothing is shown before the officer approved.
    assert!(matches!(
        p.mail_abuse_analysis(&sl, id).await,
        Err(DomainError::NotFound)
    ));
    let op_admin = operator(p, "betrieb", "operator-admin").await;
    assert!(p.operator_abuse_requests(&op_admin).await.is_err());
    assert!(
        p.operator_abuse_decide(&op_admin, "123456", id, true, "10.1.0.1")
            .await
            .is_err()
    );
    let dpo = operator(p, "datenschutz", "dpo").await;
    let waiting = p.operator_abuse_requests(&dpo).await.expect("waiting");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].school, "123456");
    p.operator_abuse_decide(&dpo, "123456", id, true, "10.1.0.1")
        .await
        .expect("approved");
    assert!(matches!(
        p.operator_abuse_decide(&dpo, "123456", id, false, "10.1.0.1")
            .await,
        Err(DomainError::Conflict { .. })
    ));
    // Only the asking account sees it, and only domains, days and counts.
    assert!(matches!(
        p.mail_abuse_analysis(&t, id).await,
        Err(DomainError::NotFound)
    ));
    let (case, days) = p.mail_abuse_analysis(&sl, id).await.expect("analysis");
    assert_eq!(case.state, "approved");
    let mut seen: Vec<(String, String, i64)> = days
        .iter()
        .map(|d| (d.domain.clone(), d.direction.clone(), d.messages))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("evil.example".into(), "in".into(), 2),
            ("gmx.de".into(), "out".into(), 1)
        ]
    );
    let text = format!("{days:?}");
    for personal in ["lehrer", "freund", "werbung", "Geheim", "Angebot", "@"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    let admin = s.admin().await;
    let log = p.admin_log(&admin, 100, 0).await.expect("log");
    for action in ["mail.abuse.request", "mail.abuse.analysis"] {
        assert!(log.iter().any(|l| l.action == action), "{action}");
    }
    // Closed: nothing is shown any more.
    p.mail_abuse_close(&sl, id).await.expect("closed");
    assert!(p.mail_abuse_analysis(&sl, id).await.is_err());
    // Refused: nothing is shown either.
    let refused = p
        .mail_abuse_request(&sl, reason, from, until)
        .await
        .expect("asked");
    p.operator_abuse_decide(&dpo, "123456", refused, false, "10.1.0.1")
        .await
        .expect("refused");
    assert!(p.mail_abuse_analysis(&sl, refused).await.is_err());
}

/// The subjects in a login's inbox.
async fn inbox(p: &Platform, a: &schulhof_domain::identity::Actor) -> Vec<(String, String)> {
    let f = p
        .mail_special(a, schulhof_domain::mail::Special::Inbox)
        .await
        .expect("inbox");
    let (page, _) = p.mail_page(a, f, 0, 50).await.expect("page");
    page.into_iter()
        .map(|m| (m.subject.clone(), format!("{m:?}")))
        .collect()
}

/// The subjects of a school's traffic data.
async fn traffic(p: &Platform, instance: schulhof_types::InstanceId) -> Vec<String> {
    let mut c = p.db().read().await.expect("db");
    schulhof_store::mail::traffic::of_instance(&mut c, instance)
        .await
        .expect("traffic")
        .into_iter()
        .map(|r| r.subject)
        .collect()
}

async fn stage_two_names_a_scope_needs_three_parties_holds_and_ends(db: Db) {
    let s = setup(db).await;
    let p = &s.platform;
    let (sl, t) = (s.user("schulleitung").await, s.user("lehrer").await);
    let admin = s.admin().await;
    let instance = t.token.instance();
    let now = s.clock.now();
    let (from, until) = (now - Duration::days(1), now + Duration::seconds(1));
    s.clock.advance(Duration::seconds(2));
    let reason = "Verdacht auf Massenversand an externe Domains";
    let purpose = "Verdacht besteht fort: Versand von Werbung über das Konto lehrer";
    let dpo = operator(p, "datenschutz", "dpo").await;
    // Stage 2 follows an approved stage-1 case only.
    let first = p
        .mail_abuse_request(&sl, reason, from, until)
        .await
        .expect("stage 1");
    let lehrer = vec!["lehrer".to_owned()];
    assert!(matches!(
        p.mail_abuse_scope_request(&sl, first, purpose, &lehrer, from, until)
            .await,
        Err(DomainError::Invalid { .. })
    ));
    p.operator_abuse_decide(&dpo, "123456", first, true, "10.1.0.1")
        .await
        .expect("approved");
    // ... and only after the general notice to the affected circle; nothing is asked.
    assert!(matches!(
        p.mail_abuse_scope_request(&sl, first, purpose, &lehrer, from, until)
            .await,
        Err(DomainError::Invalid { field: "case", ref message }) if message.contains("general notice")
    ));
    assert_eq!(p.mail_abuse_cases(&sl).await.expect("cases").len(), 1);
    give_notice(p, &sl, first, "schueler").await;
    // Only the Schulleitung asks; a scope is named and is never everyone.
    assert!(
        p.mail_abuse_scope_request(&t, first, purpose, &lehrer, from, until)
            .await
            .is_err()
    );
    let everyone: Vec<String> = ["lehrer", "anna", "ben", "carla"]
        .map(String::from)
        .to_vec();
    assert!(matches!(
        p.mail_abuse_scope_request(&sl, first, purpose, &everyone, from, until)
            .await,
        Err(DomainError::Invalid { .. })
    ));
    assert!(matches!(
        p.mail_abuse_scope_request(&sl, first, purpose, &[], from, until)
            .await,
        Err(DomainError::Invalid { .. })
    ));
    let id = p
        .mail_abuse_scope_request(&sl, first, purpose, &lehrer, from, until)
        .await
        .expect("stage 2");
    // The officer cannot decide before the staff council took part.
    let waiting = p.operator_abuse_requests(&dpo).await.expect("waiting");
    assert!(waiting.iter().all(|c| c.id != id));
    assert!(
        p.operator_abuse_decide(&dpo, "123456", id, true, "10.1.0.1")
            .await
            .is_err()
    );
    // Not the Schulleitung, not someone outside the council.
    assert!(p.mail_abuse_scope_join(&sl, id).await.is_err());
    let carla = s.user("carla").await;
    assert!(matches!(
        p.mail_abuse_scope_join(&carla, id).await,
        Err(DomainError::Forbidden)
    ));
    p.mail_set_staff_council(&admin, "carla", true)
        .await
        .expect("council");
    p.mail_abuse_scope_join(&carla, id).await.expect("joined");
    assert!(p.mail_abuse_scope_join(&carla, id).await.is_err());
    // Nothing is shown before the officer approved.
    assert!(matches!(
        p.mail_abuse_scope_data(&sl, id).await,
        Err(DomainError::NotFound)
    ));
    let waiting = p.operator_abuse_requests(&dpo).await.expect("waiting");
    assert!(waiting.iter().any(|c| c.id == id && c.stage == 2));
    p.operator_abuse_decide(&dpo, "123456", id, true, "10.1.0.1")
        .await
        .expect("approved");
    // The asker sees the person-specific data of just the scope; nobody else does.
    assert!(matches!(
        p.mail_abuse_scope_data(&t, id).await,
        Err(DomainError::NotFound)
    ));
    assert!(p.mail_abuse_scope_data(&carla, id).await.is_err());
    let (case, people) = p.mail_abuse_scope_data(&sl, id).await.expect("data");
    assert_eq!(case.stage, 2);
    assert_eq!(people.len(), 1);
    assert_eq!(people[0].login, "lehrer");
    let subjects: Vec<&str> = people[0].rows.iter().map(|r| r.subject.as_str()).collect();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert!(subjects.contains(&"Geheim privat"));
    // Every step is in the school's log.
    let log = p.admin_log(&admin, 200, 0).await.expect("log");
    for action in [
        "mail.abuse.scope.request",
        "mail.abuse.scope.join",
        "mail.abuse.scope.read",
    ] {
        assert!(log.iter().any(|l| l.action == action), "{action}");
    }
    // Held against the 7-day deletion while the case is open.
    let before = traffic(p, instance).await;
    assert!(before.iter().any(|s| s == "Geheim privat"), "{before:?}");
    s.clock.advance(Duration::days(8));
    p.system_purge_expired().await.expect("purge");
    assert_eq!(traffic(p, instance).await, before);
    let (_, people) = p.mail_abuse_scope_data(&sl, id).await.expect("still");
    assert_eq!(people[0].rows.len(), 3);
    // Closed: nothing shown any more, the hold is gone, the person is told and can reply.
    assert!(p.mail_abuse_scope_close(&t, id).await.is_err());
    p.mail_abuse_scope_close(&sl, id).await.expect("closed");
    assert!(p.mail_abuse_scope_data(&sl, id).await.is_err());
    assert!(p.mail_abuse_scope_close(&sl, id).await.is_err());
    p.system_purge_expired().await.expect("purge");
    let left = traffic(p, instance).await;
    assert!(!left.iter().any(|s| s == "Geheim privat"), "{left:?}");
    // The written notice goes the way of the stage-1 notice: the notification centre, a
    // notice about the account, mailed by the worker; it names purpose and period and leads
    // to a reply to the Schulleitung.
    let told = notes(p, &t, "mail_abuse_concerned").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["purpose"], purpose);
    assert_eq!(told[0]["case"], id.to_string());
    let reply = told[0]["reply"].as_str().expect("reply").to_owned();
    assert!(reply.starts_with("schulleitung"), "{reply}");
    let n = p.my_notifications(&t).await.expect("notes");
    let note = n
        .iter()
        .find(|n| n.kind == "mail_abuse_concerned")
        .expect("note");
    assert_eq!(
        note.link,
        format!("/mail/neu?an={}", reply.replace('@', "%40"))
    );
    let anna = s.user("anna").await;
    assert!(notes(p, &anna, "mail_abuse_concerned").await.is_empty());
    assert!(notes(p, &sl, "mail_abuse_concerned").await.is_empty());
    p.system_deliver_notifications(s.clock.now())
        .await
        .expect("delivered");
    let mailed = |subjects: &[(String, String)]| {
        subjects
            .iter()
            .filter(|(s, _)| s.starts_with("Im Rahmen einer Missbrauchskontrolle"))
            .count()
    };
    assert_eq!(mailed(&inbox(p, &t).await), 1);
    assert_eq!(mailed(&inbox(p, &anna).await), 0);
    let log = p.admin_log(&admin, 200, 0).await.expect("log");
    let close = log
        .iter()
        .find(|l| l.action == "mail.abuse.scope.close")
        .expect("closing logged");
    assert!(format!("{close:?}").contains("notified"), "{close:?}");

    // A second case ends on its own 30 days after the decision.
    let now = s.clock.now();
    let raw = message("werbung@evil.example", T, "Noch ein Angebot");
    let rcpt = p.mail_inbound_rcpt(T).await.expect("rcpt");
    p.mail_deliver_inbound("werbung@evil.example", &[rcpt], &raw)
        .await
        .expect("in");
    s.clock.advance(Duration::seconds(2));
    let (from, until) = (now - Duration::days(1), now + Duration::seconds(1));
    let again = p
        .mail_abuse_scope_request(&sl, first, purpose, &lehrer, from, until)
        .await
        .expect("stage 2 again");
    p.mail_abuse_scope_join(&carla, again)
        .await
        .expect("joined");
    p.operator_abuse_decide(&dpo, "123456", again, true, "10.1.0.1")
        .await
        .expect("approved");
    assert!(p.mail_abuse_scope_data(&sl, again).await.is_ok());
    s.clock.advance(Duration::days(31));
    let purged = p.system_purge_expired().await.expect("purge");
    assert_eq!(purged.mail_abuse_cases_ended, 1);
    assert!(p.mail_abuse_scope_data(&sl, again).await.is_err());
    let left = traffic(p, instance).await;
    assert!(!left.iter().any(|s| s == "Noch ein Angebot"), "{left:?}");
    assert_eq!(notes(p, &t, "mail_abuse_concerned").await.len(), 2);
    // Refused by the officer: it ends there.
    let refused = p
        .mail_abuse_scope_request(
            &sl,
            first,
            purpose,
            &lehrer,
            s.clock.now() - Duration::days(1),
            s.clock.now(),
        )
        .await
        .expect("asked");
    p.mail_abuse_scope_join(&carla, refused)
        .await
        .expect("joined");
    p.operator_abuse_decide(&dpo, "123456", refused, false, "10.1.0.1")
        .await
        .expect("refused");
    assert!(p.mail_abuse_scope_data(&sl, refused).await.is_err());
    assert!(p.mail_abuse_scope_close(&sl, refused).await.is_err());
}

/// How many notifications of `kind` the login has, and their params.
async fn notes(
    p: &Platform,
    a: &schulhof_domain::identity::Actor,
    kind: &str,
) -> Vec<serde_json::Value> {
    p.my_notifications(a)
        .await
        .expect("notifications")
        .into_iter()
        .filter(|n| n.kind == kind)
        .map(|n| n.params)
        .collect()
}

/// The general notice of the approved stage-1 case `id` to the circle of account type
/// `kind`.
async fn give_notice(
    p: &Platform,
    sl: &schulhof_domain::identity::Actor,
    id: uuid::Uuid,
    kind: &str,
) {
    let text = "Die dienstliche E-Mail ist nur für dienstliche Zwecke zu nutzen.";
    p.mail_abuse_notice(sl, id, &[kind.to_owned()], text)
        .await
        .expect("notice");
}

/// A stage-1 case approved by the officer and noticed to the pupils, with `council` on the
/// staff council: where every stage-2 test starts.
struct StageOne {
    sl: schulhof_domain::identity::Actor,
    admin: schulhof_domain::identity::Actor,
    dpo: OperatorActor,
    first: uuid::Uuid,
    from: chrono::DateTime<chrono::Utc>,
    until: chrono::DateTime<chrono::Utc>,
}

async fn stage_one_noticed(s: &School, council: [&str; 2]) -> StageOne {
    let p = &s.platform;
    let (sl, admin) = (s.user("schulleitung").await, s.admin().await);
    for member in council {
        p.mail_set_staff_council(&admin, member, true)
            .await
            .expect("council");
    }
    let now = s.clock.now();
    let (from, until) = (now - Duration::days(1), now + Duration::seconds(1));
    s.clock.advance(Duration::seconds(2));
    let dpo = operator(p, "datenschutz", "dpo").await;
    let first = p
        .mail_abuse_request(
            &sl,
            "Verdacht auf Massenversand an externe Domains",
            from,
            until,
        )
        .await
        .expect("stage 1");
    p.operator_abuse_decide(&dpo, "123456", first, true, "10.1.0.1")
        .await
        .expect("approved");
    give_notice(p, &sl, first, "schueler").await;
    StageOne {
        sl,
        admin,
        dpo,
        first,
        from,
        until,
    }
}

/// A second school on the same platform: two teachers on its staff council and a
/// Schulleitung account held by one of them.
async fn other_school(p: &Platform) -> [schulhof_domain::identity::Actor; 3] {
    p.system_create_school("654321", "Andere Schule")
        .await
        .expect("school");
    p.system_set_password("654321", "admin", Some("admin-passwort-2"))
        .await
        .expect("password");
    let login = |login: &'static str, pw: &'static str| async move {
        let s = p
            .login("654321", login, pw, "127.0.0.1")
            .await
            .expect("login");
        p.session(&s.cookie).await.expect("session").actor
    };
    let admin = login("admin", "admin-passwort-2").await;
    for (name, kind, role, holder) in [
        ("lehrer", Some("lehrer"), None, None),
        ("kollege", Some("lehrer"), None, None),
        ("paula", Some("schueler"), None, None),
        ("schulleitung", None, Some("schulleitung"), Some("lehrer")),
    ] {
        let u = NewUser {
            first_name: name.into(),
            last_name: "Andere".into(),
            account_type: kind.map(Into::into),
            function_role: role.map(Into::into),
            login: Some(name.into()),
            password: Some(PW.into()),
            external_mail: None,
            holder: holder.map(Into::into),
            groups: Vec::new(),
        };
        p.create_user(&admin, u).await.expect("user");
    }
    for member in ["lehrer", "kollege"] {
        p.mail_set_staff_council(&admin, member, true)
            .await
            .expect("council");
    }
    [
        login("schulleitung", PW).await,
        login("lehrer", PW).await,
        login("kollege", PW).await,
    ]
}

/// The staff council hears of a stage-2 case waiting for it, the Schulleitung of the
/// officer's decision (whose reason the school then reads) — through the notification
/// centre, to just those persons, never across schools.
async fn the_council_and_the_schulleitung_are_told(db: Db) {
    let s = setup(db).await;
    let p = &s.platform;
    let admin = s.admin().await;
    let sl = s.user("schulleitung").await;
    let [sl2, holder2, kollege2] = other_school(p).await;
    for member in ["carla", "ben"] {
        p.mail_set_staff_council(&admin, member, true)
            .await
            .expect("council");
    }
    let now = s.clock.now();
    let (from, until) = (now - Duration::days(1), now + Duration::seconds(1));
    s.clock.advance(Duration::seconds(2));
    let reason = "Verdacht auf Massenversand an externe Domains";
    let purpose = "Verdacht besteht fort: Versand von Werbung über das Konto lehrer";
    let dpo = operator(p, "datenschutz", "dpo").await;
    let first = p
        .mail_abuse_request(&sl, reason, from, until)
        .await
        .expect("stage 1");
    // A decision without a reason, or one too short, changes nothing.
    assert!(matches!(
        p.operator_abuse_decide_with_reason(&dpo, "123456", first, true, " kurz ", "10.1.0.1")
            .await,
        Err(DomainError::Invalid { .. })
    ));
    assert!(notes(p, &sl, "mail_abuse_decided").await.is_empty());
    let why = "Anlass <b>plausibel</b> & Zeitraum angemessen";
    p.operator_abuse_decide_with_reason(&dpo, "123456", first, true, why, "10.1.0.1")
        .await
        .expect("approved");
    let cases = p.mail_abuse_cases(&sl).await.expect("cases");
    assert_eq!(cases[0].decision_reason.as_deref(), Some(why));
    let told = notes(p, &sl, "mail_abuse_decided").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["stage"], "1");
    assert_eq!(told[0]["case"], first.to_string());
    // The notice names no reason or result: those are on the Schulleitung's page.
    assert!(!told[0].to_string().contains("plausibel"));
    // Nobody on the council hears of stage 1.
    for login in ["carla", "ben", "lehrer", "anna"] {
        let a = s.user(login).await;
        assert!(
            notes(p, &a, "mail_abuse_council").await.is_empty(),
            "{login}"
        );
        assert!(
            notes(p, &a, "mail_abuse_decided").await.is_empty(),
            "{login}"
        );
    }

    give_notice(p, &sl, first, "schueler").await;
    let lehrer = vec!["lehrer".to_owned()];
    let id = p
        .mail_abuse_scope_request(&sl, first, purpose, &lehrer, from, until)
        .await
        .expect("stage 2");
    // Every member of the council is asked to take part, nobody else.
    for login in ["carla", "ben"] {
        let a = s.user(login).await;
        let asked = notes(p, &a, "mail_abuse_council").await;
        assert_eq!(asked.len(), 1, "{login}");
        assert_eq!(asked[0]["case"], id.to_string());
        assert!(!asked[0].to_string().contains("lehrer"), "no login named");
        let n = p.my_notifications(&a).await.expect("notes");
        let link = &n
            .iter()
            .find(|n| n.kind == "mail_abuse_council")
            .expect("note")
            .link;
        assert_eq!(link, "/verwaltung/mail/missbrauch/beteiligung");
    }
    for a in [&sl, &s.user("lehrer").await, &s.user("anna").await] {
        assert!(notes(p, a, "mail_abuse_council").await.is_empty());
    }
    // The other school's council and Schulleitung hear nothing of it.
    for a in [&sl2, &holder2, &kollege2] {
        assert!(notes(p, a, "mail_abuse_council").await.is_empty());
        assert!(notes(p, a, "mail_abuse_decided").await.is_empty());
    }
    let carla = s.user("carla").await;
    p.mail_abuse_scope_join(&carla, id).await.expect("joined");
    p.operator_abuse_decide_with_reason(
        &dpo,
        "123456",
        id,
        false,
        "Umfang nicht begründet, bitte enger fassen",
        "10.1.0.1",
    )
    .await
    .expect("refused");
    let told = notes(p, &sl, "mail_abuse_decided").await;
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(
        told.iter()
            .any(|n| n["stage"] == "2" && n["case"] == id.to_string())
    );
    let cases = p.mail_abuse_cases(&sl).await.expect("cases");
    let refused = cases.iter().find(|c| c.id == id).expect("case");
    assert_eq!(refused.state, "refused");
    assert_eq!(
        refused.decision_reason.as_deref(),
        Some("Umfang nicht begründet, bitte enger fassen")
    );
    for login in ["carla", "ben", "lehrer", "anna"] {
        let a = s.user(login).await;
        assert!(
            notes(p, &a, "mail_abuse_decided").await.is_empty(),
            "{login}"
        );
    }

    // In the other school the Schulleitung's holder is on the council: never asked to take
    // part in its own account's case, but told of the decision with the account.
    let now = s.clock.now();
    let (from, until) = (now - Duration::days(1), now);
    let first2 = p
        .mail_abuse_request(&sl2, reason, from, until)
        .await
        .expect("stage 1 elsewhere");
    p.operator_abuse_decide_with_reason(&dpo, "654321", first2, true, why, "10.1.0.1")
        .await
        .expect("approved");
    assert_eq!(notes(p, &sl2, "mail_abuse_decided").await.len(), 1);
    assert_eq!(notes(p, &holder2, "mail_abuse_decided").await.len(), 1);
    assert!(notes(p, &kollege2, "mail_abuse_decided").await.is_empty());
    give_notice(p, &sl2, first2, "lehrer").await;
    let scope2 = vec!["paula".to_owned()];
    p.mail_abuse_scope_request(&sl2, first2, purpose, &scope2, from, until)
        .await
        .expect("stage 2 elsewhere");
    assert!(notes(p, &holder2, "mail_abuse_council").await.is_empty());
    assert_eq!(notes(p, &kollege2, "mail_abuse_council").await.len(), 1);
    // ... and this school's council hears nothing of the other's case.
    for login in ["carla", "ben"] {
        let a = s.user(login).await;
        assert_eq!(notes(p, &a, "mail_abuse_council").await.len(), 1, "{login}");
    }
    assert_eq!(notes(p, &sl, "mail_abuse_decided").await.len(), 2);
}

/// After an approved analysis the Schulleitung tells the affected circle — persons of
/// chosen account types, never one person — in general terms, once; nothing else changes
/// on bad input, and no other school hears of it.
async fn the_general_notice_reaches_a_circle_never_a_person(db: Db) {
    let s = setup(db).await;
    let p = &s.platform;
    let (sl, t) = (s.user("schulleitung").await, s.user("lehrer").await);
    let [sl2, holder2, kollege2] = other_school(p).await;
    let now = s.clock.now();
    let (from, until) = (now - Duration::days(1), now + Duration::seconds(1));
    s.clock.advance(Duration::seconds(2));
    let reason = "Verdacht auf Massenversand an externe Domains";
    let text = "Die dienstliche E-Mail ist nur für dienstliche Zwecke zu nutzen.";
    let pupils = vec!["schueler".to_owned()];
    let id = p
        .mail_abuse_request(&sl, reason, from, until)
        .await
        .expect("stage 1");
    // Not before the officer approved.
    assert!(matches!(
        p.mail_abuse_notice(&sl, id, &pupils, text).await,
        Err(DomainError::NotFound)
    ));
    let dpo = operator(p, "datenschutz", "dpo").await;
    p.operator_abuse_decide(&dpo, "123456", id, true, "10.1.0.1")
        .await
        .expect("approved");
    // Only the Schulleitung that asked; another school's finds nothing.
    for other in [&t, &sl2] {
        assert!(matches!(
            p.mail_abuse_notice(other, id, &pupils, text).await,
            Err(DomainError::NotFound | DomainError::Forbidden)
        ));
    }
    // A short text, an unknown circle, or a circle of one person: nothing is sent.
    let one_teacher = vec!["lehrer".to_owned()];
    for (circle, words) in [
        (&pupils, "zu kurz"),
        (&vec!["eltern".to_owned()], text),
        (&one_teacher, text),
        (&Vec::new(), text),
    ] {
        assert!(matches!(
            p.mail_abuse_notice(&sl, id, circle, words).await,
            Err(DomainError::Invalid { .. })
        ));
    }
    let anna = s.user("anna").await;
    assert!(notes(p, &anna, "mail_abuse_notice").await.is_empty());
    assert!(
        p.mail_abuse_cases(&sl).await.expect("cases")[0]
            .notice_at
            .is_none()
    );
    // The pupils' circle: every one of them, nobody else.
    let reached = p
        .mail_abuse_notice(&sl, id, &pupils, text)
        .await
        .expect("notice");
    assert_eq!(reached, 3);
    for login in ["anna", "ben", "carla"] {
        let a = s.user(login).await;
        let got = notes(p, &a, "mail_abuse_notice").await;
        assert_eq!(got.len(), 1, "{login}");
        assert_eq!(got[0]["text"], text);
    }
    assert!(notes(p, &t, "mail_abuse_notice").await.is_empty());
    assert!(notes(p, &sl, "mail_abuse_notice").await.is_empty());
    for a in [&sl2, &holder2, &kollege2] {
        assert!(notes(p, a, "mail_abuse_notice").await.is_empty());
    }
    // Once per analysis.
    assert!(matches!(
        p.mail_abuse_notice(&sl, id, &pupils, text).await,
        Err(DomainError::Conflict { .. })
    ));
    let case = &p.mail_abuse_cases(&sl).await.expect("cases")[0];
    assert_eq!(case.notice_at, Some(s.clock.now()));
    let admin = s.admin().await;
    let log = p.admin_log(&admin, 100, 0).await.expect("log");
    assert!(log.iter().any(|l| l.action == "mail.abuse.notice"));
    // Closed, the analysis offers nothing any more.
    p.mail_abuse_close(&sl, id).await.expect("closed");
    assert!(p.mail_abuse_notice(&sl, id, &pupils, text).await.is_err());
}

/// A staff council member whose own mail a stage-2 case examines never takes part in it:
/// the policy hides the case from them (404, as an unknown case), they are not asked, and
/// the case still waits for another member of the council.
async fn a_council_member_named_in_the_scope_never_takes_part(db: Db) {
    let s = setup(db).await;
    let p = &s.platform;
    let StageOne {
        sl,
        admin,
        dpo,
        first,
        from,
        until,
    } = stage_one_noticed(&s, ["lehrer", "carla"]).await;
    let (t, carla) = (s.user("lehrer").await, s.user("carla").await);
    let purpose = "Verdacht besteht fort: Versand von Werbung über das Konto lehrer";
    let lehrer = vec!["lehrer".to_owned()];
    let id = p
        .mail_abuse_scope_request(&sl, first, purpose, &lehrer, from, until)
        .await
        .expect("stage 2");
    // The member named in the scope is not asked and does not see the case ...
    assert!(notes(p, &t, "mail_abuse_council").await.is_empty());
    assert_eq!(notes(p, &carla, "mail_abuse_council").await.len(), 1);
    assert!(
        p.mail_abuse_council_cases(&t)
            .await
            .expect("member's list")
            .is_empty()
    );
    // ... and cannot take part: the same answer as for a case that does not exist.
    assert!(matches!(
        p.mail_abuse_scope_join(&t, id).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.mail_abuse_scope_join(&t, uuid::Uuid::now_v7()).await,
        Err(DomainError::NotFound)
    ));
    let log = p.admin_log(&admin, 200, 0).await.expect("log");
    assert!(log.iter().all(|l| l.action != "mail.abuse.scope.join"));
    // The case still needs another member: not with the officer, not joined.
    let waiting = p.operator_abuse_requests(&dpo).await.expect("waiting");
    assert!(waiting.iter().all(|c| c.id != id));
    let line = p.mail_abuse_overview(&sl).await.expect("overview");
    let line = line.iter().find(|l| l.case.id == id).expect("line");
    assert!(!line.council_joined);
    assert_eq!(line.accounts, 1);
    let listed = p.mail_abuse_council_cases(&carla).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].logins, lehrer);
    p.mail_abuse_scope_join(&carla, id).await.expect("joined");
    let waiting = p.operator_abuse_requests(&dpo).await.expect("waiting");
    assert!(waiting.iter().any(|c| c.id == id));
}

/// The overview, the council's list and the officer's list cost the same few statements
/// for one open stage-2 case of each kind as for five: no statement per case.
async fn the_lists_cost_the_same_for_one_and_five_open_cases(db: Db) {
    use schulhof_store::testing::statements;
    if !statements::install() {
        return;
    }
    let s = setup(db).await;
    let p = &s.platform;
    let StageOne {
        sl,
        dpo,
        first,
        from,
        until,
        ..
    } = stage_one_noticed(&s, ["carla", "ben"]).await;
    let (carla, ben) = (s.user("carla").await, s.user("ben").await);
    let purpose = "Verdacht besteht fort: Versand von Werbung über das Konto lehrer";
    // One case the council joined (for the officer), one waiting for the council.
    // The council members are never in a scope: it would hide the case from them.
    let open_two = |scope: &'static [&'static str]| {
        let (sl, carla) = (&sl, &carla);
        async move {
            let scope: Vec<String> = scope.iter().map(|l| l.to_string()).collect();
            let joined = p
                .mail_abuse_scope_request(sl, first, purpose, &scope, from, until)
                .await
                .expect("stage 2");
            p.mail_abuse_scope_join(carla, joined)
                .await
                .expect("joined");
            p.mail_abuse_scope_request(sl, first, purpose, &scope, from, until)
                .await
                .expect("stage 2");
        }
    };
    let costs = || async {
        let (a, lines) = statements::count(p.mail_abuse_overview(&sl)).await;
        let (b, council) = statements::count(p.mail_abuse_council_cases(&ben)).await;
        let (c, officer) = statements::count(p.operator_abuse_waiting(&dpo)).await;
        let sizes = (
            lines.expect("overview").len(),
            council.expect("council").len(),
            officer.expect("officer").len(),
        );
        ([a, b, c], sizes)
    };
    open_two(&["lehrer", "anna"]).await;
    let (one, sizes) = costs().await;
    assert_eq!(sizes, (3, 1, 1));
    let scopes: [&[&str]; 4] = [&["anna"], &["lehrer"], &["anna", "lehrer"], &["lehrer"]];
    for scope in scopes {
        open_two(scope).await;
    }
    let (five, sizes) = costs().await;
    assert_eq!(sizes, (11, 5, 5));
    assert_eq!(one, five, "overview, council, officer");
    // Counted at all (a list reads at least its cases), and few.
    assert!(one.iter().all(|n| (1..=4).contains(n)), "{one:?}");
}

backend_tests!(
    stage_one_is_anonymous_and_needs_the_officer,
    stage_two_names_a_scope_needs_three_parties_holds_and_ends,
    the_council_and_the_schulleitung_are_told,
    the_general_notice_reaches_a_circle_never_a_person,
    a_council_member_named_in_the_scope_never_takes_part,
    the_lists_cost_the_same_for_one_and_five_open_cases,
);
