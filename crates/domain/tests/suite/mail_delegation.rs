//! Mail delegation on SQLite and PostgreSQL: grant and revoke with the audited history,
//! read vs write, send-as, confidential-role mailboxes that are never passed on (folders,
//! IMAP names, SELECT, messages, search, suggestions, From choices), and other schools.

use crate::file_support;
use file_support::*;
use schulhof_authz::Denied;
use schulhof_authz::mail::MailboxAccess::{Read, Write};
use schulhof_domain::admin::NewUser;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::identity::Actor;
use schulhof_domain::mail::{FlagOp, Flags, MailQuery, Special};
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

const T: &str = "lehrer.test@123456.nrw.schule";
const RAT: &str = "lehrerrat@123456.nrw.schule";

fn message(from: &str, to: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@test>\r\n\r\nText\r\n"
    )
    .into_bytes()
}

async fn add_user(s: &School, login: &str, kind: &str) {
    let admin = s.admin().await;
    let u = NewUser {
        first_name: login.into(),
        last_name: "Test".into(),
        account_type: Some(kind.into()),
        function_role: None,
        login: Some(login.into()),
        password: Some(PW.into()),
        external_mail: None,
        holder: None,
        groups: Vec::new(),
    };
    s.platform.create_user(&admin, u).await.expect("user");
}

async fn grant_delegate(s: &School, login: &str) {
    let admin = s.admin().await;
    s.platform
        .set_user_right(&admin, login, "mail.delegate", true)
        .await
        .expect("grant");
}

/// Paths of the folders a mail program of `a` lists.
async fn client_paths(s: &School, a: &Actor) -> Vec<String> {
    let all = s.platform.mail_client_folders(a).await.expect("folders");
    all.into_iter().map(|f| f.path).collect()
}

fn seen() -> Flags {
    Flags {
        seen: true,
        ..Flags::default()
    }
}

