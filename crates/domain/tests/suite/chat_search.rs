//! Chat search through the full-text index and mentions that follow edits and deletions,
//! on SQLite and PostgreSQL: a message older than the newest 5,000 is found, an edited one
//! by its new words only, a deleted one not at all, nothing of a room one is not in, held
//! messages only by their author, nothing past the deletion period; messages written
//! before the index are indexed by the upkeep job; a search costs one statement; a mention
//! edited away or deleted leaves the notification centre.

use crate::chat_support;
use chat_support::*;
use chrono::Duration;
use schulhof_domain::identity::Actor;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;
use schulhof_store::chat::search as index;
use schulhof_store::testing::statements;

/// The texts a search finds, newest first.
async fn found(s: &School, a: &Actor, q: &str) -> Vec<String> {
    s.platform
        .chat_search(a, q)
        .await
        .expect("search")
        .into_iter()
        .map(|h| h.text)
        .collect()
}

async fn old_edited_deleted_and_foreign(db: Db) {
    let (s, clock) = setup(db).await;
    let p = &s.platform;
    let (lena, anna, carla) = (
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("carla").await,
    );
    let class = room(&s, &lena, "5a").await;
    let old = p
        .chat_send(&lena, class, "Elternabend am Donnerstag in Raum 5", None)
        .await
        .expect("send");
    clock.advance(Duration::minutes(1));
    let filler = p
        .chat_send(&lena, class, "Hausaufgaben: Seite 12", None)
        .await
        .expect("send");
    {
        let mut tx = p.db().begin().await.expect("tx");
        let instance = lena.token.instance();
        index::testing_copies(&mut tx, instance, class, filler, 5000)
            .await
            .expect("copies");
        tx.commit().await.expect("commit");
    }
    // 5,001 newer messages: the old one is beyond the newest 5,000.
    assert_eq!(
        found(&s, &anna, "elternabend").await,
        ["Elternabend am Donnerstag in Raum 5"]
    );
    // Prefixes of words, all of them, case and umlauts aside.
    assert_eq!(found(&s, &anna, "ELTERN donn").await.len(), 1);
    assert!(
        found(&s, &anna, "abend").await.is_empty(),
        "not inside a word"
    );
    assert!(found(&s, &anna, "eltern freitag").await.is_empty());
    assert_eq!(
        found(&s, &anna, "hausaufgaben").await.len(),
        50,
        "at most 50"
    );
    // Carla is not in 5a.
    assert!(found(&s, &carla, "hausaufgaben").await.is_empty());
    assert!(found(&s, &carla, "elternabend").await.is_empty());
    // Edited: found by the new words, not the old.
    p.chat_edit(&lena, class, old, "Sprechtag am Donnerstag")
        .await
        .expect("edit");
    assert!(found(&s, &anna, "elternabend").await.is_empty());
    assert_eq!(
        found(&s, &anna, "sprechtag").await,
        ["Sprechtag am Donnerstag"]
    );
    // Deleted: gone.
    p.chat_delete(&lena, class, old).await.expect("delete");
    assert!(found(&s, &anna, "sprechtag").await.is_empty());
    assert!(found(&s, &anna, "donnerstag").await.is_empty());
    assert!(matches!(
        p.chat_search(&anna, "a").await,
        Err(DomainError::Invalid { .. })
    ));
}

async fn held_and_past_the_deletion_period(db: Db) {
    let (s, clock) = setup(db).await;
    let p = &s.platform;
    let (lena, anna, ben) = (
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("ben").await,
    );
    let class = room(&s, &lena, "5a").await;
    p.chat_send(&lena, class, "Wandertag am Freitag", None)
        .await
        .expect("send");
    // 09:00 in Berlin is inside 08:00–10:00: Anna's message waits.
    p.chat_set_quiet(&lena, class, "08:00", "10:00")
        .await
        .expect("quiet");
    p.chat_send(&anna, class, "Wandertag mit Regenjacke?", None)
        .await
        .expect("held");
    assert_eq!(found(&s, &ben, "wandertag").await.len(), 1, "held: not yet");
    assert_eq!(
        found(&s, &anna, "wandertag").await.len(),
        2,
        "the author's own"
    );
    clock.advance(Duration::minutes(61));
    assert_eq!(
        found(&s, &ben, "regenjacke").await.len(),
        1,
        "after quiet hours"
    );
    // Past the deletion period before the sweep ran: no longer found.
    let admin = s.admin().await;
    p.chat_set_school_settings(&admin, "", "", Some(30))
        .await
        .expect("period");
    clock.advance(Duration::days(31));
    assert!(found(&s, &ben, "wandertag").await.is_empty());
}

async fn messages_before_the_index_are_indexed(db: Db) {
    let (s, _clock) = setup(db).await;
    let p = &s.platform;
    let (lena, anna) = (s.user("lehrer").await, s.user("anna").await);
    let class = room(&s, &lena, "5a").await;
    let (a, b) = (
        p.chat_send(&lena, class, "Bücherei bleibt zu", None)
            .await
            .expect("send"),
        p.chat_send(&lena, class, "Bücherei wieder offen", None)
            .await
            .expect("send"),
    );
    {
        let mut tx = p.db().begin().await.expect("tx");
        for seq in [a, b] {
            index::testing_unindex(&mut tx, lena.token.instance(), class, seq)
                .await
                .expect("unindex");
        }
        tx.commit().await.expect("commit");
    }
    assert!(found(&s, &anna, "bucherei").await.is_empty());
    // Deleted before the job came: stays out.
    p.chat_delete(&lena, class, b).await.expect("delete");
    assert_eq!(p.system_chat_index().await.expect("index"), 2);
    assert_eq!(p.system_chat_index().await.expect("again"), 0);
    assert_eq!(found(&s, &anna, "bücherei").await, ["Bücherei bleibt zu"]);
}

