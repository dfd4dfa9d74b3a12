//! Address books on SQLite and PostgreSQL: the personal book of every account type, shares
//! to read and to write, what function accounts and other schools never see, the
//! preconditions of a write, UIDs, and sync tokens with tombstones.

use crate::contacts_support;
use contacts_support::*;
use schulhof_domain::Db;
use schulhof_domain::contacts::{
    BookAccess, BookKind, ContactsError, Precondition, ShareLevel, ShareWith,
};
use schulhof_store::backend_tests;

async fn every_person_has_a_private_personal_book(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let mut ids = Vec::new();
    for login in ["lehrer", "personal", "extern", "anna"] {
        let a = s.user(login).await;
        let books = p.address_books(&a).await.expect("books");
        assert_eq!(books.len(), 1, "{login}");
        assert_eq!(books[0].kind, BookKind::Personal);
        assert_eq!(books[0].access, BookAccess::Owner);
        // Made once: asking again finds the same book.
        let again = p.personal_address_book(&a).await.expect("personal");
        assert_eq!(again.id, books[0].id);
        let put = p
            .contact_put(
                &a,
                books[0].id,
                "x.vcf",
                card("u-1", &format!("Kontakt von {login}"), "k@example.org").as_bytes(),
                Precondition::IfNoneMatch,
            )
            .await
            .expect("stored");
        assert!(put.created && put.stored_as_sent);
        ids.push((login, books[0].id));
    }
    // Nobody reaches anyone else's personal book: it does not exist for them.
    let anna = s.user("anna").await;
    let teacher = s.user("lehrer").await;
    let (_, teachers_book) = ids[0];
    for who in [&anna, &s.user("personal").await] {
        assert!(matches!(
            p.address_book(who, teachers_book).await,
            Err(ContactsError::NotFound)
        ));
        assert!(matches!(
            p.contact_get(who, teachers_book, "x.vcf").await,
            Err(ContactsError::NotFound)
        ));
        assert!(matches!(
            p.contact_put(
                who,
                teachers_book,
                "y.vcf",
                card("u-9", "Eindringling", "e@example.org").as_bytes(),
                Precondition::None
            )
            .await,
            Err(ContactsError::NotFound)
        ));
    }
    assert_eq!(p.address_books(&teacher).await.expect("books").len(), 1);
}

async fn function_accounts_never_see_personal_books(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let book = p.personal_address_book(&t).await.expect("book").id;
    // Even shared with the group they would be in, function accounts see nothing.
    let all_5a = p.address_book_share_target(&t, "5a").await.expect("group");
    p.address_book_share(&t, book, all_5a, ShareLevel::Write)
        .await
        .expect("shared");
    for role in ["admin", "schulleitung", "sekretariat"] {
        let f = if role == "admin" {
            s.admin().await
        } else {
            s.user(role).await
        };
        assert!(
            matches!(p.address_books(&f).await, Err(ContactsError::Forbidden)),
            "{role}"
        );
        assert!(matches!(
            p.address_book(&f, book).await,
            Err(ContactsError::NotFound)
        ));
        assert!(matches!(
            p.contact_all(&f, book).await,
            Err(ContactsError::NotFound)
        ));
        assert!(matches!(
            p.address_book_export(&f, book).await,
            Err(ContactsError::NotFound)
        ));
        assert!(
            p.contact_addresses(&f, "ex", 10)
                .await
                .expect("none")
                .is_empty()
        );
    }
    // A function account is no one to share with.
    assert!(p.address_book_share_target(&t, "admin").await.is_err());
}

