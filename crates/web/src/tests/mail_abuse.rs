//! Abuse control through the pages, on SQLite and PostgreSQL: the Schulleitung asks (a bad
//! reason or period changes nothing), only the data-protection officer decides — with a
//! reason the operators' log keeps —, the analysis shows counts per external domain and day
//! and nothing that names a person, and only to the one who asked. Stage 2: the staff
//! council takes part, the officer approves, the scope's traffic data are shown, closing
//! tells the person concerned.

use axum::http::StatusCode;
use chrono::{Days, NaiveDate};

use super::mail::{actor, mail_of};
use super::operator::{operator_cookie, operator_login};
use super::*;

on_both_backends!(
    stage_one_through_the_pages,
    stage_two_through_the_pages,
    the_pages_cost_a_few_statements,
);

const PAGE: &str = "/verwaltung/mail/missbrauch";
const REASON: &str = "Verdacht auf Massenversand an externe Domains";

/// The school's calendar day today, `back` days ago, as the form sends it.
fn day(app: &App, back: u64) -> String {
    let today: NaiveDate = app
        .platform
        .now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    (today - Days::new(back)).format("%Y-%m-%d").to_string()
}

/// Mail of the teacher with outside: one to gmx.de, two from evil.example.
async fn traffic(app: &App) {
    let t = app.ready("lehrer").await;
    let (ta, addr) = (actor(app, &t).await, mail_of(app, &t).await);
    let raw = |from: &str, to: &str, subject: &str| {
        format!("From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nText\r\n").into_bytes()
    };
    let out = raw(&addr, "freund@gmx.de", "Geheim privat");
    app.platform
        .mail_submit(&ta, &addr, &["freund@gmx.de".into()], &out)
        .await
        .expect("out");
    for n in 0..2 {
        let rcpt = app.platform.mail_inbound_rcpt(&addr).await.expect("rcpt");
        let raw = raw("werbung@evil.example", &addr, &format!("Angebot {n}"));
        app.platform
            .mail_deliver_inbound("werbung@evil.example", &[rcpt], &raw)
            .await
            .expect("in");
    }
}

/// The Schulleitung asks for stage 1 through the page; returns the case id.
async fn ask(app: &App, sl: &str) -> String {
    let form = [
        ("grund", REASON),
        ("von", &day(app, 7)),
        ("bis", &day(app, 0)),
    ];
    let r = app.post(PAGE, sl, &form).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{PAGE}?ok=abuse_requested"));
    let sa = actor(app, sl).await;
    let cases = app.platform.mail_abuse_cases(&sa).await.expect("cases");
    cases
        .iter()
        .find(|c| c.stage == 1 && c.state == "requested")
        .expect("case")
        .id
        .to_string()
}

/// The officer decides on the console.
async fn decide(app: &App, op: &str, id: &str, what: &str, reason: &str) -> Resp {
    let form = [("entscheidung", what), ("begruendung", reason)];
    app.post(&format!("/betrieb/missbrauch/100000/{id}"), op, &form)
        .await
}

/// A second school's admin, logged in.
async fn admin_of_another_school(app: &App) -> String {
    app.platform
        .system_create_school("200000", "Goethe-Gymnasium")
        .await
        .expect("school");
    app.platform
        .system_set_password("200000", "admin", Some("admin-passwort-b"))
        .await
        .expect("password");
    let form = [
        ("schule", "200000"),
        ("login", "admin"),
        ("passwort", "admin-passwort-b"),
    ];
    let r = app.post("/anmelden", "", &form).await;
    r.assert(StatusCode::SEE_OTHER);
    let cookie = r.cookie(schulhof_front::SESSION_COOKIE).expect("cookie");
    let consent = [("antwort", "annehmen"), ("datenschutz", "ja")];
    app.post("/zustimmung", &cookie, &consent)
        .await
        .assert(StatusCode::SEE_OTHER);
    cookie
}

