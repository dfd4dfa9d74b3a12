//! The mail service on SQLite and PostgreSQL: sending within and beyond the school, lists,
//! the rights of each account type, folders, flags, copy and move, quota, and live events.

use crate::file_support;
use file_support::*;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::identity::Actor;
use schulhof_domain::mail::{FlagOp, Flags, MailQuery, RcptRefused, Special};
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

const T: &str = "lehrer.test@123456.nrw.schule";
const ANNA: &str = "anna.test@123456.nrw.schule";

fn message(from: &str, to: &str, subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@test>\r\nDate: Mon, 2 Nov 2026 09:00:00 +0100\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

async fn inbox_subjects(s: &School, a: &Actor) -> Vec<String> {
    let inbox = s
        .platform
        .mail_special(a, Special::Inbox)
        .await
        .expect("inbox");
    let (page, _) = s.platform.mail_page(a, inbox, 0, 50).await.expect("page");
    page.into_iter().map(|m| m.subject).collect()
}

async fn mail_reaches_whom_the_policy_allows(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let p = &s.platform;
    let raw = message(T, ANNA, "Hausaufgaben", "Seite 12");
    let r = p
        .mail_submit(&t, T, &[ANNA.into()], &raw)
        .await
        .expect("sent");
    assert_eq!((r.delivered, r.queued), (1, 0));
    assert_eq!(inbox_subjects(&s, &anna).await, ["Hausaufgaben"]);
    let m = &p
        .mail_search(
            &anna,
            &MailQuery {
                text: Some("seite 12".into()),
                ..Default::default()
            },
        )
        .await
        .expect("search")[0];
    assert_eq!(
        p.mail_raw(&anna, m.id).await.expect("raw"),
        raw,
        "byte for byte"
    );
    // Nobody else reads it: the teacher's view of Anna's message is 404.
    assert!(matches!(
        p.mail_message(&t, m.id).await,
        Err(DomainError::NotFound)
    ));

    // Students: within the school yes, outside and lists no.
    assert_eq!(p.mail_check_rcpt(&anna, T).await, Ok(()));
    assert!(matches!(
        p.mail_check_rcpt(&anna, "x@example.org").await,
        Err(RcptRefused::NotAllowed(_))
    ));
    assert!(matches!(
        p.mail_check_rcpt(&anna, "verteiler-5a@123456.nrw.schule")
            .await,
        Err(RcptRefused::NotAllowed(_))
    ));
    assert!(matches!(
        p.mail_check_rcpt(&anna, "niemand.da@123456.nrw.schule")
            .await,
        Err(RcptRefused::Unknown(_))
    ));
    let out = p
        .mail_submit(
            &anna,
            ANNA,
            &["x@example.org".into()],
            &message(ANNA, "x@example.org", "raus", ""),
        )
        .await;
    assert!(
        matches!(out, Err(DomainError::Invalid { field: "to", .. })),
        "{out:?}"
    );
    // A forged sender is refused.
    let forged = p
        .mail_submit(&anna, T, &[T.into()], &message(T, T, "gefälscht", ""))
        .await;
    assert!(
        matches!(forged, Err(DomainError::Invalid { field: "from", .. })),
        "{forged:?}"
    );

    // Teachers write outside (queued) and to the lists of their groups (each member once).
    let r = p
        .mail_submit(
            &t,
            T,
            &[
                "eltern@example.org".into(),
                "verteiler-5a@123456.nrw.schule".into(),
            ],
            &message(T, "verteiler-5a@123456.nrw.schule", "Wandertag", "Freitag"),
        )
        .await
        .expect("sent");
    assert_eq!((r.delivered, r.queued), (2, 1), "anna and ben, one outside");
    let ben = s.user("ben").await;
    let carla = s.user("carla").await;
    assert!(
        inbox_subjects(&s, &ben)
            .await
            .contains(&"Wandertag".to_owned())
    );
    assert!(
        !inbox_subjects(&s, &carla)
            .await
            .contains(&"Wandertag".to_owned()),
        "not in 5a"
    );
}

async fn other_schools_are_outside(db: Db) {
    let s = school(db.clone(), "123456", FileQuotas::default()).await;
    let p = &s.platform;
    p.system_create_school("654321", "Andere Schule")
        .await
        .expect("school");
    let t = s.user("lehrer").await;
    // From outside: teachers receive, students do not, lists never, and no relaying.
    assert!(p.mail_inbound_rcpt(T).await.is_ok());
    assert!(matches!(
        p.mail_inbound_rcpt(ANNA).await,
        Err(RcptRefused::NotAllowed(_))
    ));
    assert!(matches!(
        p.mail_inbound_rcpt("verteiler-5a@123456.nrw.schule").await,
        Err(RcptRefused::NotAllowed(_))
    ));
    assert!(matches!(
        p.mail_inbound_rcpt("x@example.org").await,
        Err(RcptRefused::NotAllowed(_))
    ));
    assert!(matches!(
        p.mail_inbound_rcpt("admin@654321.nrw.schule").await,
        Err(RcptRefused::Unknown(_)) | Err(RcptRefused::NotAllowed(_))
    ));
    let rcpt = p
        .mail_inbound_rcpt(&T.to_uppercase())
        .await
        .expect("case does not matter");
    let raw = message("eltern@example.org", T, "Krankmeldung", "Max ist krank");
    let filed = p
        .mail_deliver_inbound("eltern@example.org", &[rcpt], &raw)
        .await
        .expect("delivered");
    assert!(filed[0].is_ok());
    assert_eq!(inbox_subjects(&s, &t).await, ["Krankmeldung"]);
}

async fn folders_flags_copy_move_and_expunge(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let p = &s.platform;
    let folders = p.mail_folders(&t).await.expect("folders");
    let names: Vec<&str> = folders.iter().map(|f| f.path.as_str()).collect();
    for n in ["INBOX", "Drafts", "Sent", "Trash", "Junk", "Archive"] {
        assert!(names.contains(&n), "{names:?}");
    }
    let inbox = p.mail_folder(&t, "inbox").await.expect("inbox").id;
    for i in 1..=3 {
        let (_, uid) = p
            .mail_append(
                &t,
                inbox,
                &message(T, T, &format!("m{i}"), "x"),
                &Flags::default(),
                None,
            )
            .await
            .expect("append");
        assert_eq!(uid, i);
    }
    let f = p
        .mail_create_folder(&t, "Klassen/5a")
        .await
        .expect("nested");
    assert!(
        p.mail_folder(&t, "Klassen").await.is_ok(),
        "parent made too"
    );
    assert!(
        p.mail_create_folder(&t, "Klassen/5a").await.is_err(),
        "exists"
    );
    assert!(
        p.mail_rename_folder(&t, "INBOX", "X").await.is_err(),
        "standard folders keep their names"
    );

    let seen = Flags {
        seen: true,
        ..Default::default()
    };
    let before = p
        .mail_folder_by_id(&t, inbox)
        .await
        .expect("f")
        .highest_modseq;
    let r = p
        .mail_store_flags(&t, inbox, &[1, 2], FlagOp::Add, &seen, None)
        .await
        .expect("store");
    assert_eq!(r.changed.iter().map(|c| c.uid).collect::<Vec<_>>(), [1, 2]);
    assert!(r.changed[0].modseq > before);
    // CONDSTORE: a change since the given MODSEQ is not overwritten.
    let r = p
        .mail_store_flags(
            &t,
            inbox,
            &[1, 3],
            FlagOp::Add,
            &Flags {
                flagged: true,
                ..Default::default()
            },
            Some(before),
        )
        .await
        .expect("store");
    assert_eq!(r.failed, [1]);
    assert_eq!(p.mail_folder_by_id(&t, inbox).await.expect("f").unseen, 1);

    let moved = p.mail_move(&t, inbox, &[2, 3], f.id).await.expect("move");
    assert_eq!(moved.pairs, [(2, 1), (3, 2)]);
    let copied = p.mail_copy(&t, f.id, &[1], inbox).await.expect("copy");
    assert_eq!(copied.pairs, [(1, 4)]);
    let uids: Vec<u32> = p
        .mail_uids(&t, inbox)
        .await
        .expect("uids")
        .iter()
        .map(|u| u.uid)
        .collect();
    assert_eq!(uids, [1, 4]);

    let del = Flags {
        deleted: true,
        ..Default::default()
    };
    p.mail_store_flags(&t, inbox, &[1, 4], FlagOp::Add, &del, None)
        .await
        .expect("store");
    assert_eq!(
        p.mail_expunge(&t, inbox, Some(&[4]))
            .await
            .expect("uid expunge"),
        [4]
    );
    assert_eq!(p.mail_expunge(&t, inbox, None).await.expect("expunge"), [1]);
    let (used, _) = p.mail_usage(&t).await.expect("usage");
    let held: u64 = p
        .mail_folders(&t)
        .await
        .expect("f")
        .iter()
        .map(|f| f.size)
        .sum();
    assert_eq!(used, held, "usage follows every change");

    // Trash: deleting moves there; emptying deletes for good.
    let m = p.mail_metas(&t, f.id, &[1]).await.expect("metas").remove(0);
    p.mail_delete_to_trash(&t, &[m.id]).await.expect("trash");
    assert_eq!(p.mail_empty_trash(&t).await.expect("empty"), 1);
    assert!(
        p.mail_delete_folder(&t, "Klassen").await.is_err(),
        "has a subfolder"
    );
    p.mail_delete_folder(&t, "Klassen/5a")
        .await
        .expect("delete");
    let (used, _) = p.mail_usage(&t).await.expect("usage");
    assert_eq!(used, 0);
}

async fn a_full_mailbox_takes_nothing(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let p = &s.platform;
    let inbox = p.mail_special(&anna, Special::Inbox).await.expect("inbox");
    let (_, quota) = p.mail_usage(&anna).await.expect("usage");
    assert_eq!(quota, 500_000_000, "students' default");
    // Fill Anna's mailbox up to a few bytes below the quota by pretending through the store.
    let mut tx = p.db().begin().await.expect("tx");
    schulhof_store::mail::messages::add_usage(
        &mut tx,
        anna.token.instance(),
        anna.user.id,
        quota as i64 - 10,
    )
    .await
    .expect("usage");
    tx.commit().await.expect("commit");
    let big = message(
        ANNA,
        ANNA,
        "zu gross",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    );
    assert!(matches!(
        p.mail_append(&anna, inbox, &big, &Flags::default(), None)
            .await,
        Err(DomainError::QuotaExceeded(_))
    ));
    // A mail program's APPEND by name: the folder is found, the message refused.
    let by_name = p
        .mail_client_append(&anna, "inbox", &big, &Flags::default(), None)
        .await
        .expect("the inbox is found");
    assert_eq!(by_name.0, inbox);
    assert!(matches!(by_name.1, Err(DomainError::QuotaExceeded(_))));
    assert!(matches!(
        p.mail_client_append(&anna, "Nirgends", &big, &Flags::default(), None)
            .await,
        Err(DomainError::NotFound)
    ));
    let r = p
        .mail_submit(&t, T, &[ANNA.into()], &message(T, ANNA, "voll", "x"))
        .await
        .expect("sent");
    assert_eq!((r.delivered, r.over_quota.len()), (0, 1));
    assert!(
        inbox_subjects(&s, &anna).await.is_empty(),
        "nothing half-stored"
    );
    let bounced = inbox_subjects(&s, &t).await;
    assert_eq!(
        bounced.len(),
        1,
        "the sender learns of the full mailbox: {bounced:?}"
    );
}

async fn mail_programs_log_in_with_an_address_and_see_changes_live(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    p.give_consent(&t, true, true, "127.0.0.1")
        .await
        .expect("consent");
    let a = p
        .mail_client_actor(T, PW, "127.0.0.1")
        .await
        .expect("by address");
    assert_eq!(a.user.login, "lehrer");
    let b = p
        .mail_client_actor("lehrer@123456", PW, "127.0.0.1")
        .await
        .expect("by login");
    assert_eq!(b.user.id, a.user.id);
    assert!(matches!(
        p.mail_client_actor("nobody.here@123456.nrw.schule", PW, "127.0.0.1")
            .await,
        Err(DomainError::BadCredentials)
    ));
    assert!(p.mail_client_actor(T, "falsch", "127.0.0.1").await.is_err());

    let mut events = p.mail_events();
    let inbox = p.mail_special(&a, Special::Inbox).await.expect("inbox");
    p.mail_append(
        &a,
        inbox,
        &message(T, T, "live", "x"),
        &Flags::default(),
        None,
    )
    .await
    .expect("append");
    let e = tokio::time::timeout(std::time::Duration::from_secs(5), events.recv())
        .await
        .expect("in time")
        .expect("event");
    assert_eq!((e.owner, e.folder), (a.user.id, inbox));
}

async fn aliases_and_further_domains_reach_the_login(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let p = &s.platform;
    let admin = s.admin().await;
    let t = s.user("lehrer").await;
    let anna = s.user("anna").await;
    p.mail_add_alias(&admin, "lehrer", "Klassenleitung.5a@123456.nrw.schule")
        .await
        .expect("alias");
    assert!(
        p.mail_add_alias(&admin, "anna", "klassenleitung.5a@123456.nrw.schule")
            .await
            .is_err(),
        "taken"
    );
    assert!(
        p.mail_add_alias(&admin, "anna", "anna@example.org")
            .await
            .is_err(),
        "not a school domain"
    );
    assert!(
        p.mail_add_alias(&admin, "anna", "verteiler-x@123456.nrw.schule")
            .await
            .is_err(),
        "list prefix"
    );
    assert!(
        p.mail_add_alias(&anna, "anna", "anna.b@123456.nrw.schule")
            .await
            .is_err(),
        "students do not"
    );
    assert!(
        p.mail_remove_alias(&admin, "lehrer", T).await.is_err(),
        "the standard address stays"
    );
    p.mail_add_domain(&admin, "Test-Schule.de")
        .await
        .expect("domain");
    assert!(p.mail_add_domain(&admin, "x.nrw.schule").await.is_err());
    let own = p.mail_own_addresses(&t).await.expect("own");
    assert_eq!(own, [T, "klassenleitung.5a@123456.nrw.schule"]);
    for to in [
        "klassenleitung.5a@123456.nrw.schule",
        "lehrer.test@test-schule.de",
    ] {
        p.mail_submit(&anna, ANNA, &[to.into()], &message(ANNA, to, to, "x"))
            .await
            .expect("sent");
    }
    let got = inbox_subjects(&s, &t).await;
    assert_eq!(got.len(), 2, "{got:?}");
    p.mail_remove_domain(&admin, "test-schule.de")
        .await
        .expect("removed");
    assert!(
        matches!(
            p.mail_check_rcpt(&anna, "lehrer.test@test-schule.de").await,
            Err(RcptRefused::NotAllowed(_))
        ),
        "now another domain"
    );
}

backend_tests!(
    aliases_and_further_domains_reach_the_login,
    mail_reaches_whom_the_policy_allows,
    other_schools_are_outside,
    folders_flags_copy_move_and_expunge,
    a_full_mailbox_takes_nothing,
    mail_programs_log_in_with_an_address_and_see_changes_live,
);
