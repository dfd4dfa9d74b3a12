//! A consent change reaches a running conference at once, on SQLite and PostgreSQL: the
//! admin withdraws a pupil's video consent while she takes part; without any step of
//! hers, her grant (what the SFU forwards) loses the camera and the teacher's view shows
//! the neutral marker. Pinning (Last-N) is the viewer's own step and needs a joined socket.
//! A pupil who joins again on a second socket (a reloaded page) keeps her place and her
//! media when the first socket closes afterwards; closing the second one ends both.

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

/// A browser's publish offer as the SFU expects it: audio, camera, screen (no candidates:
/// the test only needs the connection to exist, not to carry media).
fn offer() -> String {
    let fp = (0..32)
        .map(|i| format!("{i:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let mut sdp = String::from(
        "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
         a=group:BUNDLE 0 1 2\r\na=msid-semantic: WMS\r\n",
    );
    for (mid, kind, pt, codec, ssrc) in [
        (0, "audio", 111, "opus/48000/2", 1001),
        (1, "video", 96, "VP8/90000", 1002),
        (2, "video", 96, "VP8/90000", 1003),
    ] {
        sdp.push_str(&format!(
            "m={kind} 9 UDP/TLS/RTP/SAVPF {pt}\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n\
             a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n\
             a=fingerprint:sha-256 {fp}\r\na=setup:actpass\r\na=mid:{mid}\r\na=sendonly\r\n\
             a=msid:s t{mid}\r\na=rtcp-mux\r\na=rtpmap:{pt} {codec}\r\na=ssrc:{ssrc} cname:c\r\n"
        ));
    }
    sdp
}

async fn peers() -> usize {
    let sfu = schulhof_chat::conference::engine()
        .await
        .expect("media engine");
    sfu.stats().await.expect("stats").peers
}

async fn a_late_leave_does_not_drop_a_rejoined_member(db: Db) {
    let h = start(db).await;
    let p = &h.platform;
    let admin = h.admin().await;
    let both = AvConsent {
        audio: true,
        video: true,
    };
    p.set_av_consent(&admin, "anna", both).await.expect("c");
    let room = h.room("lehrer", "5a").await;
    let op = |kind: &str| json!({"type": "conf", "room": room, "op": {"kind": kind}});
    let mut teacher = h.socket("lehrer").await;
    send(&mut teacher, op("start")).await;
    let s = next_of(&mut teacher, "conf_state").await;
    assert_eq!(s["joined"], true, "{s}");
    // Anna joins, then again on a second socket (her page reloaded) and publishes there.
    let mut old = h.socket("anna").await;
    send(&mut old, op("join")).await;
    until_anna(&mut teacher, |a| a["present"] == true).await;
    let mut new = h.socket("anna").await;
    send(&mut new, op("join")).await;
    let s = next_of(&mut new, "conf_state").await;
    assert_eq!(s["joined"], true, "{s}");
    let before = peers().await;
    let publish = json!({"type": "conf", "room": room, "op": {"kind": "publish", "sdp": offer()}});
    send(&mut new, publish).await;
    let a = next_of(&mut new, "conf_answer").await;
    assert!(
        a["sdp"].as_str().is_some_and(|s| s.contains("m=audio")),
        "{a}"
    );
    assert_eq!(peers().await, before + 1, "her media runs");
    // The first socket closes late: she stays, with her media.
    drop(old);
    for _ in 0..20 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let status = p
            .conference_status(&h.actor("lehrer").await, room.parse().expect("room"))
            .await
            .expect("status");
        let anna = status
            .live
            .expect("live")
            .participants
            .into_iter()
            .find(|x| x.name == "anna Test")
            .expect("anna");
        assert!(anna.present, "the old socket's leave put her out");
        assert!(anna.grant.video, "{anna:?}");
        assert_eq!(
            peers().await,
            before + 1,
            "the old socket's leave took her media"
        );
    }
    // The current socket's close does end her presence and her media.
    drop(new);
    until_anna(&mut teacher, |a| a["present"] == false).await;
    for _ in 0..50 {
        if peers().await == before {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("her media stayed after she left");
}

backend_tests!(
    withdrawn_consent_applies_to_a_running_conference,
    a_late_leave_does_not_drop_a_rejoined_member,
);