async fn stage_one_through_the_pages(app: App) {
    traffic(&app).await;
    let (sl, t) = (app.ready("schulleitung").await, app.ready("lehrer").await);
    let admin = app.ready("admin").await;
    app.get(PAGE, &sl)
        .await
        .assert(StatusCode::OK)
        .has("name=\"grund\"")
        .has("Es gibt noch keinen Antrag.")
        .has("href=\"/verwaltung/mail/missbrauch\"");
    for other in [&t, &admin] {
        app.get(PAGE, other).await.assert(StatusCode::FORBIDDEN);
        let form = [
            ("grund", REASON),
            ("von", &day(&app, 1)),
            ("bis", &day(&app, 0)),
        ];
        app.post(PAGE, other, &form)
            .await
            .assert(StatusCode::FORBIDDEN);
    }
    // A short reason, a period before the kept days or no period: nothing is asked.
    let bad = [
        [
            ("grund", "Verdacht"),
            ("von", &day(&app, 1)),
            ("bis", &day(&app, 0)),
        ],
        [
            ("grund", REASON),
            ("von", &day(&app, 10)),
            ("bis", &day(&app, 0)),
        ],
        [("grund", REASON), ("von", ""), ("bis", &day(&app, 0))],
    ];
    for form in bad {
        app.post(PAGE, &sl, &form)
            .await
            .assert(StatusCode::UNPROCESSABLE_ENTITY)
            .lacks("[?]");
    }
    app.get(PAGE, &sl).await.has("Es gibt noch keinen Antrag.");
    let id = ask(&app, &sl).await;
    let results = format!("{PAGE}/{id}");
    app.get(PAGE, &sl)
        .await
        .has(REASON)
        .has("Wartet auf den Datenschutzbeauftragten")
        .lacks(&results);
    app.get(&results, &sl).await.assert(StatusCode::NOT_FOUND);
    // Only the data-protection officer decides, and only with a reason.
    let (root, dpo) = (
        operator_cookie(&app).await,
        operator_login(&app, "dsb.betrieb", "dpo").await,
    );
    app.get("/betrieb/missbrauch", &root)
        .await
        .assert(StatusCode::FORBIDDEN);
    decide(
        &app,
        &root,
        &id,
        "zustimmen",
        "Begründet und verhältnismäßig",
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    app.get("/betrieb/", &dpo)
        .await
        .has("href=\"/betrieb/missbrauch\"");
    app.get("/betrieb/missbrauch", &dpo)
        .await
        .assert(StatusCode::OK)
        .has(REASON)
        .has("100000")
        .has("name=\"begruendung\"");
    decide(&app, &dpo, &id, "zustimmen", "kurz")
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY);
    app.get(&results, &sl).await.assert(StatusCode::NOT_FOUND);
    let r = decide(
        &app,
        &dpo,
        &id,
        "zustimmen",
        "Begründet und verhältnismäßig",
    )
    .await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/betrieb/missbrauch?ok=abuse_approved");
    decide(&app, &dpo, &id, "ablehnen", "Doch nicht, zu spät")
        .await
        .assert(StatusCode::CONFLICT);
    app.get("/betrieb/missbrauch", &dpo)
        .await
        .has("Kein Antrag wartet")
        .lacks(REASON);
    app.get("/betrieb/protokoll", &root)
        .await
        .has("mail.abuse.decide")
        .has("Begründet und verhältnismäßig");
    // The analysis: counts per external domain, day and direction; nobody named. The
    // officer's reason stands beside the decision.
    app.get(PAGE, &sl)
        .await
        .has("Genehmigt")
        .has(&results)
        .has("Begründung des Datenschutzbeauftragten")
        .has("Begründet und verhältnismäßig");
    app.get("/benachrichtigungen", &sl)
        .await
        .has("Der Datenschutzbeauftragte hat über Ihren Antrag zur Missbrauchskontrolle (Stufe 1) entschieden.");
    let page = app.get(&results, &sl).await;
    page.assert(StatusCode::OK)
        .has("<code>gmx.de</code>")
        .has("<code>evil.example</code>")
        .has("data-count=\"messages\">2<")
        .has("data-total=\"messages\">3<")
        .lacks("freund")
        .lacks("werbung")
        // The teacher is named nowhere ("lehrer" is also the account type of the notice's
        // circle, so the address and the name are what must be missing).
        .lacks(&mail_of(&app, &t).await)
        .lacks("Lehmann")
        .lacks("Geheim")
        .lacks("Angebot");
    app.get(&results, &format!("{sl}; lang=en"))
        .await
        .has("Domain analysis")
        .has("incoming")
        .lacks("[?]");
    // The next step: a general notice to a circle of users, never to one person.
    let notice = format!("{results}/hinweis");
    let words = "Die dienstliche E-Mail ist nur für dienstliche Zwecke zu nutzen.";
    page_has_form(&app, &results, &sl).await;
    let one = [("kreis", "schueler"), ("hinweis", words)];
    app.post(&notice, &sl, &one)
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("nie an eine");
    app.post(
        &notice,
        &t,
        &[
            ("kreis", "lehrer"),
            ("kreis", "personal"),
            ("hinweis", words),
        ],
    )
    .await
    .assert(StatusCode::NOT_FOUND);
    let circle = [
        ("kreis", "lehrer"),
        ("kreis", "personal"),
        ("hinweis", words),
    ];
    let r = app.post(&notice, &sl, &circle).await;
    r.assert(StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("{results}?ok=abuse_noticed"));
    app.get(&results, &sl)
        .await
        .has("Der allgemeine Hinweis ist gegeben am")
        .lacks("name=\"kreis\"");
    app.post(&notice, &sl, &circle)
        .await
        .assert(StatusCode::CONFLICT);
    let told = "Allgemeiner Hinweis der Schulleitung zur Nutzung der dienstlichen E-Mail";
    for who in ["lehrer", "personal"] {
        let c = app.ready(who).await;
        app.get("/benachrichtigungen", &c)
            .await
            .has(told)
            .has(words);
    }
    let pupil = app.ready("schueler").await;
    app.get("/benachrichtigungen", &pupil).await.lacks(told);
    // Nobody else sees it: not the teacher, the admin, nor another school's admin.
    let other = admin_of_another_school(&app).await;
    for who in [&t, &admin, &other] {
        app.get(&results, who).await.assert(StatusCode::NOT_FOUND);
    }
    app.post(&format!("{results}/abschliessen"), &other, &[])
        .await
        .assert(StatusCode::FORBIDDEN);
    let r = app.post(&format!("{results}/abschliessen"), &sl, &[]).await;
    assert_eq!(r.location(), format!("{PAGE}?ok=abuse_closed"));
    app.get(&results, &sl).await.assert(StatusCode::NOT_FOUND);
    app.get(PAGE, &sl).await.has("Abgeschlossen");
}

