//! Chat on SQLite and PostgreSQL: who may write to whom (every account type), group rooms
//! that follow the groups, moderation (audited, shown in the room), resuming after a
//! sequence number without gaps or duplicates, unread counts, sealed bodies, the bus signal,
//! and isolation between schools.

use crate::calendar_support;
use std::time::Duration;

use calendar_support::*;
use schulhof_domain::chat::{Moderation, RoomId, RoomView};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

async fn room_named(s: &School, a: &Actor, name: &str) -> RoomView {
    s.platform
        .chat_rooms(a)
        .await
        .expect("rooms")
        .into_iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("{} has no room {name}", a.user.login))
}

async fn names(s: &School, a: &Actor) -> Vec<String> {
    let mut v: Vec<String> = s
        .platform
        .chat_rooms(a)
        .await
        .expect("rooms")
        .into_iter()
        .map(|r| r.name)
        .collect();
    v.sort();
    v
}

async fn texts(s: &School, a: &Actor, room: RoomId) -> Vec<String> {
    s.platform
        .chat_messages(a, room, None)
        .await
        .expect("messages")
        .into_iter()
        .map(|m| match m.notice {
            Some(n) => format!("[{n}]"),
            None => m.text,
        })
        .collect()
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, DomainError>) -> bool {
    matches!(r, Err(DomainError::Forbidden) | Err(DomainError::Denied(_)))
}

async fn who_writes_to_whom(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    // (from, to, may open a direct chat)
    let expect = [
        ("lehrer", "anna", true),
        ("lehrer", "carla", true),
        ("lehrer", "personal", true),
        ("lehrer2", "extern", true),
        ("personal", "ben", true),
        ("extern", "lehrer2", true),
        ("extern", "personal", true),
        ("extern", "anna", false),
        ("anna", "lehrer", true),
        ("anna", "lehrer2", false),
        ("anna", "ben", false),
        ("anna", "carla", false),
        ("anna", "personal", false),
        ("schulleitung", "lehrer", false),
    ];
    for (from, to, allowed) in expect {
        let a = s.user(from).await;
        let r = p.chat_open_direct(&a, to).await;
        assert_eq!(r.is_ok(), allowed, "{from} → {to}: {r:?}");
        if !allowed {
            assert!(forbidden(r), "{from} → {to}");
        }
    }
    // Once a teacher opened the chat, the student answers (a teacher of no common group).
    let lars = s.user("lehrer2").await;
    let anna = s.user("anna").await;
    let room = p.chat_open_direct(&lars, "anna").await.expect("open");
    p.chat_send(&lars, room, "Hallo Anna", None)
        .await
        .expect("teacher");
    p.chat_send(&anna, room, "Hallo!", None)
        .await
        .expect("answer");
    assert_eq!(texts(&s, &lars, room).await, ["Hallo Anna", "Hallo!"]);
    // Opening again finds the same room, from either side.
    assert_eq!(
        p.chat_open_direct(&lars, "anna").await.expect("again"),
        room
    );
    // A third person does not see it.
    let ben = s.user("ben").await;
    assert!(matches!(
        p.chat_messages(&ben, room, None).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.chat_send(&ben, room, "x", None).await,
        Err(DomainError::NotFound)
    ));
    // Group rooms: every member writes, function accounts have no chat.
    for login in ["lehrer", "personal", "extern", "anna", "ben"] {
        let a = s.user(login).await;
        let r = room_named(&s, &a, "5a").await;
        assert!(r.may_write, "{login}");
        p.chat_send(&a, r.id, &format!("von {login}"), None)
            .await
            .expect(login);
    }
    let sl = s.user("schulleitung").await;
    assert!(p.chat_rooms(&sl).await.expect("rooms").is_empty());
    // Ad-hoc rooms: teachers open them with people they may write to; students cannot.
    let lena = s.user("lehrer").await;
    let adhoc = p
        .chat_create_room(&lena, "Theater-AG", &["anna".into(), "carla".into()])
        .await
        .expect("ad-hoc");
    let carla = s.user("carla").await;
    p.chat_send(&carla, adhoc, "Ich bin dabei", None)
        .await
        .expect("invited");
    assert!(names(&s, &carla).await.contains(&"Theater-AG".to_owned()));
    assert!(forbidden(
        p.chat_create_room(&anna, "Geheim", &["ben".into()]).await
    ));
    assert!(matches!(
        p.chat_messages(&ben, adhoc, None).await,
        Err(DomainError::NotFound)
    ));
}

