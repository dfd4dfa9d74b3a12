//! Abuse control, the way into stage 2 and out of it, on SQLite and PostgreSQL
//! (Nutzungsbedingungen 7): stage 2 rests on a further domain analysis of the time after
//! the general notice ("bei anhaltendem Verdacht auf Missbrauch durch weitere
//! Domänenanalyse") and names only persons of the circle that notice reached; closing it
//! takes a written result for each person concerned ("Über das Ergebnis der Auswertung wird
//! die Nutzerin / der Nutzer schriftlich in Kenntnis gesetzt"), which goes only to that
//! person. Refused requests store nothing.

use crate::abuse_support;
use abuse_support::*;
use chrono::Duration;
use schulhof_domain::clock::Clock;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

fn invalid(r: Result<uuid::Uuid, DomainError>, field: &str, words: &str) {
    match r {
        Err(DomainError::Invalid { field: f, message }) => {
            assert_eq!(f, field, "{message}");
            assert!(message.contains(words), "{message}");
        }
        other => panic!("expected invalid {field}: {other:?}"),
    }
}

/// How many cases the school has.
async fn count(p: &schulhof_domain::Platform, sl: &schulhof_domain::identity::Actor) -> usize {
    p.mail_abuse_cases(sl).await.expect("cases").len()
}

async fn stage_two_rests_on_a_further_analysis_after_the_notice(db: Db) {
    let s = setup(db).await;
    let p = &s.platform;
    let (sl, t, admin) = (
        s.user("schulleitung").await,
        s.user("lehrer").await,
        s.admin().await,
    );
    let [sl2, ..] = other_school(p).await;
    p.mail_set_staff_council(&admin, "carla", true)
        .await
        .expect("council");
    let dpo = operator(p, "datenschutz", "dpo").await;
    let reason = "Verdacht auf Massenversand an externe Domains";
    let purpose = "Verdacht besteht fort: Versand von Werbung über das Konto anna";
    let now = s.clock.now();
    let (from, until) = (now - Duration::days(1), now + Duration::seconds(1));
    s.clock.advance(Duration::seconds(2));
    let first = p
        .mail_abuse_request(&sl, reason, from, until)
        .await
        .expect("stage 1");
    let plain = p
        .mail_abuse_request(&sl, reason, from, until)
        .await
        .expect("stage 1");
    for id in [first, plain] {
        p.operator_abuse_decide(&dpo, "123456", id, true, "10.1.0.1")
            .await
            .expect("approved");
    }
    // A further analysis follows a case whose notice was given; the pupils are told.
    let follow_up = "Der Verdacht besteht nach dem allgemeinen Hinweis fort";
    let later = s.clock.now();
    invalid(
        p.mail_abuse_request_further(&sl, plain, follow_up, from, later)
            .await,
        "case",
        "general notice",
    );
    give_notice(p, &sl, first, "schueler").await;
    let noticed_at = s.clock.now();
    s.clock.advance(Duration::hours(1));
    let before = count(p, &sl).await;
    // Not across schools, not by anyone but the Schulleitung, not before the notice.
    invalid(
        p.mail_abuse_request_further(&sl2, first, follow_up, from, s.clock.now())
            .await,
        "case",
        "general notice",
    );
    assert!(matches!(
        p.mail_abuse_request_further(&t, first, follow_up, from, s.clock.now())
            .await,
        Err(DomainError::Forbidden)
    ));
    invalid(
        p.mail_abuse_request_further(&sl, first, follow_up, from, noticed_at)
            .await,
        "period",
        "after the general notice",
    );
    // Stage 2 on the noticed case alone is refused: a further analysis is missing.
    let anna = vec!["anna".to_owned()];
    let (f2, u2) = (s.clock.now() - Duration::days(1), s.clock.now());
    invalid(
        p.mail_abuse_scope_request(&sl, first, purpose, &anna, f2, u2)
            .await,
        "case",
        "further domain analysis",
    );
    assert_eq!(
        count(p, &sl).await,
        before,
        "refused requests store nothing"
    );
    // Asked from a day back, the further analysis starts at the notice.
    let further = p
        .mail_abuse_request_further(&sl, first, follow_up, from, s.clock.now())
        .await
        .expect("further");
    let cases = p.mail_abuse_cases(&sl).await.expect("cases");
    let case = cases.iter().find(|c| c.id == further).expect("case");
    assert_eq!(case.from, noticed_at);
    assert_eq!(case.follows, Some(first));
    assert!(!case.opens_stage_two(), "not yet approved");
    let log = p.admin_log(&admin, 200, 0).await.expect("log");
    assert!(
        log.iter()
            .any(|l| l.action == "mail.abuse.request" && format!("{l:?}").contains("follows"))
    );
    // Waiting for the officer, it opens nothing; refused, neither.
    invalid(
        p.mail_abuse_scope_request(&sl, further, purpose, &anna, f2, u2)
            .await,
        "case",
        "approved stage-1",
    );
    let refused = p
        .mail_abuse_request_further(&sl, first, follow_up, from, s.clock.now())
        .await
        .expect("further");
    p.operator_abuse_decide(&dpo, "123456", refused, false, "10.1.0.1")
        .await
        .expect("refused");
    invalid(
        p.mail_abuse_scope_request(&sl, refused, purpose, &anna, f2, u2)
            .await,
        "case",
        "approved stage-1",
    );
    p.operator_abuse_decide(&dpo, "123456", further, true, "10.1.0.1")
        .await
        .expect("approved");
    let n = count(p, &sl).await;
    // Only persons of the circle told may be named: the teacher was not.
    invalid(
        p.mail_abuse_scope_request(&sl, further, purpose, &["lehrer".to_owned()], f2, u2)
            .await,
        "scope",
        "circle",
    );
    // The other school cannot build on this school's analysis.
    invalid(
        p.mail_abuse_scope_request(&sl2, further, purpose, &anna, f2, u2)
            .await,
        "case",
        "approved stage-1",
    );
    assert_eq!(count(p, &sl).await, n, "refused requests store nothing");
    let id = p
        .mail_abuse_scope_request(&sl, further, purpose, &anna, f2, u2)
        .await
        .expect("stage 2");
    let cases = p.mail_abuse_cases(&sl).await.expect("cases");
    let case = cases.iter().find(|c| c.id == id).expect("case");
    assert_eq!((case.stage, case.follows), (2, Some(further)));
    // The overview offers stage 2 after the further analysis only.
    let lines = p.mail_abuse_overview(&sl).await.expect("overview");
    let open: Vec<_> = lines
        .iter()
        .filter(|l| l.case.opens_stage_two())
        .map(|l| l.case.id)
        .collect();
    assert_eq!(open, vec![further]);
}