async fn grant_and_revoke_with_read_write_and_send_as(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    add_user(&s, "kollege", "lehrer").await;
    let (t, anna) = (s.user("lehrer").await, s.user("anna").await);
    let p = &s.platform;
    p.mail_submit(
        &anna,
        "anna.test@123456.nrw.schule",
        &[T.into()],
        &message("anna.test@123456.nrw.schule", T, "Frage"),
    )
    .await
    .expect("sent");
    // Without mail.delegate: refused before anything is looked up.
    assert!(matches!(
        p.mail_delegate(&t, "kollege", Read, false).await,
        Err(DomainError::Forbidden)
    ));
    grant_delegate(&s, "lehrer").await;
    let t = s.user("lehrer").await;
    for nobody in ["niemand", "anna.x", "admin"] {
        assert!(
            matches!(
                p.mail_delegate(&t, nobody, Read, false).await,
                Err(DomainError::NotFound)
            ),
            "{nobody}"
        );
    }
    assert!(matches!(
        p.mail_delegate(&t, "lehrer", Read, false).await,
        Err(DomainError::Denied(Denied::OwnLogin))
    ));
    p.mail_delegate(&t, "kollege", Read, false)
        .await
        .expect("read");
    let k = s.user("kollege").await;
    assert!(
        client_paths(&s, &k)
            .await
            .contains(&"Andere/lehrer/INBOX".to_owned())
    );
    let (inbox, msgs) = p
        .mail_client_select(&k, "Andere/lehrer/INBOX")
        .await
        .expect("select");
    assert!(inbox.read_only && inbox.special.is_none());
    assert_eq!(msgs.len(), 1);
    let metas = p
        .mail_metas(&k, inbox.id, &[msgs[0].uid])
        .await
        .expect("metas");
    assert_eq!(metas[0].subject, "Frage");
    assert!(p.mail_raw(&k, metas[0].id).await.is_ok());
    // Read only: no flags, no append, no delete, no send-as.
    let denied = |r: Result<(), DomainError>| matches!(r, Err(DomainError::Forbidden));
    let flag = p
        .mail_store_flags(&k, inbox.id, &[msgs[0].uid], FlagOp::Add, &seen(), None)
        .await;
    assert!(denied(flag.map(|_| ())));
    assert!(denied(
        p.mail_append(&k, inbox.id, b"Subject: x\r\n\r\ny", &seen(), None)
            .await
            .map(|_| ())
    ));
    assert!(denied(p.mail_delete_to_trash(&k, &[metas[0].id]).await));
    // A mail program's APPEND by name: the folder is found, the write refused.
    let by_name = p
        .mail_client_append(
            &k,
            "Andere/lehrer/INBOX",
            b"Subject: x\r\n\r\ny",
            &seen(),
            None,
        )
        .await
        .expect("the folder is found");
    assert_eq!(by_name.0, inbox.id);
    assert!(denied(by_name.1.map(|_| ())));
    assert!(
        !p.mail_own_addresses(&k)
            .await
            .expect("own")
            .contains(&T.to_owned())
    );

    p.mail_delegate(&t, "kollege", Write, true)
        .await
        .expect("write");
    let (inbox, _) = p
        .mail_client_select(&k, "Andere/lehrer/INBOX")
        .await
        .expect("select");
    assert!(!inbox.read_only);
    // Written into the owner's mailbox, within the owner's quota.
    let (into, filed) = p
        .mail_client_append(
            &k,
            "Andere/lehrer/INBOX",
            b"Subject: y\r\n\r\nz",
            &seen(),
            None,
        )
        .await
        .expect("the folder is found");
    assert_eq!(into, inbox.id);
    filed.expect("appended");
    assert_eq!(p.mail_page(&t, inbox.id, 0, 10).await.expect("page").1, 2);
    p.mail_store_flags(&k, inbox.id, &[msgs[0].uid], FlagOp::Add, &seen(), None)
        .await
        .expect("flag");
    assert!(
        p.mail_own_addresses(&k)
            .await
            .expect("own")
            .contains(&T.to_owned())
    );
    p.mail_submit(
        &k,
        T,
        &["anna.test@123456.nrw.schule".into()],
        &message(T, "anna.test@123456.nrw.schule", "Vertretung"),
    )
    .await
    .expect("send as the owner");
    // Deleting moves into the owner's trash, not the delegate's.
    p.mail_delete_to_trash(&k, &[metas[0].id])
        .await
        .expect("delete");
    let trash = p.mail_special(&t, Special::Trash).await.expect("trash");
    assert_eq!(p.mail_page(&t, trash, 0, 10).await.expect("page").1, 1);
    // Copies stay within the mailbox they come from.
    let own_inbox = p.mail_special(&k, Special::Inbox).await.expect("inbox");
    assert!(p.mail_copy(&k, trash, &[1], own_inbox).await.is_err());

    let given = p.mail_delegations_given(&t).await.expect("given");
    assert_eq!(
        (given.len(), given[0].access, given[0].send_as),
        (1, "write", true)
    );
    let got = p.mail_delegations_received(&k).await.expect("received");
    assert_eq!(got[0].login, "lehrer");
    p.mail_revoke_delegation(&t, "kollege")
        .await
        .expect("revoke");
    assert!(matches!(
        p.mail_revoke_delegation(&t, "kollege").await,
        Err(DomainError::NotFound)
    ));
    assert!(
        !client_paths(&s, &k)
            .await
            .iter()
            .any(|f| f.starts_with("Andere/"))
    );
    assert!(matches!(
        p.mail_page(&k, inbox.id, 0, 10).await,
        Err(DomainError::NotFound)
    ));
    // Without the delegation the folder is not found (IMAP: TRYCREATE), nothing stored.
    assert!(matches!(
        p.mail_client_append(
            &k,
            "Andere/lehrer/INBOX",
            b"Subject: w\r\n\r\nv",
            &seen(),
            None
        )
        .await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.mail_message(&k, metas[0].id).await,
        Err(DomainError::NotFound)
    ));
    assert!(
        !p.mail_own_addresses(&k)
            .await
            .expect("own")
            .contains(&T.to_owned())
    );
    // Every change is in the owner's history, newest first (read from the audit log).
    let h = p.mail_delegation_history(&t).await.expect("history");
    let seen: Vec<(&str, &str, Option<&str>)> = h
        .iter()
        .map(|e| (e.what, e.delegate.as_str(), e.access.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            ("revoked", "kollege", None),
            ("granted", "kollege", Some("write")),
            ("granted", "kollege", Some("read"))
        ]
    );
    assert!(h.iter().all(|e| e.by == "lehrer"));
    assert!(
        p.mail_delegation_history(&k)
            .await
            .expect("history")
            .is_empty()
    );
}