async fn group_rooms_follow_membership(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let anna = s.user("anna").await;
    assert_eq!(names(&s, &anna).await, ["5a", "Mathe-Kurs"]);
    let lena = s.user("lehrer").await;
    let class = room_named(&s, &lena, "5a").await.id;
    p.chat_send(&lena, class, "Willkommen", None)
        .await
        .expect("send");
    let admin = s.admin().await;
    let group = anna.groups.iter().find(|g| g.name == "5a").expect("5a").id;
    p.set_membership(&admin, group, "anna", false)
        .await
        .expect("leave");
    let anna = s.user("anna").await;
    assert_eq!(names(&s, &anna).await, ["Mathe-Kurs"]);
    assert!(matches!(
        p.chat_messages(&anna, class, None).await,
        Err(DomainError::NotFound)
    ));
    p.set_membership(&admin, group, "anna", true)
        .await
        .expect("back");
    assert_eq!(texts(&s, &anna, class).await, ["Willkommen"]);
}

async fn teachers_moderate_their_rooms(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (lena, ben, anna) = (
        s.user("lehrer").await,
        s.user("ben").await,
        s.user("anna").await,
    );
    let class = room_named(&s, &lena, "5a").await;
    assert!(class.moderator);
    assert!(!room_named(&s, &ben, "5a").await.moderator);
    let bad = p
        .chat_send(&ben, class.id, "Unfug", None)
        .await
        .expect("send");
    // A student deletes neither others' messages nor moderates.
    assert!(forbidden(p.chat_delete(&anna, class.id, bad).await));
    assert!(forbidden(
        p.chat_moderate(&anna, class.id, Moderation::Lock).await
    ));
    // The teacher of another class does not even see the room.
    let lars = s.user("lehrer2").await;
    assert!(matches!(
        p.chat_delete(&lars, class.id, bad).await,
        Err(DomainError::NotFound)
    ));
    p.chat_delete(&lena, class.id, bad)
        .await
        .expect("moderator deletes");
    p.chat_moderate(&lena, class.id, Moderation::Lock)
        .await
        .expect("lock");
    assert!(forbidden(
        p.chat_send(&anna, class.id, "Hallo?", None).await
    ));
    assert!(!room_named(&s, &anna, "5a").await.may_write);
    p.chat_send(&lena, class.id, "Ruhe bitte", None)
        .await
        .expect("teacher writes");
    p.chat_moderate(&lena, class.id, Moderation::Unlock)
        .await
        .expect("unlock");
    p.chat_send(&anna, class.id, "Danke", None)
        .await
        .expect("open again");
    p.chat_moderate(&lena, class.id, Moderation::AnnounceOn)
        .await
        .expect("announce");
    assert!(forbidden(
        p.chat_send(&anna, class.id, "Darf ich?", None).await
    ));
    assert_eq!(
        texts(&s, &anna, class.id).await,
        [
            "",
            "[removed]",
            "[locked]",
            "Ruhe bitte",
            "[unlocked]",
            "Danke",
            "[announce_on]"
        ]
    );
    // Own messages: the author deletes them while it may write, nobody else edits them.
    p.chat_moderate(&lena, class.id, Moderation::AnnounceOff)
        .await
        .expect("off");
    let mine = p
        .chat_send(&anna, class.id, "Tippfeler", None)
        .await
        .expect("send");
    assert!(forbidden(p.chat_edit(&ben, class.id, mine, "x").await));
    p.chat_edit(&anna, class.id, mine, "Tippfehler")
        .await
        .expect("edit");
    p.chat_delete(&anna, class.id, mine)
        .await
        .expect("own delete");
    let mut c = p.db().read().await.expect("db");
    let log = schulhof_store::audit::system_list_kind(&mut c, lena.token.instance(), "chat")
        .await
        .expect("audit");
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "chat.removed",
            "chat.locked",
            "chat.unlocked",
            "chat.announce_on",
            "chat.announce_off"
        ]
    );
    assert!(log.iter().all(|e| e.actor_id == Some(lena.token.user())));
}

async fn resume_has_no_gap_and_no_duplicate(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (lena, anna) = (s.user("lehrer").await, s.user("anna").await);
    let room = room_named(&s, &anna, "Mathe-Kurs").await.id;
    let mut seqs = Vec::new();
    for i in 0..5 {
        seqs.push(
            p.chat_send(&lena, room, &format!("m{i}"), None)
                .await
                .expect("send"),
        );
    }
    let all = p.chat_messages(&anna, room, Some(0)).await.expect("all");
    assert_eq!(all.iter().map(|m| m.seq).collect::<Vec<_>>(), seqs);
    let cursor = all.iter().map(|m| m.rev).max().expect("rev");
    // Changes to old messages and new ones come after the cursor, each once, latest state.
    p.chat_edit(&lena, room, seqs[1], "m1 korrigiert")
        .await
        .expect("edit");
    p.chat_react(&anna, room, seqs[1], "👍", true)
        .await
        .expect("react");
    p.chat_react(&anna, room, seqs[3], "🎉", true)
        .await
        .expect("react");
    let reply = p
        .chat_send(&anna, room, "Frage", Some(seqs[0]))
        .await
        .expect("reply");
    let changed = p
        .chat_messages(&anna, room, Some(cursor))
        .await
        .expect("after");
    let got: Vec<i64> = changed.iter().map(|m| m.seq).collect();
    assert_eq!(got, [seqs[1], seqs[3], reply]);
    assert_eq!(changed[0].text, "m1 korrigiert");
    assert!(changed[0].edited);
    assert_eq!(changed[0].reactions.len(), 1);
    assert!(changed[0].reactions[0].mine);
    assert_eq!(changed[2].reply_to, Some(seqs[0]));
    let next = changed.iter().map(|m| m.rev).max().expect("rev");
    assert!(
        p.chat_messages(&anna, room, Some(next))
            .await
            .expect("none")
            .is_empty()
    );
    assert_eq!(room_named(&s, &anna, "Mathe-Kurs").await.last_seq, next);
    // Bad input stores nothing.
    for bad in ["", "   ", &"x".repeat(4001), "a\u{0}b"] {
        assert!(matches!(
            p.chat_send(&anna, room, bad, None).await,
            Err(DomainError::Invalid { .. })
        ));
    }
    assert!(p.chat_send(&anna, room, "x", Some(999)).await.is_err());
    assert!(
        p.chat_messages(&anna, room, Some(next))
            .await
            .expect("none")
            .is_empty()
    );
}