async fn shares_give_read_or_write_and_only_owners_manage(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let carla = s.user("carla").await;
    let paul = s.user("personal").await;
    let book = p
        .address_book_create(&t, "Elternvertretung", "Kontakte der Pflegschaft")
        .await
        .expect("created");
    assert_eq!(book.kind, BookKind::Shared);
    p.contact_put(
        &t,
        book.id,
        "m.vcf",
        card("m-1", "Maria Muster", "maria@example.org").as_bytes(),
        Precondition::None,
    )
    .await
    .expect("stored");
    // Shared with class 5a to read, with Paul to write.
    let class = p.address_book_share_target(&t, "5a").await.expect("5a");
    p.address_book_share(&t, book.id, class, ShareLevel::Read)
        .await
        .expect("shared");
    let paul_id = p
        .address_book_share_target(&t, "personal")
        .await
        .expect("paul");
    assert_eq!(paul_id, ShareWith::User(paul.user.id));
    p.address_book_share(&t, book.id, paul_id, ShareLevel::Write)
        .await
        .expect("shared");
    assert_eq!(
        p.address_book_shares(&t, book.id)
            .await
            .expect("shares")
            .len(),
        2
    );

    let seen = p.address_book(&anna, book.id).await.expect("anna reads");
    assert_eq!(seen.access, BookAccess::Read);
    assert_eq!(p.contact_all(&anna, book.id).await.expect("all").len(), 1);
    assert!(matches!(
        p.contact_put(
            &anna,
            book.id,
            "a.vcf",
            card("a-1", "Anna", "a@example.org").as_bytes(),
            Precondition::None
        )
        .await,
        Err(ContactsError::Forbidden)
    ));
    assert!(matches!(
        p.contact_delete(&anna, book.id, "m.vcf", Precondition::None)
            .await,
        Err(ContactsError::Forbidden)
    ));
    // Carla is in 5b: the book does not exist for her.
    assert!(matches!(
        p.address_book(&carla, book.id).await,
        Err(ContactsError::NotFound)
    ));
    assert_eq!(p.address_books(&carla).await.expect("books").len(), 1);

    // Paul writes, but neither renames, shares nor deletes the book.
    assert_eq!(
        p.address_book(&paul, book.id).await.expect("paul").access,
        BookAccess::Write
    );
    p.contact_put(
        &paul,
        book.id,
        "p.vcf",
        card("p-1", "Peter Pflegschaft", "peter@example.org").as_bytes(),
        Precondition::IfNoneMatch,
    )
    .await
    .expect("paul writes");
    assert!(matches!(
        p.address_book_update(&paul, book.id, "Meins", "").await,
        Err(ContactsError::Forbidden)
    ));
    assert!(matches!(
        p.address_book_share(
            &paul,
            book.id,
            ShareWith::User(anna.user.id),
            ShareLevel::Write
        )
        .await,
        Err(ContactsError::Forbidden)
    ));
    assert!(matches!(
        p.address_book_delete(&paul, book.id).await,
        Err(ContactsError::Forbidden)
    ));
    // The suggestions while writing a mail come from the books one sees.
    let found = p
        .contact_addresses(&anna, "peter", 10)
        .await
        .expect("found");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].address, "peter@example.org");
    assert!(
        p.contact_addresses(&carla, "peter", 10)
            .await
            .expect("none")
            .is_empty()
    );

    // Unsharing ends it; the personal book cannot be deleted, a further one can.
    p.address_book_unshare(&t, book.id, class)
        .await
        .expect("unshared");
    assert!(matches!(
        p.address_book(&anna, book.id).await,
        Err(ContactsError::NotFound)
    ));
    let personal = p.personal_address_book(&t).await.expect("personal");
    assert!(p.address_book_delete(&t, personal.id).await.is_err());
    p.address_book_delete(&t, book.id).await.expect("deleted");
    assert!(matches!(
        p.address_book(&paul, book.id).await,
        Err(ContactsError::NotFound)
    ));
}

async fn nothing_crosses_schools(db: Db) {
    let s = school(db.clone()).await;
    let other = school_on(platform(db), "654321").await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let foreign = other.user("lehrer").await;
    let book = p.personal_address_book(&t).await.expect("book");
    assert!(matches!(
        p.address_book(&foreign, book.id).await,
        Err(ContactsError::NotFound)
    ));
    assert!(matches!(
        p.contact_changes(&foreign, book.id, None).await,
        Err(ContactsError::NotFound)
    ));
    // A login or group of the other school is no one to share with.
    let theirs = other
        .platform
        .personal_address_book(&foreign)
        .await
        .expect("theirs");
    assert!(
        p.address_book_share(
            &t,
            book.id,
            ShareWith::User(foreign.user.id),
            ShareLevel::Read
        )
        .await
        .is_err()
    );
    assert!(matches!(
        p.address_book(&t, theirs.id).await,
        Err(ContactsError::NotFound)
    ));
}

