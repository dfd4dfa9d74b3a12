//! Changing and deleting events through the router, without JavaScript: the edit form shows
//! the stored values, "this and following" splits a weekly series across the end of
//! daylight saving time, "only this" and deletions with a choice, a stale form is refused,
//! others cannot; and the month view of a teacher in 30 groups costs a few statements.

use axum::http::StatusCode;
use schulhof_domain::calendar::{CalendarKind, Instance, TimeRange};
use schulhof_domain::identity::Actor;

use super::statements::{self, statements_of};
use super::{App, app, app_on_postgres};

const BERLIN: chrono_tz::Tz = chrono_tz::Europe::Berlin;

async fn actor(app: &App, cookie: &str) -> Actor {
    let value = cookie.split_once('=').map_or(cookie, |(_, v)| v);
    app.platform.session(value).await.expect("session").actor
}

async fn autumn(app: &App, a: &Actor) -> Vec<Instance> {
    let utc = |m, d| {
        chrono::NaiveDate::from_ymd_opt(2026, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("day")
            .and_utc()
    };
    let r = TimeRange {
        start: utc(9, 1),
        end: utc(12, 31),
    };
    app.platform
        .calendar_instances(a, None, r)
        .await
        .expect("instances")
        .into_iter()
        .filter(|i| i.summary.starts_with("AG"))
        .collect()
}

fn local(i: &Instance) -> String {
    i.start
        .with_timezone(&BERLIN)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The value of `name="…" value="…"` in a page.
fn value_of(body: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    body.split(&key)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

async fn editing_a_series(app: App) {
    let t = app.ready("lehrer").await;
    let a = actor(&app, &t).await;
    let own = app.platform.calendar_personal(&a).await.expect("own");
    let cal = own.id.to_string();
    // Thursdays 09:00 from 1 October, 8 times; DST ends on 25 October.
    let form = [
        ("kalender", cal.as_str()),
        ("titel", "AG Robotik"),
        ("ort", "Raum 7"),
        ("beginn_datum", "2026-10-01"),
        ("beginn_zeit", "09:00"),
        ("ende_datum", "2026-10-01"),
        ("ende_zeit", "10:00"),
        ("wiederholung", "woechentlich"),
        ("serienende", "anzahl"),
        ("anzahl", "8"),
    ];
    app.post("/kalender/termin/neu", &t, &form)
        .await
        .assert(StatusCode::SEE_OTHER);
    let v = autumn(&app, &a).await;
    assert_eq!(v.len(), 8);
    // The views link each date of the series by its start; the week view shows the place.
    let week = app
        .get("/kalender?ansicht=woche&datum=2026-11-05", &t)
        .await;
    week.assert(StatusCode::OK).has("Raum 7");
    let nov5 = &v[5];
    let link = format!(
        "/kalender/{cal}/termin/{}?vorkommen={}",
        crate::url::encode(&nov5.href),
        nov5.start.timestamp_micros()
    );
    let page = app.get(&link, &t).await;
    page.assert(StatusCode::OK)
        .has("Raum 7")
        .has("/bearbeiten?vorkommen=");
    let edit = format!(
        "/kalender/{cal}/termin/{}/bearbeiten",
        crate::url::encode(&nov5.href)
    );
    let q = format!("?vorkommen={}", nov5.start.timestamp_micros());
    let f = app.get(&format!("{edit}{q}"), &t).await;
    f.assert(StatusCode::OK)
        .has("value=\"AG Robotik\"")
        .has("value=\"2026-11-05\"")
        .has("value=\"09:00\"")
        .has("name=\"umfang\"");
    let etag = value_of(&f.body, "etag");
    let at = nov5.start.timestamp_micros().to_string();
    let changed = [
        ("kalender", cal.as_str()),
        ("titel", "AG Robotik neu"),
        ("ort", "Raum 3"),
        ("beginn_datum", "2026-11-05"),
        ("beginn_zeit", "10:00"),
        ("ende_datum", "2026-11-05"),
        ("ende_zeit", "11:00"),
        ("wiederholung", "woechentlich"),
        ("serienende", "anzahl"),
        ("anzahl", "3"),
        ("umfang", "folgende"),
        ("vorkommen", at.as_str()),
        ("etag", etag.as_str()),
    ];
    // A student does not even see the teacher's calendar.
    let s = app.ready("schueler").await;
    app.post(&edit, &s, &changed)
        .await
        .assert(StatusCode::NOT_FOUND);
    app.post(&edit, &t, &changed)
        .await
        .assert(StatusCode::SEE_OTHER);
    let got: Vec<String> = autumn(&app, &a).await.iter().map(local).collect();
    assert_eq!(
        got,
        [
            "2026-10-01 09:00",
            "2026-10-08 09:00",
            "2026-10-15 09:00",
            "2026-10-22 09:00",
            "2026-10-29 09:00",
            "2026-11-05 10:00",
            "2026-11-12 10:00",
            "2026-11-19 10:00",
        ]
    );
    // The same form again: its ETag is stale now, nothing changes.
    let again = app.post(&edit, &t, &changed).await;
    again.assert(StatusCode::PRECONDITION_FAILED);
    assert_eq!(autumn(&app, &a).await.len(), 8);
    // Deleting only 15 October (a choice on the page), then 8 October and all after it in
    // the old series.
    let v = autumn(&app, &a).await;
    let del = format!(
        "/kalender/{cal}/termin/{}/loeschen",
        crate::url::encode(&v[2].href)
    );
    let ask = app
        .get(
            &format!("{del}?vorkommen={}", v[2].start.timestamp_micros()),
            &t,
        )
        .await;
    ask.assert(StatusCode::OK).has("name=\"umfang\"");
    let oct15 = v[2].start.timestamp_micros().to_string();
    app.post(&del, &t, &[("umfang", "diesen"), ("vorkommen", &oct15)])
        .await
        .assert(StatusCode::SEE_OTHER);
    let oct8 = v[1].start.timestamp_micros().to_string();
    app.post(&del, &t, &[("umfang", "folgende"), ("vorkommen", &oct8)])
        .await
        .assert(StatusCode::SEE_OTHER);
    let got: Vec<String> = autumn(&app, &a).await.iter().map(local).collect();
    assert_eq!(
        got,
        [
            "2026-10-01 09:00",
            "2026-11-05 10:00",
            "2026-11-12 10:00",
            "2026-11-19 10:00",
        ]
    );
}

#[tokio::test]
async fn editing_a_series_on_sqlite() {
    editing_a_series(app().await).await;
}

#[tokio::test]
async fn editing_a_series_on_postgres() {
    editing_a_series(app_on_postgres().await).await;
}

/// Makes the teacher a member of the groups `AG {from}`..`AG {to}` and enters two events
/// (one single, one weekly) in each group calendar today; the teacher's fresh session.
async fn groups_with_events(app: &App, from: usize, to: usize) -> String {
    let admin_cookie = app.ready("admin").await;
    let admin = actor(app, &admin_cookie).await;
    let mut made = Vec::new();
    for i in from..to {
        let g = app
            .platform
            .create_group(&admin, &format!("AG {i:02}"), "kurs", "")
            .await
            .expect("group");
        app.platform
            .set_membership(&admin, g, "lehrer", true)
            .await
            .expect("member");
        made.push(format!("AG {i:02}"));
    }
    let t = app.ready("lehrer").await;
    let a = actor(app, &t).await;
    let groups: Vec<_> = app
        .platform
        .calendars(&a)
        .await
        .expect("calendars")
        .into_iter()
        .filter(|c| c.kind == CalendarKind::Group && made.iter().any(|m| c.name.contains(m)))
        .collect();
    assert_eq!(groups.len(), to - from, "one calendar per new group");
    let day = app
        .platform
        .now()
        .with_timezone(&BERLIN)
        .format("%Y-%m-%d")
        .to_string();
    for c in &groups {
        let id = c.id.to_string();
        for (from, rule) in [("08:00", "keine"), ("10:00", "woechentlich")] {
            let form = [
                ("kalender", id.as_str()),
                ("titel", "Probe"),
                ("ort", "Aula"),
                ("beginn_datum", day.as_str()),
                ("beginn_zeit", from),
                ("ende_zeit", "11:00"),
                ("wiederholung", rule),
            ];
            app.post("/kalender/termin/neu", &t, &form)
                .await
                .assert(StatusCode::SEE_OTHER);
        }
    }
    t
}

/// The month view of a teacher with 3 group calendars full of events costs exactly as
/// many statements as with 30 (and a few in all): nothing is read per calendar or event.
async fn thirty_group_calendars(app: App) {
    let t = groups_with_events(&app, 0, 3).await;
    let three = statements_of(&app, "/kalender", &t).await;
    let page = app.get("/kalender", &t).await;
    page.assert(StatusCode::OK).has("AG 02");
    let t = groups_with_events(&app, 3, 30).await;
    let thirty = statements_of(&app, "/kalender", &t).await;
    let page = app.get("/kalender", &t).await;
    page.assert(StatusCode::OK).has("AG 29");
    eprintln!("statements of the month view: {three} (3 group calendars), {thirty} (30)");
    assert_eq!(three, thirty, "not one per calendar: {three} then {thirty}");
    // Session, the calendar listing, the occurrences joined to their objects, due dates.
    assert!(thirty <= 6, "a few statements, not {thirty}");
}

#[tokio::test]
async fn thirty_group_calendars_cost_a_few_statements_on_sqlite() {
    if !statements::install() {
        return;
    }
    thirty_group_calendars(app().await).await;
}

#[tokio::test]
async fn thirty_group_calendars_cost_a_few_statements_on_postgres() {
    if !statements::install() {
        return;
    }
    thirty_group_calendars(app_on_postgres().await).await;
}