/// The analysis offers the general notice: the circle's account types and the text.
async fn page_has_form(app: &App, results: &str, sl: &str) {
    app.get(results, sl)
        .await
        .has("Allgemeiner Hinweis an den betroffenen Kreis")
        .has("name=\"kreis\" value=\"lehrer\"")
        .has("name=\"hinweis\"");
}

async fn stage_two_through_the_pages(app: App) {
    traffic(&app).await;
    let (sl, admin) = (app.ready("schulleitung").await, app.ready("admin").await);
    let (t, council) = (app.ready("lehrer").await, app.ready("personal").await);
    app.get(PAGE, &sl)
        .await
        .has("Stufe 2 setzt eine genehmigte Domänenanalyse, den allgemeinen Hinweis");
    let first = ask(&app, &sl).await;
    let dpo = operator_login(&app, "dsb.betrieb", "dpo").await;
    decide(
        &app,
        &dpo,
        &first,
        "zustimmen",
        "Begründet und verhältnismäßig",
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.post(
        "/mail/einsicht/personalvertretung",
        &admin,
        &[("login", "personal"), ("aktion", "eintragen")],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let purpose = "Auffällig viele Nachrichten an evil.example";
    let ask2 = |fall: &str, konten: &'static str| {
        let (from, until) = (day(&app, 2), day(&app, 0));
        let (fall, sl, app) = (fall.to_owned(), sl.clone(), &app);
        async move {
            let form = [
                ("fall", fall.as_str()),
                ("zweck", purpose),
                ("konten", konten),
                ("von", &from),
                ("bis", &until),
            ];
            app.post(&format!("{PAGE}/stufe2"), &sl, &form).await
        }
    };
    // Approved, but the affected circle has not had the general notice yet: the form is
    // not offered, and asking anyway is refused with the reason.
    app.get(PAGE, &sl)
        .await
        .has("danach eine weitere, genehmigte Domänenanalyse voraus")
        .lacks("name=\"folgt\"")
        .lacks("name=\"konten\"");
    let refused_two = "Stufe 2 folgt nur einer weiteren Domänenanalyse, die nach dem allgemeinen Hinweis an den betroffenen Kreis genehmigt wurde";
    ask2(&first, "lehrer")
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(refused_two);
    app.get(PAGE, &sl)
        .await
        .lacks("Wartet auf die Personalvertretung");
    let circle = [
        ("kreis", "lehrer"),
        ("kreis", "personal"),
        (
            "hinweis",
            "Die dienstliche E-Mail ist nur für dienstliche Zwecke zu nutzen.",
        ),
    ];
    app.post(&format!("{PAGE}/{first}/hinweis"), &sl, &circle)
        .await
        .assert(StatusCode::SEE_OTHER);
    // The notice alone does not open stage 2: the page says that a further analysis must
    // come first and offers it; asking anyway is refused and stores nothing.
    app.get(PAGE, &sl)
        .await
        .has("beantragen Sie zuerst oben eine weitere Domänenanalyse")
        .has("name=\"folgt\"")
        .has(&format!("<option value=\"{first}\">"))
        .lacks("name=\"konten\"");
    ask2(&first, "lehrer")
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(refused_two);
    let sa = actor(&app, &sl).await;
    let count = || async {
        app.platform
            .mail_abuse_cases(&sa)
            .await
            .expect("cases")
            .len()
    };
    assert_eq!(count().await, 1);
    let further_form = [
        ("grund", "Der Verdacht besteht nach dem Hinweis fort"),
        ("von", &day(&app, 7)),
        ("bis", &day(&app, 0)),
        ("folgt", first.as_str()),
    ];
    app.post(PAGE, &sl, &further_form)
        .await
        .assert(StatusCode::SEE_OTHER);
    let cases = app.platform.mail_abuse_cases(&sa).await.expect("cases");
    let further = cases
        .iter()
        .find(|c| c.follows.is_some())
        .expect("further analysis");
    // It covers only the time after the notice.
    let noticed = cases
        .iter()
        .find(|c| c.id.to_string() == first)
        .expect("first");
    assert_eq!(Some(further.from), noticed.notice_at);
    let further = further.id.to_string();
    app.get(PAGE, &sl)
        .await
        .has("1 (weitere Analyse)")
        .lacks("name=\"konten\"");
    app.get("/betrieb/missbrauch", &dpo)
        .await
        .has("(weitere Analyse)");
    decide(
        &app,
        &dpo,
        &further,
        "zustimmen",
        "Verdacht besteht fort, genehmigt",
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(PAGE, &sl)
        .await
        .has("name=\"konten\"")
        .has(&format!("<option value=\"{further}\">"));
    // The first analysis still opens no stage 2.
    ask2(&first, "lehrer")
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY);
    // No scope, or someone not of the school: nothing is asked.
    for konten in ["", "niemand.da"] {
        ask2(&further, konten)
            .await
            .assert(StatusCode::UNPROCESSABLE_ENTITY)
            .lacks("[?]");
    }
    assert_eq!(count().await, 2);
    ask2(&further, "lehrer").await.assert(StatusCode::SEE_OTHER);
    // The council is told that a case waits for it; the page it leads to lists the case.
    let asked =
        "Eine Missbrauchskontrolle (Stufe 2) wartet auf die Beteiligung der Personalvertretung.";
    app.get("/benachrichtigungen", &council).await.has(asked);
    app.get("/benachrichtigungen", &format!("{council}; lang=en"))
        .await
        .has("An abuse check (stage 2) is waiting for the staff council to take part.")
        .lacks("[?]");
    for who in [&t, &sl, &admin] {
        app.get("/benachrichtigungen", who).await.lacks(asked);
    }
    app.get(PAGE, &sl)
        .await
        .has("Wartet auf die Personalvertretung")
        .has("(Konten: 1)");
    // Not yet for the officer: first the staff council, never the holder of the account.
    app.get("/betrieb/missbrauch", &dpo).await.lacks(purpose);
    let waiting = "/verwaltung/mail/missbrauch/beteiligung";
    app.get(waiting, &t).await.assert(StatusCode::FORBIDDEN);
    let page = app.get(waiting, &council).await;
    page.assert(StatusCode::OK)
        .has(purpose)
        .has("<code>lehrer</code>");
    let id = page
        .body
        .split(&format!("{waiting}/"))
        .nth(1)
        .expect("join form")
        .chars()
        .take(36)
        .collect::<String>();
    app.post(&format!("{waiting}/{id}"), &t, &[])
        .await
        .assert(StatusCode::FORBIDDEN);
    app.post(&format!("{waiting}/{id}"), &council, &[])
        .await
        .assert(StatusCode::SEE_OTHER);
    app.get(waiting, &council).await.lacks(purpose);
    let data = format!("{PAGE}/stufe2/{id}");
    app.get(&data, &sl).await.assert(StatusCode::NOT_FOUND);
    app.get("/betrieb/missbrauch", &dpo)
        .await
        .has(purpose)
        .has("data-accounts=\"1\"");
    decide(
        &app,
        &dpo,
        &id,
        "zustimmen",
        "Umfang <i>und</i> Zeitraum angemessen & begründet",
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    // The school reads the officer's reason, as text.
    app.get(PAGE, &sl)
        .await
        .has("Umfang &#60;i&#62;und&#60;/i&#62; Zeitraum angemessen &#38; begründet")
        .lacks("<i>und</i>");
    // Approved: the person-specific traffic data of the scope, to the Schulleitung only.
    app.get(&data, &sl)
        .await
        .assert(StatusCode::OK)
        .has("<code>lehrer</code>")
        .has("freund@gmx.de")
        .has("Geheim privat");
    for who in [&admin, &council, &t] {
        app.get(&data, who).await.assert(StatusCode::NOT_FOUND);
    }
    // Closing takes the written result for each person concerned, on the data page.
    app.get(&data, &sl)
        .await
        .has("name=\"ergebnis:lehrer\"")
        .has("Ergebnis der Auswertung für <code>lehrer</code>");
    app.get(PAGE, &sl)
        .await
        .lacks(&format!("action=\"{data}/abschliessen\""));
    app.post(&format!("{data}/abschliessen"), &sl, &[])
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("für lehrer ist ein schriftliches Ergebnis der Auswertung mit 10 bis 2000 Zeichen nötig");
    app.post(
        &format!("{data}/abschliessen"),
        &sl,
        &[("ergebnis:lehrer", "kurz")],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY);
    app.get(&data, &sl).await.assert(StatusCode::OK);
    let result = "Kein Verstoß festgestellt; die Werbung kam ungefragt.";
    let r = app
        .post(
            &format!("{data}/abschliessen"),
            &sl,
            &[("ergebnis:lehrer", result)],
        )
        .await;
    assert_eq!(r.location(), format!("{PAGE}?ok=abuse_scope_closed"));
    app.get(&data, &sl).await.assert(StatusCode::NOT_FOUND);
    // The person concerned got the written notice, as a notice about the account, with
    // the way to answer the Schulleitung in writing.
    let told = "Im Rahmen einer Missbrauchskontrolle (Nutzungsbedingungen 7, Stufe 2)";
    let notes = app.get("/benachrichtigungen", &t).await;
    notes
        .has(told)
        .has(purpose)
        .has(&format!("Ergebnis der Auswertung: {result}"));
    // Its own address (which marks it read) leads to a reply to the Schulleitung.
    let note = notes
        .body
        .split("href=\"/benachrichtigungen/")
        .skip(1)
        .find(|s| {
            s.split("</a>")
                .next()
                .is_some_and(|text| text.contains(told))
        })
        .and_then(|s| s.split('"').next())
        .expect("the notice's link")
        .to_owned();
    let opened = app.get(&format!("/benachrichtigungen/{note}"), &t).await;
    assert!(
        opened.location().starts_with("/mail/neu?an=schulleitung"),
        "{}",
        opened.location()
    );
    app.get("/benachrichtigungen", &format!("{t}; lang=en"))
        .await
        .has("During an abuse check (terms of use 7, stage 2)")
        .has(&format!("Result of the evaluation: {result}"))
        .lacks("[?]");
    for who in [&sl, &council, &admin] {
        app.get("/benachrichtigungen", who).await.lacks(told);
    }
}

/// The overview and the officer's list cost a few statements, not one per line beyond the
/// open stage-2 cases.
async fn the_pages_cost_a_few_statements(app: App) {
    use super::statements::{install, statements_of};
    if !install() {
        return;
    }
    let sl = app.ready("schulleitung").await;
    let dpo = operator_login(&app, "dsb.betrieb", "dpo").await;
    let _ = ask(&app, &sl).await;
    let few = statements_of(&app, PAGE, &sl).await;
    let few_op = statements_of(&app, "/betrieb/missbrauch", &dpo).await;
    for _ in 0..5 {
        let _ = ask(&app, &sl).await;
    }
    assert_eq!(statements_of(&app, PAGE, &sl).await, few);
    assert_eq!(
        statements_of(&app, "/betrieb/missbrauch", &dpo).await,
        few_op
    );
    assert!(few <= 6, "overview: {few} statements");
    assert!(few_op <= 4, "officer's list: {few_op} statements");
}
