//! The live sockets' shared read of a room change, on SQLite and PostgreSQL: one read per
//! change for every viewer of the node (counted in statements), and each viewer's part of
//! it decided as before: messages held for quiet hours only for their author, `mine` flags
//! per viewer, and nothing more for a member who left the room.

use crate::chat_support;
use chat_support::*;
use schulhof_domain::chat::{RoomChanges, RoomId};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;
use schulhof_store::testing::statements;

async fn changes(s: &School, a: &Actor, room: RoomId, after: i64) -> RoomChanges {
    s.platform
        .chat_changes(a, room, after, false)
        .await
        .expect("changes")
}

fn texts(c: &RoomChanges) -> Vec<&str> {
    c.messages.iter().map(|m| m.text.as_str()).collect()
}

async fn one_read_per_change_for_every_viewer(db: Db) {
    let counting = statements::install();
    let (s, _clock) = setup(db).await;
    let p = &s.platform;
    let (lena, anna, ben) = (
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("ben").await,
    );
    let class = room(&s, &lena, "5a").await;
    // The school's key is cached after its first use.
    p.chat_send(&lena, class, "Guten Morgen", None)
        .await
        .expect("send");
    changes(&s, &anna, class, 0).await;
    let mut cost = Vec::new();
    for viewers in [vec![&anna], vec![&anna, &ben, &lena]] {
        let seq = p
            .chat_send(&lena, class, "Heute Vokabeltest", None)
            .await
            .expect("send");
        let before = statements::so_far();
        for v in &viewers {
            let c = changes(&s, v, class, seq - 1).await;
            assert_eq!(texts(&c), ["Heute Vokabeltest"]);
            assert_eq!(c.upto, seq);
            assert!(!c.more);
            assert_eq!(c.messages[0].mine, v.token.user() == lena.token.user());
        }
        cost.push(statements::so_far() - before);
    }
    if counting {
        assert_eq!(cost[0], cost[1], "three viewers cost what one costs");
        assert!(cost[0] <= 4, "room, members, page, reactions: {cost:?}");
    }
}

async fn each_viewer_gets_only_its_part(db: Db) {
    let (s, _clock) = setup(db).await;
    let p = &s.platform;
    let (lena, anna, ben) = (
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("ben").await,
    );
    let class = room(&s, &lena, "5a").await;
    // 09:00 in Berlin: Anna's message waits for the end of quiet hours.
    p.chat_set_quiet(&lena, class, "08:00", "10:00")
        .await
        .expect("quiet");
    let start = room_named(&s, &lena, "5a").await.last_seq;
    let shown = p
        .chat_send(&lena, class, "Aufgabe 3", None)
        .await
        .expect("send");
    p.chat_react(&lena, class, shown, "👍", true)
        .await
        .expect("react");
    let held = p
        .chat_send(&anna, class, "Ich habe eine Frage", None)
        .await
        .expect("held");
    let for_anna = changes(&s, &anna, class, start).await;
    assert_eq!(texts(&for_anna), ["Aufgabe 3", "Ich habe eine Frage"]);
    assert!(for_anna.messages[1].mine);
    assert!(for_anna.messages[1].pending_until.is_some());
    assert!(!for_anna.messages[0].reactions[0].mine);
    for other in [&ben, &lena] {
        let c = changes(&s, other, class, start).await;
        assert_eq!(texts(&c), ["Aufgabe 3"], "held from {}", other.user.login);
        assert_eq!(c.upto, held, "the cursor passes the held message");
        assert_eq!(c.messages[0].reactions[0].count, 1);
        assert_eq!(
            c.messages[0].reactions[0].mine,
            other.token.user() == lena.token.user()
        );
    }
    // The socket's encoding (most copies shared) says the same to each of them.
    for v in [&anna, &ben, &lena] {
        let j = p
            .chat_changes_json(v, class, start, false)
            .await
            .expect("json");
        let c = changes(&s, v, class, start).await;
        let parsed: serde_json::Value = serde_json::from_str(&j.messages).expect("a JSON array");
        let expected = serde_json::to_value(&c.messages).expect("value");
        assert_eq!(parsed, expected, "for {}", v.user.login);
        assert_eq!(
            (j.count, j.upto, j.more),
            (c.messages.len(), c.upto, c.more)
        );
    }
    // Ben leaves the class: the next change is no longer his, shared read or not.
    let admin = s.admin().await;
    let group = ben.groups.iter().find(|g| g.name == "5a").expect("5a").id;
    p.set_membership(&admin, group, "ben", false)
        .await
        .expect("leave");
    let after = p
        .chat_send(&lena, class, "Nur noch für die Klasse", None)
        .await
        .expect("send");
    assert_eq!(
        texts(&changes(&s, &anna, class, after - 1).await),
        ["Nur noch für die Klasse"]
    );
    for fresh in [false, true] {
        let r = p.chat_changes(&ben, class, after - 1, fresh).await;
        assert!(
            matches!(
                r,
                Err(DomainError::NotFound)
                    | Err(DomainError::Denied(schulhof_authz::Denied::NotFound))
            ),
            "{r:?}"
        );
    }
}

/// A shared read answers later askers only while no newer change of the room was
/// committed: a poller asking with the same cursor right after a new message (or the
/// writer, right after writing) gets it, not the read made a moment before.
async fn a_shared_read_never_hides_a_newer_change(db: Db) {
    let (s, _clock) = setup(db).await;
    let p = &s.platform;
    let (lena, anna, ben) = (
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("ben").await,
    );
    let class = room(&s, &lena, "5a").await;
    let first = p
        .chat_send(&lena, class, "Erste", None)
        .await
        .expect("send");
    let cursor = first - 1;
    assert_eq!(texts(&changes(&s, &anna, class, cursor).await), ["Erste"]);
    let second = p
        .chat_send(&anna, class, "Zweite", None)
        .await
        .expect("send");
    for v in [&anna, &ben] {
        let c = changes(&s, v, class, cursor).await;
        assert_eq!(texts(&c), ["Erste", "Zweite"]);
        assert_eq!(c.upto, second);
    }
    // An edit (a new rev of an old message) counts alike.
    p.chat_edit(&lena, class, first, "Erste, berichtigt")
        .await
        .expect("edit");
    let c = changes(&s, &ben, class, cursor).await;
    assert_eq!(texts(&c), ["Zweite", "Erste, berichtigt"]);
}

backend_tests!(
    one_read_per_change_for_every_viewer,
    each_viewer_gets_only_its_part,
    a_shared_read_never_hides_a_newer_change,
);
