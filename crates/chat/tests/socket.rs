//! The chat's JSON API and live socket on SQLite and PostgreSQL: the contract (403 with a
//! stable code, 404 for rooms one may not see), live delivery to every tab, resuming after a
//! dropped socket without gap or duplicate, the upgrade's cookie and Origin checks, bad
//! frames and floods that close only their own socket, and a slow client that is dropped.

mod support;

use futures_util::SinkExt;
use schulhof_domain::Db;
use schulhof_store::backend_tests;
use serde_json::json;
use support::*;
use tokio_tungstenite::tungstenite::Message;

async fn api_contract(db: Db) {
    let h = start(db).await;
    let (status, v) = h.http(Some("anna"), "GET", "/api/v1/chat/rooms", "").await;
    assert_eq!(status, 200, "{v}");
    let room = &v["rooms"][0];
    assert_eq!(
        (
            room["name"].as_str(),
            room["kind"].as_str(),
            room["unread"].as_i64()
        ),
        (Some("5a"), Some("group"), Some(0))
    );
    let id = room["id"].as_str().expect("id").to_owned();
    let seq = h.post("lehrer", &id, "Hallo 5a").await;
    let (_, v) = h.http(Some("anna"), "GET", "/api/v1/chat/rooms", "").await;
    assert_eq!(v["rooms"][0]["unread"], 1);
    let (status, v) = h
        .http(
            Some("anna"),
            "GET",
            &format!("/api/v1/chat/rooms/{id}/messages?after=0"),
            "",
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["messages"][0]["text"], "Hallo 5a");
    assert_eq!(v["messages"][0]["seq"], seq);
    assert_eq!(v["seq"], seq);
    // A pupil of another class: the room does not exist for her.
    let path = format!("/api/v1/chat/rooms/{id}/messages");
    let (status, v) = h.http(Some("carla"), "GET", &path, "").await;
    assert_eq!((status, v["error"].as_str()), (404, Some("not_found")));
    let (status, _) = h
        .http(Some("carla"), "POST", &path, r#"{"text":"hi"}"#)
        .await;
    assert_eq!(status, 404);
    let (status, _) = h
        .http(
            Some("anna"),
            "GET",
            "/api/v1/chat/rooms/kaputt/messages",
            "",
        )
        .await;
    assert_eq!(status, 404);
    // The teacher locks the room: a pupil's write is refused with the stable code.
    let (status, _) = h
        .http(
            Some("anna"),
            "POST",
            &format!("/api/v1/chat/rooms/{id}/moderation"),
            r#"{"action":"lock"}"#,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = h
        .http(
            Some("lehrer"),
            "POST",
            &format!("/api/v1/chat/rooms/{id}/moderation"),
            r#"{"action":"lock"}"#,
        )
        .await;
    assert_eq!(status, 204);
    let (status, v) = h
        .http(Some("anna"), "POST", &path, r#"{"text":"darf ich?"}"#)
        .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (403, Some("chat_write_refused")),
        "{v}"
    );
    // Pupils do not write privately to other pupils; they do to their teacher.
    let (status, v) = h
        .http(Some("anna"), "POST", "/api/v1/chat/direct/ben", "")
        .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (403, Some("chat_write_refused"))
    );
    let (status, v) = h
        .http(Some("anna"), "POST", "/api/v1/chat/direct/lehrer", "")
        .await;
    assert_eq!(status, 200, "{v}");
    // Bad bodies and no session.
    let (status, _) = h.http(Some("lehrer"), "POST", &path, r#"{"text":"#).await;
    assert_eq!(status, 400);
    let (status, _) = h
        .http(Some("lehrer"), "POST", &path, r#"{"text":"  "}"#)
        .await;
    assert_eq!(status, 422);
    let (status, _) = h.http(None, "GET", "/api/v1/chat/rooms", "").await;
    assert_eq!(status, 401);
}

async fn live_delivery_and_resume_without_gap(db: Db) {
    let h = start(db).await;
    let room = h.room("anna", "5a").await;
    let mut tab1 = h.socket("anna").await;
    let mut tab2 = h.socket("anna").await;
    let mut teacher = h.socket("lehrer").await;
    let first = h.post("lehrer", &room, "eins").await;
    assert_eq!(collect_seqs(&mut tab1, &room, 1).await, [first]);
    assert_eq!(collect_seqs(&mut tab2, &room, 1).await, [first]);
    // A send over the socket is acknowledged and reaches the others.
    send(
        &mut tab1,
        json!({"type": "send", "room": room, "text": "zwei", "ref": "r1"}),
    )
    .await;
    let ack = next_of(&mut tab1, "sent").await;
    assert_eq!(ack["ref"], "r1");
    let second = ack["seq"].as_i64().expect("seq");
    assert_eq!(collect_seqs(&mut teacher, &room, 2).await, [first, second]);
    send(&mut teacher, json!({"type": "typing", "room": room})).await;
    let t = next_of(&mut tab2, "typing").await;
    assert_eq!(t["room"], room.as_str());
    // Tab 1 drops; three messages and an edit of an old one happen meanwhile.
    drop(tab1);
    let mut missed = Vec::new();
    for t in ["drei", "vier", "fünf"] {
        missed.push(h.post("lehrer", &room, t).await);
    }
    let (status, _) = h
        .http(
            Some("lehrer"),
            "PATCH",
            &format!("/api/v1/chat/rooms/{room}/messages/{first}"),
            r#"{"text":"eins!"}"#,
        )
        .await;
    assert_eq!(status, 204);
    let mut back = h.socket("anna").await;
    send(
        &mut back,
        json!({"type": "resume", "room": room, "after": second}),
    )
    .await;
    let v = next_of(&mut back, "messages").await;
    let got: Vec<i64> = v["messages"]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["seq"].as_i64().expect("seq"))
        .collect();
    assert_eq!(
        got,
        [missed[0], missed[1], missed[2], first],
        "each change once, in order"
    );
    assert_eq!(v["messages"][3]["text"], "eins!");
    let cursor = v["seq"].as_i64().expect("cursor");
    // Resuming again from the cursor: nothing twice.
    send(
        &mut back,
        json!({"type": "resume", "room": room, "after": cursor}),
    )
    .await;
    let v = next_of(&mut back, "messages").await;
    assert_eq!(v["messages"].as_array().map(Vec::len), Some(0));
    let sixth = h.post("lehrer", &room, "sechs").await;
    assert_eq!(collect_seqs(&mut back, &room, 1).await, [sixth]);
    // A refused write over the socket answers with the stable code and keeps the socket.
    let mut carla = h.socket("carla").await;
    send(
        &mut carla,
        json!({"type": "send", "room": room, "text": "x", "ref": "c"}),
    )
    .await;
    let e = next_of(&mut carla, "error").await;
    assert_eq!(e["code"], "not_found");
    send(&mut carla, json!({"type": "ping"})).await;
    next_of(&mut carla, "pong").await;
}

async fn upgrade_needs_session_and_same_origin(db: Db) {
    let h = start(db).await;
    let own = format!("http://{}", h.addr);
    assert!(h.connect(Some("anna"), Some(&own)).await.is_ok());
    assert_eq!(h.connect(Some("anna"), None).await.err(), Some(403));
    assert_eq!(
        h.connect(Some("anna"), Some("http://evil.example"))
            .await
            .err(),
        Some(403)
    );
    assert_eq!(h.connect(None, Some(&own)).await.err(), Some(401));
}

async fn bad_frames_close_only_their_socket(db: Db) {
    let h = start(db).await;
    let room = h.room("ben", "5a").await;
    let mut ben = h.socket("ben").await;
    let cases: Vec<(Message, u16)> = vec![
        (Message::Text("{kaputt".into()), 1007),
        (Message::Text(r#"{"type":"explode"}"#.into()), 1007),
        (
            Message::Text(
                format!(
                    r#"{{"type":"send","room":"{room}","text":"{}"}}"#,
                    "x".repeat(20_000)
                )
                .into(),
            ),
            1009,
        ),
        (Message::Binary(vec![1, 2, 3].into()), 1003),
    ];
    for (frame, code) in cases {
        let mut bad = h.socket("anna").await;
        bad.send(frame).await.expect("send");
        let v = next_of(&mut bad, "closed").await;
        assert_eq!(v["code"], code, "{v}");
        assert!(!v["reason"].as_str().unwrap_or("").is_empty());
    }
    // A flood: the burst passes, then the socket is closed.
    let mut flood = h.socket("anna").await;
    for _ in 0..100 {
        if flood
            .send(Message::Text(r#"{"type":"ping"}"#.into()))
            .await
            .is_err()
        {
            break;
        }
    }
    let v = next_of(&mut flood, "closed").await;
    assert_eq!(v["code"], 1008, "{v}");
    // Ben's socket saw nothing of it and still works.
    let seq = h.post("lehrer", &room, "alles gut").await;
    assert_eq!(collect_seqs(&mut ben, &room, 1).await, [seq]);
    send(&mut ben, json!({"type": "ping"})).await;
    next_of(&mut ben, "pong").await;
}

async fn a_client_that_does_not_read_is_dropped(db: Db) {
    let h = start(db).await;
    let room = h.room("anna", "5a").await;
    let mut slow = h.socket("anna").await;
    let lehrer = h
        .platform
        .session(&h.cookies["lehrer"])
        .await
        .expect("session")
        .actor;
    let id = room.parse().expect("room id");
    // More than loopback's socket buffers can hold (send and receive side together reach
    // ~10 MB with autotuning): ~16 MB of messages.
    let text = "x".repeat(3900);
    let total = 4000;
    for _ in 0..total {
        h.platform
            .chat_send(&lehrer, id, &text, None)
            .await
            .expect("send");
    }
    // What the kernel buffered arrives, then the socket ends before everything did.
    let mut got = 0;
    while let Some(v) = support::next_json(&mut slow).await {
        match v["type"].as_str() {
            Some("messages") => got += v["messages"].as_array().map_or(0, Vec::len),
            Some("closed") => break,
            _ => {}
        }
        if got >= total {
            break;
        }
    }
    assert!(
        got < total,
        "a client that never read got all {got} messages: nothing was dropped"
    );
    // The room and other clients are fine.
    let mut fresh = h.socket("anna").await;
    let seq = h.post("lehrer", &room, "weiter").await;
    assert_eq!(collect_seqs(&mut fresh, &room, 1).await, [seq]);
}

backend_tests!(
    api_contract,
    live_delivery_and_resume_without_gap,
    upgrade_needs_session_and_same_origin,
    bad_frames_close_only_their_socket,
    a_client_that_does_not_read_is_dropped,
);