async fn preconditions_and_uids_are_kept(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let book = p.personal_address_book(&t).await.expect("book").id;
    let first = card("uid-1", "Erika Mustermann", "erika@example.org");
    let put = p
        .contact_put(
            &t,
            book,
            "e.vcf",
            first.as_bytes(),
            Precondition::IfNoneMatch,
        )
        .await
        .expect("created");
    // Stored byte for byte.
    assert_eq!(
        p.contact_get(&t, book, "e.vcf").await.expect("get").raw,
        first
    );
    // If-None-Match: * on an existing name fails; so does a stale If-Match.
    assert!(matches!(
        p.contact_put(
            &t,
            book,
            "e.vcf",
            first.as_bytes(),
            Precondition::IfNoneMatch
        )
        .await,
        Err(ContactsError::PreconditionFailed)
    ));
    let second = first.replace("Erika", "Erika B.");
    let changed = p
        .contact_put(
            &t,
            book,
            "e.vcf",
            second.as_bytes(),
            Precondition::IfMatch(format!("\"{}\"", put.info.etag)),
        )
        .await
        .expect("changed");
    assert!(!changed.created);
    assert_ne!(changed.info.etag, put.info.etag);
    assert!(matches!(
        p.contact_put(
            &t,
            book,
            "e.vcf",
            first.as_bytes(),
            Precondition::IfMatch(put.info.etag.clone())
        )
        .await,
        Err(ContactsError::PreconditionFailed)
    ));
    assert!(matches!(
        p.contact_delete(&t, book, "e.vcf", Precondition::IfMatch("\"alt\"".into()))
            .await,
        Err(ContactsError::PreconditionFailed)
    ));
    // The same UID under another name is a conflict naming the first.
    match p
        .contact_put(&t, book, "f.vcf", first.as_bytes(), Precondition::None)
        .await
    {
        Err(ContactsError::UidConflict { href }) => assert_eq!(href, "e.vcf"),
        other => panic!("expected a UID conflict, got {other:?}"),
    }
    // Broken, too large, or not a name at all: refused, nothing stored.
    let broken = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\n";
    assert!(matches!(
        p.contact_put(&t, book, "b.vcf", broken.as_bytes(), Precondition::None)
            .await,
        Err(ContactsError::InvalidData { .. })
    ));
    let huge = card("h", &"x".repeat(300 * 1024), "h@example.org");
    assert!(matches!(
        p.contact_put(&t, book, "h.vcf", huge.as_bytes(), Precondition::None)
            .await,
        Err(ContactsError::TooLarge { .. })
    ));
    assert!(
        p.contact_put(&t, book, "../x.vcf", first.as_bytes(), Precondition::None)
            .await
            .is_err()
    );
    // A card without UID gets one, and the caller learns the text changed.
    let no_uid = "BEGIN:VCARD\nVERSION:3.0\nFN:Ohne Uid\nEND:VCARD\n";
    let out = p
        .contact_put(&t, book, "n.vcf", no_uid.as_bytes(), Precondition::None)
        .await
        .expect("stored");
    assert!(!out.stored_as_sent);
    let stored = p.contact_get(&t, book, "n.vcf").await.expect("get").raw;
    assert!(stored.contains(&format!("UID:{}", out.info.uid)));
    let all = p.contact_all(&t, book).await.expect("all");
    assert_eq!(all.len(), 2);
}

async fn sync_tokens_report_changes_and_deletions(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let book = p.personal_address_book(&t).await.expect("book");
    assert_eq!(book.modseq, 0);
    for (h, u) in [("a.vcf", "a"), ("b.vcf", "b"), ("c.vcf", "c")] {
        p.contact_put(
            &t,
            book.id,
            h,
            card(u, &format!("Person {u}"), &format!("{u}@example.org")).as_bytes(),
            Precondition::None,
        )
        .await
        .expect("stored");
    }
    let initial = p.contact_changes(&t, book.id, None).await.expect("initial");
    assert_eq!(initial.modseq, 3);
    assert_eq!(initial.changed.len(), 3);
    assert!(initial.deleted.is_empty());
    // One change and one deletion later.
    p.contact_put(
        &t,
        book.id,
        "b.vcf",
        card("b", "Person B neu", "b@example.org").as_bytes(),
        Precondition::None,
    )
    .await
    .expect("changed");
    p.contact_delete(&t, book.id, "c.vcf", Precondition::None)
        .await
        .expect("deleted");
    let delta = p
        .contact_changes(&t, book.id, Some(initial.modseq))
        .await
        .expect("delta");
    assert_eq!(delta.modseq, 5);
    let changed: Vec<&str> = delta.changed.iter().map(|c| c.href.as_str()).collect();
    assert_eq!(changed, ["b.vcf"]);
    assert_eq!(delta.deleted, ["c.vcf"]);
    assert_eq!(p.address_book(&t, book.id).await.expect("book").ctag(), "5");
    // Nothing new since the latest token; a token from the future is refused.
    let none = p.contact_changes(&t, book.id, Some(5)).await.expect("none");
    assert!(none.changed.is_empty() && none.deleted.is_empty());
    assert!(matches!(
        p.contact_changes(&t, book.id, Some(99)).await,
        Err(ContactsError::InvalidSyncToken)
    ));
    // A name used again after its deletion lives again and leaves no tombstone behind.
    p.contact_put(
        &t,
        book.id,
        "c.vcf",
        card("c2", "Person C2", "c2@example.org").as_bytes(),
        Precondition::IfNoneMatch,
    )
    .await
    .expect("again");
    let after = p
        .contact_changes(&t, book.id, Some(5))
        .await
        .expect("after");
    assert!(after.deleted.is_empty());
    assert_eq!(after.changed.len(), 1);
    // Multiget leaves out what is not there.
    let got = p
        .contact_multiget(
            &t,
            book.id,
            &["a.vcf".into(), "weg.vcf".into(), "c.vcf".into()],
        )
        .await
        .expect("multiget");
    assert_eq!(got.len(), 2);
    // The export holds every stored text.
    let vcf = p.address_book_export(&t, book.id).await.expect("export");
    assert_eq!(vcf.matches("BEGIN:VCARD").count(), 3);
    assert!(vcf.contains("Person B neu"));
}

backend_tests!(
    every_person_has_a_private_personal_book,
    function_accounts_never_see_personal_books,
    shares_give_read_or_write_and_only_owners_manage,
    nothing_crosses_schools,
    preconditions_and_uids_are_kept,
    sync_tokens_report_changes_and_deletions,
);
