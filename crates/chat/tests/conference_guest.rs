//! A guest invited by link takes part in a room's conference over the guest socket, on
//! SQLite and PostgreSQL: refused before a moderator admits them, then only the
//! conference (no chat, no history, no other room, no moderation); the teacher sees and
//! mutes them; a moderator's "remove" and a revoked link close their socket, and the
//! pass opens nothing afterwards.

mod support;

use chrono::Duration;
use schulhof_domain::chat::RoomId;
use schulhof_domain::conference::GuestPass;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;
use serde_json::{Value, json};
use support::*;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

async fn guest_socket(h: &Harness, pass: &str, origin: bool) -> Result<Ws, u16> {
    let mut req = format!("ws://{}/api/v1/conference/guest/socket", h.addr)
        .into_client_request()
        .expect("request");
    let cookie = format!("schulhof_guest={pass}");
    req.headers_mut()
        .insert("cookie", cookie.parse().expect("header"));
    let o = if origin {
        format!("http://{}", h.addr)
    } else {
        "http://evil.example".into()
    };
    req.headers_mut()
        .insert("origin", o.parse().expect("header"));
    match tokio_tungstenite::connect_async(req).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("connect: {e}"),
    }
}

fn named<'a>(state: &'a Value, name: &str) -> Option<&'a Value> {
    state["status"]["live"]["participants"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
}

/// conf_state frames until `pred` holds.
async fn until(ws: &mut Ws, pred: impl Fn(&Value) -> bool) -> Value {
    loop {
        let v = next_of(ws, "conf_state").await;
        if pred(&v) {
            return v;
        }
    }
}

/// Frames until the socket closes; its close code.
async fn closed(ws: &mut Ws) -> u64 {
    loop {
        match next_json(ws).await {
            Some(v) if v["type"] == "closed" => return v["code"].as_u64().expect("code"),
            Some(_) => continue,
            None => return 0,
        }
    }
}

async fn admitted_guests_join_only_the_conference(db: Db) {
    let h = start(db).await;
    let p = &h.platform;
    let lehrer = p.session(&h.cookies["lehrer"]).await.expect("s").actor;
    let room_s = h.room("lehrer", "5a").await;
    let room: RoomId = room_s.parse().expect("room");
    let link = p
        .conference_guest_link(&lehrer, room, Duration::hours(2))
        .await
        .expect("link");
    let meier: GuestPass = p
        .conference_guest_arrive(&link.secret, "Frau Meier")
        .await
        .expect("arrive");
    // Waiting: no socket yet; a made-up pass and a foreign page get none at all.
    assert_eq!(guest_socket(&h, &meier.pass, true).await.err(), Some(403));
    assert_eq!(guest_socket(&h, "erfunden", true).await.err(), Some(404));
    let mut teacher = h.socket("lehrer").await;
    let conf = |op: Value| json!({"type": "conf", "room": room_s, "op": op});
    send(&mut teacher, conf(json!({"kind": "start"}))).await;
    until(&mut teacher, |s| s["joined"] == true).await;
    p.conference_admit(&lehrer, room, meier.id, true)
        .await
        .expect("admit");
    assert_eq!(guest_socket(&h, &meier.pass, false).await.err(), Some(403));
    let mut guest = guest_socket(&h, &meier.pass, true).await.expect("guest");

    // Chat, history, other rooms and moderation are not a guest's.
    let other = RoomId(uuid::Uuid::now_v7()).to_string();
    for frame in [
        json!({"type": "resume", "room": room_s, "after": 0}),
        json!({"type": "send", "room": room_s, "text": "Hallo"}),
        json!({"type": "conf", "room": other, "op": {"kind": "join"}}),
        conf(json!({"kind": "end"})),
        conf(json!({"kind": "mute", "user": lehrer.token.user()})),
    ] {
        send(&mut guest, frame.clone()).await;
        let e = next_of(&mut guest, "error").await;
        assert_eq!(e["code"], "guest_forbidden", "{frame}: {e}");
    }
    assert!(
        p.chat_messages(&lehrer, room, None)
            .await
            .expect("m")
            .is_empty(),
        "nothing was written"
    );

    // The guest joins and sees who is present; the teacher sees the guest.
    send(&mut guest, conf(json!({"kind": "join"}))).await;
    let s = until(&mut guest, |s| s["joined"] == true).await;
    assert!(named(&s, "lehrer Test").is_some(), "{s}");
    let me = named(&s, "Frau Meier").expect("self");
    assert_eq!(
        (me["guest"].clone(), me["grant"]["screen"].clone()),
        (json!(true), json!(false))
    );
    let t = until(&mut teacher, |s| named(s, "Frau Meier").is_some()).await;
    let g = named(&t, "Frau Meier").expect("guest");
    assert_eq!(g["grant"]["audio"], true, "{g}");
    // Muted by the teacher: the grant loses the microphone.
    send(
        &mut teacher,
        conf(json!({"kind": "mute", "user": meier.id})),
    )
    .await;
    until(&mut teacher, |s| {
        named(s, "Frau Meier").is_some_and(|g| g["grant"]["audio"] == false)
    })
    .await;

    // A second guest is removed by the teacher: the socket closes, the pass opens nothing.
    let schulz = p
        .conference_guest_arrive(&link.secret, "Herr Schulz")
        .await
        .expect("arrive");
    p.conference_admit(&lehrer, room, schulz.id, true)
        .await
        .expect("admit");
    let mut second = guest_socket(&h, &schulz.pass, true).await.expect("second");
    send(&mut second, conf(json!({"kind": "join"}))).await;
    until(&mut second, |s| s["joined"] == true).await;
    send(
        &mut teacher,
        conf(json!({"kind": "remove", "user": schulz.id})),
    )
    .await;
    assert_eq!(closed(&mut second).await, 4403);
    assert_eq!(guest_socket(&h, &schulz.pass, true).await.err(), Some(403));

    // The teacher revokes the link: Frau Meier's socket closes and the link is gone.
    let links = p.conference_guest_links(&lehrer, room).await.expect("l");
    assert_eq!(links.len(), 1);
    p.conference_guest_revoke(&lehrer, room, link.id)
        .await
        .expect("revoke");
    assert_eq!(closed(&mut guest).await, 4404);
    assert_eq!(guest_socket(&h, &meier.pass, true).await.err(), Some(404));
    assert!(matches!(
        p.conference_guest_join(&meier.pass).await,
        Err(DomainError::NotFound)
    ));
    let status = p.conference_status(&lehrer, room).await.expect("status");
    let live = status.live.expect("still live");
    assert!(live.participants.iter().all(|p| !p.guest), "no guest left");
    assert!(
        p.conference_guest_links(&lehrer, room)
            .await
            .expect("l")
            .is_empty()
    );
}

backend_tests!(admitted_guests_join_only_the_conference);
