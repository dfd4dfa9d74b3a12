//! Invitations through the pages, without JavaScript: the teacher invites a student on the
//! event's invitation page, the student answers on "Einladungen", the teacher sees the
//! answer; the student cannot open the teacher's invitation page.

use axum::http::StatusCode;
use schulhof_domain::calendar::Precondition;

use super::App;

async fn actor(app: &App, cookie: &str) -> schulhof_domain::identity::Actor {
    let value = cookie.split_once('=').map_or(cookie, |(_, v)| v);
    app.platform.session(value).await.expect("session").actor
}

async fn invite_answer_and_see_the_answer(app: App) {
    let t = app.ready("lehrer").await;
    let s = app.ready("schueler").await;
    let (ta, sa) = (actor(&app, &t).await, actor(&app, &s).await);
    let cal = app.platform.calendar_personal(&ta).await.expect("own").id;
    let ev = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//DE\r\nBEGIN:VEVENT\r\nUID:inv-web\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20310304T090000Z\r\nDTEND:20310304T100000Z\r\nSUMMARY:Sprechstunde\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    app.platform
        .calendar_put(&ta, cal, "inv-web.ics", ev.as_bytes(), Precondition::None)
        .await
        .expect("put");
    let page = format!("/kalender/{cal}/termin/inv-web.ics/einladen");
    app.get(&page, &t)
        .await
        .assert(StatusCode::OK)
        .has("cal-inv-wer");
    let r = app.post(&page, &t, &[("wer", sa.user.mail.as_str())]).await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(r.location().contains("ok=cal_invited"), "{}", r.location());
    // Nobody of another school or unknown: a clear refusal, nothing stored.
    let r = app
        .post(&page, &t, &[("wer", "jemand@anderswo.example")])
        .await;
    assert!(r.body.contains("jemand@anderswo.example"), "{}", r.body);

    let list = app.get("/kalender/einladungen", &s).await;
    list.assert(StatusCode::OK).has("Sprechstunde");
    let inv = app
        .platform
        .calendar_invitations(&sa)
        .await
        .expect("list")
        .remove(0);
    let cal_s = inv.calendar.to_string();
    let r = app
        .post(
            "/kalender/einladungen/antwort",
            &s,
            &[
                ("kalender", cal_s.as_str()),
                ("termin", inv.href.as_str()),
                ("antwort", "ACCEPTED"),
            ],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(r.location().contains("ok=cal_answered"), "{}", r.location());
    app.get(&page, &t)
        .await
        .assert(StatusCode::OK)
        .has("Zugesagt");
    app.get(&page, &s).await.assert(StatusCode::NOT_FOUND);
}

on_both_backends!(invite_answer_and_see_the_answer);
