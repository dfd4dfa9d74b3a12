//! A consent change reaches a running conference at once, on SQLite and PostgreSQL: the
//! admin withdraws a pupil's video consent while she takes part; without any step of
//! hers, her grant (what the SFU forwards) loses the camera and the teacher's view shows
//! the neutral marker. Pinning (Last-N) is the viewer's own step and needs a joined socket.

mod support;

use schulhof_domain::Db;
use schulhof_domain::conference::AvConsent;
use schulhof_store::backend_tests;
use serde_json::{Value, json};
use support::*;

fn anna_in(state: &Value) -> Option<Value> {
    state["status"]["live"]["participants"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == "anna Test")
        .cloned()
}

/// conf_state frames until `pred` holds for Anna's entry.
async fn until_anna(ws: &mut Ws, pred: impl Fn(&Value) -> bool) -> Value {
    loop {
        let v = next_of(ws, "conf_state").await;
        if let Some(a) = anna_in(&v)
            && pred(&a)
        {
            return a;
        }
    }
}

async fn withdrawn_consent_applies_to_a_running_conference(db: Db) {
    let h = start(db).await;
    let p = &h.platform;
    let admin = p
        .login("123456", "admin", "admin-passwort-1", "127.0.0.1")
        .await
        .expect("login");
    let admin = p.session(&admin.cookie).await.expect("session").actor;
    let both = AvConsent {
        audio: true,
        video: true,
    };
    p.set_av_consent(&admin, "anna", both).await.expect("c");
    let room = h.room("lehrer", "5a").await;
    let mut teacher = h.socket("lehrer").await;
    let mut anna = h.socket("anna").await;
    let op = |kind: &str| json!({"type": "conf", "room": room, "op": {"kind": kind}});
    send(&mut teacher, op("start")).await;
    let s = next_of(&mut teacher, "conf_state").await;
    assert_eq!(s["joined"], true, "{s}");
    // Pinning needs the conference joined; then it is the viewer's own choice.
    let pin = json!({"type": "conf", "room": room, "op": {"kind": "pin", "publisher": null}});
    send(&mut anna, pin.clone()).await;
    let e = next_of(&mut anna, "error").await;
    assert_eq!(e["code"], "conference_not_joined");
    send(&mut anna, op("join")).await;
    let a = until_anna(&mut teacher, |a| a["present"] == true).await;
    assert_eq!(a["grant"]["video"], true, "{a}");
    assert_eq!(a["marker"], false);
    send(&mut anna, pin).await;
    let s = next_of(&mut anna, "conf_state").await;
    assert_eq!(s["joined"], true, "{s}");

    // The admin withdraws the video consent; Anna does nothing.
    let audio = AvConsent {
        audio: true,
        video: false,
    };
    p.set_av_consent(&admin, "anna", audio).await.expect("w");
    let a = until_anna(&mut teacher, |a| a["grant"]["video"] == false).await;
    assert_eq!(a["grant"]["audio"], true, "{a}");
    assert_eq!(a["marker"], true, "the teacher sees the neutral marker");
    let mine = until_anna(&mut anna, |a| a["grant"]["video"] == false).await;
    assert_eq!(mine["marker"], false, "a pupil never sees the marker");
}

backend_tests!(withdrawn_consent_applies_to_a_running_conference);
