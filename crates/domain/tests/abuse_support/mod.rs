//! The abuse-control tests' common set-up: the school with a Schulleitung account and a
//! teacher's mail to and from outside, operators with their second factor, and a stage-1
//! case approved and noticed, followed by an approved further analysis, where every stage-2
//! test starts.

#![allow(dead_code)]

pub use crate::file_support::*;
use crate::operator_support::secret_of;
use chrono::Duration;
use schulhof_domain::admin::NewUser;
use schulhof_domain::clock::Clock;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::operators::{OperatorActor, totp};
use schulhof_domain::{Db, Platform};

pub const T: &str = "lehrer.test@123456.nrw.schule";

/// An operator with `role`, logged in with its second factor and a changed password.
pub async fn operator(p: &Platform, login: &str, role: &str) -> OperatorActor {
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

pub fn message(from: &str, to: &str, subject: &str) -> Vec<u8> {
    format!("From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nText\r\n").into_bytes()
}

pub async fn setup(db: Db) -> School {
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

/// The subjects in a login's inbox.
pub async fn inbox(p: &Platform, a: &schulhof_domain::identity::Actor) -> Vec<(String, String)> {
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
pub async fn traffic(p: &Platform, instance: schulhof_types::InstanceId) -> Vec<String> {
    let mut c = p.db().read().await.expect("db");
    schulhof_store::mail::traffic::of_instance(&mut c, instance)
        .await
        .expect("traffic")
        .into_iter()
        .map(|r| r.subject)
        .collect()
}

/// How many notifications of `kind` the login has, and their params.
pub async fn notes(
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

/// The general notice of the approved stage-1 case `id` to the circle of the account
/// types `kinds` (comma-separated).
pub async fn give_notice(
    p: &Platform,
    sl: &schulhof_domain::identity::Actor,
    id: uuid::Uuid,
    kinds: &str,
) {
    let text = "Die dienstliche E-Mail ist nur für dienstliche Zwecke zu nutzen.";
    let circle: Vec<String> = kinds.split(',').map(str::to_owned).collect();
    p.mail_abuse_notice(sl, id, &circle, text)
        .await
        .expect("notice");
}

/// The further analysis after the notice of `noticed` (asked from a day before, which the
/// domain cuts to the notice), approved by the officer: what stage 2 rests on.
pub async fn further_approved(
    s: &School,
    sl: &schulhof_domain::identity::Actor,
    dpo: &OperatorActor,
    school: &str,
    noticed: uuid::Uuid,
) -> uuid::Uuid {
    let p = &s.platform;
    let from = s.clock.now() - Duration::days(1);
    s.clock.advance(Duration::seconds(2));
    let reason = "Der Verdacht besteht nach dem allgemeinen Hinweis fort";
    let id = p
        .mail_abuse_request_further(sl, noticed, reason, from, s.clock.now())
        .await
        .expect("further analysis");
    p.operator_abuse_decide(dpo, school, id, true, "10.1.0.1")
        .await
        .expect("further approved");
    id
}

/// A stage-1 case approved by the officer and noticed to teachers and pupils, then a
/// further analysis approved, with `council` on the staff council: where every stage-2
/// test starts.
pub struct StageOne {
    pub sl: schulhof_domain::identity::Actor,
    pub admin: schulhof_domain::identity::Actor,
    pub dpo: OperatorActor,
    /// The approved further analysis: what stage 2 follows.
    pub first: uuid::Uuid,
    /// The first analysis, whose notice was given.
    pub noticed: uuid::Uuid,
    pub from: chrono::DateTime<chrono::Utc>,
    pub until: chrono::DateTime<chrono::Utc>,
}

pub async fn stage_one_noticed(s: &School, council: [&str; 2]) -> StageOne {
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
    give_notice(p, &sl, first, "schueler,lehrer").await;
    let noticed = first;
    let first = further_approved(s, &sl, &dpo, "123456", noticed).await;
    StageOne {
        sl,
        admin,
        dpo,
        first,
        noticed,
        from,
        until,
    }
}

/// A second school on the same platform: two teachers on its staff council and a
/// Schulleitung account held by one of them.
pub async fn other_school(p: &Platform) -> [schulhof_domain::identity::Actor; 3] {
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