async fn confidential_mailboxes_are_never_passed_on(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    add_user(&s, "kollege", "lehrer").await;
    let admin = s.admin().await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    assert!(
        p.mail_create_confidential(&t, "lehrerrat", "Lehrerrat")
            .await
            .is_err()
    );
    let addr = p
        .mail_create_confidential(&admin, "lehrerrat", "Lehrerrat")
        .await
        .expect("create");
    assert_eq!(addr, RAT);
    // It has no login of its own.
    assert!(
        p.login("123456", "lehrerrat", "", "127.0.0.1")
            .await
            .is_err()
    );
    let rcpt = p.mail_inbound_rcpt(RAT).await.expect("rcpt");
    let raw = message("geheim@example.org", RAT, "Vertraulich");
    p.mail_deliver_inbound("geheim@example.org", &[rcpt], &raw)
        .await
        .expect("delivered");
    assert!(
        p.mail_confidential_delegate(&t, "lehrerrat", "lehrer", Some((Write, true)))
            .await
            .is_err()
    );
    p.mail_confidential_delegate(&admin, "lehrerrat", "lehrer", Some((Write, true)))
        .await
        .expect("holder");
    let listed = p.mail_confidential_accounts(&admin).await.expect("list");
    assert_eq!(
        (
            listed[0].login.as_str(),
            listed[0].holders[0].login.as_str()
        ),
        ("lehrerrat", "lehrer")
    );

    // The holder works in it and sends as it.
    let (rat_inbox, msgs) = p
        .mail_client_select(&t, "Andere/lehrerrat/INBOX")
        .await
        .expect("holder sees it");
    assert_eq!(msgs.len(), 1);
    let secret = p
        .mail_metas(&t, rat_inbox.id, &[msgs[0].uid])
        .await
        .expect("metas")[0]
        .id;
    assert!(
        p.mail_own_addresses(&t)
            .await
            .expect("own")
            .contains(&RAT.to_owned())
    );

    // The holder gives the own mailbox away, with everything a delegation can carry.
    grant_delegate(&s, "lehrer").await;
    let t = s.user("lehrer").await;
    p.mail_delegate(&t, "kollege", Write, true)
        .await
        .expect("delegate");
    assert!(matches!(
        p.mail_delegate(&t, "lehrerrat", Read, false).await,
        Err(DomainError::NotFound)
    ));
    let k = s.user("kollege").await;
    let paths = client_paths(&s, &k).await;
    assert!(
        paths.contains(&"Andere/lehrer/INBOX".to_owned()),
        "{paths:?}"
    );
    assert!(!paths.iter().any(|f| f.contains("lehrerrat")), "{paths:?}");
    let received = p.mail_delegations_received(&k).await.expect("received");
    assert_eq!(
        received
            .iter()
            .map(|d| d.login.as_str())
            .collect::<Vec<_>>(),
        ["lehrer"]
    );
    for path in [
        "Andere/lehrerrat/INBOX",
        "Andere/lehrer/Andere/lehrerrat/INBOX",
    ] {
        assert!(p.mail_client_select(&k, path).await.is_err(), "{path}");
        assert!(p.mail_client_folder(&k, path).await.is_err(), "{path}");
    }
    assert!(matches!(
        p.mail_page(&k, rat_inbox.id, 0, 10).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.mail_uids(&k, rat_inbox.id).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        p.mail_message(&k, secret).await,
        Err(DomainError::NotFound)
    ));
    assert!(p.mail_raw(&k, secret).await.is_err());
    assert!(p.mail_delete_to_trash(&k, &[secret]).await.is_err());
    let q = |folder| MailQuery {
        folder,
        text: Some("Text".into()),
        ..MailQuery::default()
    };
    let found = p.mail_search(&k, &q(None)).await.expect("search");
    assert!(found.iter().all(|m| m.subject != "Vertraulich"));
    assert!(p.mail_search(&k, &q(Some(rat_inbox.id))).await.is_err());
    let own = p.mail_own_addresses(&k).await.expect("own");
    assert!(
        own.contains(&T.to_owned()) && !own.contains(&RAT.to_owned()),
        "{own:?}"
    );
    assert!(
        p.mail_submit(&k, RAT, &[T.into()], &message(RAT, T, "x"))
            .await
            .is_err()
    );
    let hints = p
        .mail_address_suggestions(&k, "geheim")
        .await
        .expect("suggest");
    assert!(
        hints.is_empty(),
        "the confidential mailbox's correspondents stay in it"
    );
}

async fn other_schools_never_see_or_receive(db: Db) {
    let s = school(db.clone(), "123456", FileQuotas::default()).await;
    let other = school(db, "654321", FileQuotas::default()).await;
    add_user(&other, "fremd", "lehrer").await;
    grant_delegate(&s, "lehrer").await;
    let t = s.user("lehrer").await;
    let p = &s.platform;
    // A login of another school is unknown here.
    assert!(matches!(
        p.mail_delegate(&t, "fremd", Read, false).await,
        Err(DomainError::NotFound)
    ));
    // The other school's "lehrer" is not this school's "lehrer".
    let inbox = p.mail_special(&t, Special::Inbox).await.expect("inbox");
    let o = other.user("lehrer").await;
    assert!(matches!(
        other.platform.mail_page(&o, inbox, 0, 10).await,
        Err(DomainError::NotFound)
    ));
    assert!(
        other
            .platform
            .mail_client_select(&o, "Andere/lehrer/INBOX")
            .await
            .is_err()
    );
    let admin = other.admin().await;
    other
        .platform
        .mail_create_confidential(&admin, "lehrerrat", "Lehrerrat")
        .await
        .expect("own");
    assert!(
        other
            .platform
            .mail_confidential_delegate(&admin, "lehrerrat", "lehrer", Some((Read, false)))
            .await
            .is_ok()
    );
    assert!(
        !client_paths(&s, &t)
            .await
            .iter()
            .any(|f| f.starts_with("Andere/"))
    );
}

backend_tests!(
    grant_and_revoke_with_read_write_and_send_as,
    confidential_mailboxes_are_never_passed_on,
    other_schools_never_see_or_receive,
);