async fn a_search_costs_one_statement(db: Db) {
    let counting = statements::install();
    let (s, _clock) = setup(db).await;
    let p = &s.platform;
    let (lena, anna) = (s.user("lehrer").await, s.user("anna").await);
    let class = room(&s, &lena, "5a").await;
    for i in 0..30 {
        p.chat_send(&lena, class, &format!("Vokabeltest Nummer {i}"), None)
            .await
            .expect("send");
    }
    // The school's key is cached after its first use.
    assert_eq!(found(&s, &anna, "vokabel").await.len(), 30);
    let before = statements::so_far();
    assert_eq!(found(&s, &anna, "vokabeltest nummer").await.len(), 30);
    let n = statements::so_far() - before;
    if counting {
        assert_eq!(n, 1, "one statement for a search");
    }
}

/// The rooms and message numbers of a login's mention notifications.
async fn mentions_of(s: &School, a: &Actor) -> Vec<String> {
    s.platform
        .notifications_before(a, None)
        .await
        .expect("list")
        .into_iter()
        .filter(|n| n.kind == "chat_mention")
        .map(|n| n.params["seq"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn mentions_follow_edits_and_deletions(db: Db) {
    let (s, clock) = setup(db).await;
    let p = &s.platform;
    let (lena, anna, ben) = (
        s.user("lehrer").await,
        s.user("anna").await,
        s.user("ben").await,
    );
    let class = room(&s, &lena, "5a").await;
    let seq = p
        .chat_send(&lena, class, "@anna @ben bitte lesen", None)
        .await
        .expect("send");
    let other = p
        .chat_send(&lena, class, "@anna und noch etwas", None)
        .await
        .expect("send");
    assert_eq!(mentions_of(&s, &anna).await.len(), 2);
    assert_eq!(mentions_of(&s, &ben).await, [seq.to_string()]);
    // Anna's mention is edited away; Ben's stays, Anna's other message's too.
    p.chat_edit(&lena, class, seq, "@ben bitte lesen")
        .await
        .expect("edit");
    assert_eq!(mentions_of(&s, &anna).await, [other.to_string()]);
    assert_eq!(mentions_of(&s, &ben).await, [seq.to_string()]);
    // Mentioned again by a later edit: notified again.
    p.chat_edit(&lena, class, seq, "@ben und @anna bitte lesen")
        .await
        .expect("edit");
    assert_eq!(mentions_of(&s, &anna).await.len(), 2);
    assert_eq!(mentions_of(&s, &ben).await.len(), 1, "not twice");
    // The worker settles what it found (to stay in the platform); then Ben wants
    // mentions mailed at once. A mailed mention follows edits and deletions in the
    // notification centre too (the mail itself cannot be called back).
    p.system_deliver_notifications(p.now())
        .await
        .expect("deliver");
    use schulhof_domain::notify::{Kind, Mode};
    p.set_notification_preferences(&ben, &[(Kind::ChatMention, Mode::Mail)], None, 7)
        .await
        .expect("prefs");
    let third = p
        .chat_send(&lena, class, "@ben noch einmal", None)
        .await
        .expect("send");
    clock.advance(Duration::minutes(1));
    let sent = p
        .system_deliver_notifications(p.now())
        .await
        .expect("deliver");
    assert_eq!(sent.mails, 1);
    // Deleted: its mentions go.
    p.chat_delete(&lena, class, seq).await.expect("delete");
    assert_eq!(mentions_of(&s, &anna).await, [other.to_string()]);
    p.chat_edit(&lena, class, third, "@ben noch einmal, bitte bis Freitag")
        .await
        .expect("edit");
    let texts: Vec<String> = p
        .notifications_before(&ben, None)
        .await
        .expect("list")
        .into_iter()
        .filter(|n| {
            n.kind == "chat_mention" && n.params["seq"].as_str() == Some(third.to_string().as_str())
        })
        .map(|n| n.params["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        texts,
        ["@ben noch einmal, bitte bis Freitag"],
        "the new text"
    );
    p.chat_delete(&lena, class, third).await.expect("delete");
    assert!(mentions_of(&s, &ben).await.is_empty(), "mailed, and gone");
    // The deletion period takes the mentions of the messages it deletes.
    let kept = p
        .chat_send(&lena, class, "@anna für später", None)
        .await
        .expect("send");
    assert_eq!(
        mentions_of(&s, &anna).await,
        [kept.to_string(), other.to_string()]
    );
    let admin = s.admin().await;
    p.chat_set_school_settings(&admin, "", "", Some(30))
        .await
        .expect("period");
    clock.advance(Duration::days(31));
    assert!(p.system_chat_retention().await.expect("sweep") >= 2);
    assert!(mentions_of(&s, &anna).await.is_empty());
}

backend_tests!(
    old_edited_deleted_and_foreign,
    held_and_past_the_deletion_period,
    messages_before_the_index_are_indexed,
    a_search_costs_one_statement,
    mentions_follow_edits_and_deletions,
);