async fn unread_counts_and_read_markers(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (lena, anna, ben) = (
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("ben").await,
    );
    let class = room_named(&s, &anna, "5a").await.id;
    let mut last = 0;
    for i in 0..3 {
        last = p
            .chat_send(&lena, class, &format!("n{i}"), None)
            .await
            .expect("send");
    }
    assert_eq!(room_named(&s, &anna, "5a").await.unread, 3);
    assert_eq!(
        room_named(&s, &lena, "5a").await.unread,
        0,
        "own messages are read"
    );
    p.chat_read(&anna, class, last - 1).await.expect("read");
    assert_eq!(room_named(&s, &anna, "5a").await.unread, 1);
    assert_eq!(p.chat_room(&anna, class).await.expect("room").unread, 1);
    p.chat_read(&anna, class, 1).await.expect("never back");
    assert_eq!(room_named(&s, &anna, "5a").await.unread, 1);
    // Writing reads what came before.
    p.chat_send(&ben, class, "Hi", None).await.expect("send");
    assert_eq!(room_named(&s, &ben, "5a").await.unread, 0);
    assert_eq!(room_named(&s, &anna, "5a").await.unread, 2);
}

async fn bodies_are_sealed_and_the_bus_signals_commits(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let (lena, anna) = (s.user("lehrer").await, s.user("anna").await);
    let room = room_named(&s, &anna, "5a").await.id;
    let mut bus = p.chat_bus().subscribe();
    let seq = p
        .chat_send(&lena, room, "Streng geheimer Klassenausflug", None)
        .await
        .expect("send");
    let signal = tokio::time::timeout(Duration::from_secs(10), bus.recv())
        .await
        .expect("signal in time")
        .expect("signal");
    assert_eq!((signal.room, signal.seq, signal.typing), (room, seq, None));
    p.chat_typing(&anna, room).await.expect("typing");
    let typing = tokio::time::timeout(Duration::from_secs(10), bus.recv())
        .await
        .expect("typing in time")
        .expect("typing");
    assert_eq!(typing.typing, Some(anna.token.user()));
    let mut c = p.db().read().await.expect("db");
    let viewer = schulhof_store::chat::messages::Viewer {
        user: anna.token.user(),
        now: schulhof_store::to_us(p.now()),
    };
    let rows =
        schulhof_store::chat::messages::latest(&mut c, anna.token.instance(), room, 10, viewer)
            .await
            .expect("rows");
    let body = &rows[0].body;
    assert!(body.len() > "Streng geheimer Klassenausflug".len());
    assert!(
        !body.windows(6).any(|w| w == b"geheim"),
        "stored in the clear"
    );
}

async fn nothing_crosses_schools(db: Db) {
    let s = school(db).await;
    let other = school_on(s.platform.clone(), "654321").await;
    let p = &s.platform;
    let lena = s.user("lehrer").await;
    let room = room_named(&s, &lena, "5a").await.id;
    let stranger = other.user("lehrer").await;
    assert!(matches!(
        p.chat_messages(&stranger, room, None).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.chat_send(&stranger, room, "x", None).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.chat_delete(&stranger, room, 1).await,
        Err(DomainError::NotFound)
    ));
    // "anna" for a login of the other school is that school's anna, never this one.
    let anna_here = s.user("anna").await;
    let theirs = p
        .chat_open_direct(&stranger, "anna")
        .await
        .expect("their anna");
    assert!(matches!(
        p.chat_messages(&anna_here, theirs, None).await,
        Err(DomainError::NotFound)
    ));
}

backend_tests!(
    who_writes_to_whom,
    group_rooms_follow_membership,
    teachers_moderate_their_rooms,
    resume_has_no_gap_and_no_duplicate,
    unread_counts_and_read_markers,
    bodies_are_sealed_and_the_bus_signals_commits,
    nothing_crosses_schools,
);
