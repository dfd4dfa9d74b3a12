//! Abuse control, stage 1, on SQLite and PostgreSQL: only the Schulleitung asks, with a
//! written reason and a period within the kept seven days; only the data-protection officer
//! (an operator) decides; approved, the analysis shows messages and volume per external
//! domain and day and nothing that names a person; refused or closed, it shows nothing.

use crate::abuse_support;
use abuse_support::*;
use chrono::Duration;
use schulhof_domain::clock::Clock;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

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
    give_notice(p, &sl, first, "schueler,lehrer").await;
    // The notice alone is not enough: a further analysis must follow (below, in
    // `stage_two_rests_on_a_further_analysis_after_the_notice`).
    assert!(matches!(
        p.mail_abuse_scope_request(&sl, first, purpose, &lehrer, from, until)
            .await,
        Err(DomainError::Invalid { field: "case", ref message }) if message.contains("further domain analysis")
    ));
    let noticed = first;
    let first = further_approved(&s, &sl, &dpo, "123456", noticed).await;
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
    // Closed with the written result for the person: nothing shown any more, the hold is
    // gone, the person is told and can reply.
    let result = vec![(
        "lehrer".to_owned(),
        "Kein Verstoß festgestellt; die Werbung kam ungefragt.".to_owned(),
    )];
    assert!(p.mail_abuse_scope_close(&t, id, &result).await.is_err());
    p.mail_abuse_scope_close(&sl, id, &result)
        .await
        .expect("closed");
    assert!(p.mail_abuse_scope_data(&sl, id).await.is_err());
    assert!(p.mail_abuse_scope_close(&sl, id, &result).await.is_err());
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
    assert_eq!(told[0]["result"], result[0].1);
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
    // The mail carries the result.
    let f = p
        .mail_special(&t, schulhof_domain::mail::Special::Inbox)
        .await
        .expect("inbox");
    let (page, _) = p.mail_page(&t, f, 0, 50).await.expect("page");
    let m = page
        .iter()
        .find(|m| {
            m.subject
                .starts_with("Im Rahmen einer Missbrauchskontrolle")
        })
        .expect("mail");
    let raw = p.mail_raw(&t, m.id).await.expect("raw");
    let body = mail_parser::MessageParser::default()
        .parse(&raw)
        .and_then(|m| m.body_text(0).map(|b| b.replace("\r\n", " ")))
        .expect("body");
    assert!(
        body.contains(&format!("Ergebnis der Auswertung: {}", result[0].1)),
        "{body}"
    );
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
    let told = notes(p, &t, "mail_abuse_concerned").await;
    assert_eq!(told.len(), 2);
    // Its notice says it ended without a result.
    let ended = told
        .iter()
        .find(|n| n["case"] == again.to_string())
        .expect("ended");
    assert_eq!(ended["variant"], "ended");
    assert!(ended.get("result").is_none(), "{ended}");
    let (de, en) = schulhof_domain::notify::words::line(
        schulhof_domain::notify::Kind::MailAbuseConcerned,
        ended,
    );
    assert!(de.contains("ohne Ergebnis der Auswertung"), "{de}");
    assert!(en.contains("without a result"), "{en}");
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
    assert!(
        p.mail_abuse_scope_close(&sl, refused, &result)
            .await
            .is_err()
    );
}

backend_tests!(
    stage_one_is_anonymous_and_needs_the_officer,
    stage_two_names_a_scope_needs_three_parties_holds_and_ends,
);
