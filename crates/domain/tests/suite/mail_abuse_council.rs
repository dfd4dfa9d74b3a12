//! Abuse control, who hears of it and who takes part, on SQLite and PostgreSQL: the staff
//! council and the Schulleitung are told through the notification centre, the general
//! notice reaches a circle and never one person, a council member whose mail a case
//! examines never takes part, and the case lists cost the same for one case as for five.

use crate::abuse_support;
use abuse_support::*;
use chrono::Duration;
use schulhof_domain::clock::Clock;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

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

    give_notice(p, &sl, first, "schueler,lehrer").await;
    let further = further_approved(&s, &sl, &dpo, "123456", first).await;
    let lehrer = vec!["lehrer".to_owned()];
    let id = p
        .mail_abuse_scope_request(&sl, further, purpose, &lehrer, from, until)
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
    // Told of the first analysis, the further one and the refusal.
    let told = notes(p, &sl, "mail_abuse_decided").await;
    assert_eq!(told.len(), 3, "{told:?}");
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
    give_notice(p, &sl2, first2, "lehrer,schueler").await;
    let further2 = further_approved(&s, &sl2, &dpo, "654321", first2).await;
    let scope2 = vec!["paula".to_owned()];
    p.mail_abuse_scope_request(&sl2, further2, purpose, &scope2, from, until)
        .await
        .expect("stage 2 elsewhere");
    assert!(notes(p, &holder2, "mail_abuse_council").await.is_empty());
    assert_eq!(notes(p, &kollege2, "mail_abuse_council").await.len(), 1);
    // ... and this school's council hears nothing of the other's case.
    for login in ["carla", "ben"] {
        let a = s.user(login).await;
        assert_eq!(notes(p, &a, "mail_abuse_council").await.len(), 1, "{login}");
    }
    assert_eq!(notes(p, &sl, "mail_abuse_decided").await.len(), 3);
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
        ..
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
    // The first analysis, its further analysis and the new case.
    assert_eq!(sizes, (4, 1, 1));
    let scopes: [&[&str]; 4] = [&["anna"], &["lehrer"], &["anna", "lehrer"], &["lehrer"]];
    for scope in scopes {
        open_two(scope).await;
    }
    let (five, sizes) = costs().await;
    assert_eq!(sizes, (12, 5, 5));
    assert_eq!(one, five, "overview, council, officer");
    // Counted at all (a list reads at least its cases), and few.
    assert!(one.iter().all(|n| (1..=4).contains(n)), "{one:?}");
}

backend_tests!(
    the_council_and_the_schulleitung_are_told,
    the_general_notice_reaches_a_circle_never_a_person,
    a_council_member_named_in_the_scope_never_takes_part,
    the_lists_cost_the_same_for_one_and_five_open_cases,
);