async fn closing_stage_two_takes_a_written_result_for_each_person(db: Db) {
    let s = setup(db).await;
    let p = &s.platform;
    let StageOne {
        sl,
        admin,
        dpo,
        first,
        from,
        until,
        ..
    } = stage_one_noticed(&s, ["carla", "ben"]).await;
    let (t, anna, carla) = (
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("carla").await,
    );
    let purpose = "Verdacht besteht fort: Versand von Werbung über zwei Konten";
    let scope = vec!["lehrer".to_owned(), "anna".to_owned()];
    let id = p
        .mail_abuse_scope_request(&sl, first, purpose, &scope, from, until)
        .await
        .expect("stage 2");
    p.mail_abuse_scope_join(&carla, id).await.expect("joined");
    p.operator_abuse_decide(&dpo, "123456", id, true, "10.1.0.1")
        .await
        .expect("approved");
    let for_t = "Für Sie: kein Verstoß festgestellt, die Werbung kam ungefragt.";
    let for_anna = "Für Sie: private Weiterleitungen festgestellt; bitte unterlassen.";
    let pair = |l: &str, r: &str| (l.to_owned(), r.to_owned());
    let bad: Vec<(&str, Vec<(String, String)>)> = vec![
        ("lehrer", vec![]),
        ("anna", vec![pair("lehrer", for_t)]),
        ("anna", vec![pair("lehrer", for_t), pair("anna", "zu kurz")]),
        (
            "lehrer",
            vec![pair("lehrer", &"x".repeat(2001)), pair("anna", for_anna)],
        ),
        (
            "ben",
            vec![
                pair("lehrer", for_t),
                pair("anna", for_anna),
                pair("ben", for_t),
            ],
        ),
    ];
    for (named, results) in bad {
        match p.mail_abuse_scope_close(&sl, id, &results).await {
            Err(DomainError::Invalid { field, message }) => {
                assert_eq!(field, "result");
                assert!(message.contains(named), "{message}");
            }
            other => panic!("{results:?}: {other:?}"),
        }
        // Nothing changed: the case is open, nobody was told.
        assert!(p.mail_abuse_scope_data(&sl, id).await.is_ok());
        assert!(notes(p, &t, "mail_abuse_concerned").await.is_empty());
    }
    let results = vec![pair("anna", for_anna), pair(" lehrer ", for_t)];
    p.mail_abuse_scope_close(&sl, id, &results)
        .await
        .expect("closed");
    // Each person reads the result for them, never the other's.
    let told_t = notes(p, &t, "mail_abuse_concerned").await;
    let told_anna = notes(p, &anna, "mail_abuse_concerned").await;
    assert_eq!((told_t.len(), told_anna.len()), (1, 1));
    assert_eq!(told_t[0]["result"], for_t);
    assert_eq!(told_anna[0]["result"], for_anna);
    assert!(!told_t[0].to_string().contains("Weiterleitungen"));
    let (de, en) = schulhof_domain::notify::words::line(
        schulhof_domain::notify::Kind::MailAbuseConcerned,
        &told_t[0],
    );
    assert!(
        de.contains(&format!("Ergebnis der Auswertung: {for_t}")),
        "{de}"
    );
    assert!(en.contains("Result of the evaluation"), "{en}");
    // The case keeps none of it; the log notes only that results were written.
    let log = p.admin_log(&admin, 200, 0).await.expect("log");
    let close = log
        .iter()
        .find(|l| l.action == "mail.abuse.scope.close")
        .expect("closing logged");
    let close = format!("{close:?}");
    assert!(close.contains("written"), "{close}");
    assert!(!close.contains("Weiterleitungen") && !close.contains("ungefragt"));
    let cases = p.mail_abuse_cases(&sl).await.expect("cases");
    let case = cases.iter().find(|c| c.id == id).expect("case");
    assert_eq!(case.state, "closed");
    assert!(!format!("{case:?}").contains("ungefragt"));
}

backend_tests!(
    stage_two_rests_on_a_further_analysis_after_the_notice,
    closing_stage_two_takes_a_written_result_for_each_person,
);
