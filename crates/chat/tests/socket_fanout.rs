//! Live delivery to many sockets of one room, on SQLite and PostgreSQL: a message is read
//! once per node however many of its sockets are in the room (counted in statements), a
//! pupil's message held for quiet hours reaches only its author's tabs, and a member who
//! left the room gets nothing further.

mod support;

use chrono::{Timelike, Utc};
use schulhof_domain::Db;
use schulhof_domain::chat::RoomId;
use schulhof_store::backend_tests;
use schulhof_store::testing::statements;
use serde_json::{Value, json};
use support::*;

/// Messages frames of `room` until one holds message `seq`.
async fn until_seq(ws: &mut Ws, room: &str, seq: i64) {
    loop {
        let v = next_of(ws, "messages").await;
        if v["room"] == room && seqs(&v).contains(&seq) {
            return;
        }
    }
}

fn seqs(v: &Value) -> Vec<i64> {
    v["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["seq"].as_i64().expect("seq"))
        .collect()
}

fn texts(v: &Value) -> Vec<String> {
    v["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["text"].as_str().expect("text").to_owned())
        .collect()
}

async fn one_read_per_message_however_many_sockets(db: Db) {
    let counting = statements::install();
    let h = start(db).await;
    let room = h.room("anna", "5a").await;
    let mut sockets = vec![h.socket("anna").await];
    let mut cost = Vec::new();
    for round in 0..2 {
        if round == 1 {
            for who in ["anna", "ben", "lehrer"] {
                sockets.push(h.socket(who).await);
            }
        }
        // A first message warms what is read once (the school's key, the room's members).
        let warm = h.post("lehrer", &room, "Guten Morgen").await;
        for ws in &mut sockets {
            until_seq(ws, &room, warm).await;
        }
        let before = statements::so_far();
        let seq = h.post("lehrer", &room, "Heute Vokabeltest").await;
        for ws in &mut sockets {
            until_seq(ws, &room, seq).await;
        }
        cost.push(statements::so_far() - before);
    }
    if counting {
        assert_eq!(cost[0], cost[1], "four sockets cost what one costs");
    }
}

async fn held_messages_reach_only_their_author(db: Db) {
    let h = start(db).await;
    let room = h.room("anna", "5a").await;
    let id = RoomId(room.parse().expect("uuid"));
    // Quiet hours around now in any time zone from UTC-3 to UTC+6 (the school's is Berlin).
    let hour = Utc::now().hour();
    let (from, to) = (
        format!("{:02}:00", (hour + 21) % 24),
        format!("{:02}:00", (hour + 6) % 24),
    );
    let lehrer = h.actor("lehrer").await;
    h.platform
        .chat_set_quiet(&lehrer, id, &from, &to)
        .await
        .expect("quiet");
    let mut anna = h.socket("anna").await;
    let mut anna2 = h.socket("anna").await;
    let mut ben = h.socket("ben").await;
    let mut teacher = h.socket("lehrer").await;
    send(
        &mut anna,
        json!({"type": "send", "room": room, "text": "Ich habe eine Frage", "ref": "q"}),
    )
    .await;
    let held = next_of(&mut anna, "sent").await["seq"]
        .as_i64()
        .expect("seq");
    let v = next_of(&mut anna2, "messages").await;
    assert_eq!(seqs(&v), [held], "the author's other tab");
    assert!(!v["messages"][0]["pending_until"].is_null());
    assert_eq!(v["messages"][0]["mine"], true);
    let answer = h.post("lehrer", &room, "Antwort morgen").await;
    for ws in [&mut ben, &mut teacher] {
        let v = next_of(ws, "messages").await;
        assert_eq!(texts(&v), ["Antwort morgen"], "nothing held: {v}");
        assert_eq!(v["seq"], answer);
    }
}

async fn a_member_who_left_gets_nothing_further(db: Db) {
    let h = start(db).await;
    let room = h.room("anna", "5a").await;
    let mut anna = h.socket("anna").await;
    let mut ben = h.socket("ben").await;
    let before = h.post("lehrer", &room, "Für alle").await;
    until_seq(&mut anna, &room, before).await;
    until_seq(&mut ben, &room, before).await;
    let admin = h.admin().await;
    let ben_actor = h.actor("ben").await;
    let class = ben_actor
        .groups
        .iter()
        .find(|g| g.name == "5a")
        .expect("5a")
        .id;
    h.platform
        .set_membership(&admin, class, "ben", false)
        .await
        .expect("leave");
    let after = h.post("lehrer", &room, "Nur noch für die Klasse").await;
    until_seq(&mut anna, &room, after).await;
    // Ben's session has had its wake-up for the message by now; it answered nothing.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    send(&mut ben, json!({"type": "ping"})).await;
    loop {
        let v = next_json(&mut ben).await.expect("frame");
        assert_ne!(v["type"], "messages", "after leaving: {v}");
        if v["type"] == "pong" {
            break;
        }
    }
    // Resuming the room is answered as for any room one may not see.
    send(
        &mut ben,
        json!({"type": "resume", "room": room, "after": before}),
    )
    .await;
    let e = next_of(&mut ben, "error").await;
    assert_eq!(e["code"], "not_found");
}

/// Clients without a socket poll `GET …/messages?after=`: they share the node's read of
/// the change as sockets do (the second and third poller cost only their session), the
/// answer's `seq` is the next cursor, a newer message is never hidden by a shared read,
/// and a room one may not see stays 404.
async fn pollers_share_one_read_per_change(db: Db) {
    let counting = statements::install();
    let h = start(db).await;
    let room = h.room("anna", "5a").await;
    let pollers = ["anna", "ben", "lehrer"];
    for who in pollers {
        let (status, _) = h
            .http(Some(who), "GET", &format!("/api/v1/chat/rooms/{room}"), "")
            .await;
        assert_eq!(status, 200);
    }
    h.post("lehrer", &room, "Guten Morgen").await;
    let seq = h.post("lehrer", &room, "Heute Vokabeltest").await;
    let path = format!("/api/v1/chat/rooms/{room}/messages?after={}", seq - 1);
    let mut cost = Vec::new();
    for who in pollers {
        let before = statements::so_far();
        let (status, v) = h.http(Some(who), "GET", &path, "").await;
        cost.push(statements::so_far() - before);
        assert_eq!(status, 200, "{v}");
        assert_eq!(texts(&v), ["Heute Vokabeltest"]);
        assert_eq!(
            (v["seq"].as_i64(), v["more"].as_bool()),
            (Some(seq), Some(false))
        );
        assert_eq!(v["messages"][0]["mine"], who == "lehrer");
    }
    if counting {
        assert_eq!(cost[1], cost[2], "{cost:?}");
        assert!(cost[0] >= cost[1] + 3, "the read is made once: {cost:?}");
    }
    let next = h.post("ben", &room, "Ich bin da").await;
    let (_, v) = h.http(Some("anna"), "GET", &path, "").await;
    assert_eq!(texts(&v), ["Heute Vokabeltest", "Ich bin da"]);
    assert_eq!(v["seq"].as_i64(), Some(next));
    let (status, v) = h.http(Some("carla"), "GET", &path, "").await;
    assert_eq!((status, v["error"].as_str()), (404, Some("not_found")));
}

backend_tests!(
    one_read_per_message_however_many_sockets,
    held_messages_reach_only_their_author,
    a_member_who_left_gets_nothing_further,
    pollers_share_one_read_per_change,
);
