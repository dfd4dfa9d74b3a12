//! A folder's page as the file manager asks for it: sorted by name (case-folded, byte by
//! byte, folders first), date or size in both directions, filtered by name and cut into
//! pages inside SQL, with the counts for the pager; on SQLite and PostgreSQL alike.

use crate::file_support;
use chrono::Duration;
use file_support::*;
use schulhof_authz::files::{Area, FileRole};
use schulhof_domain::Db;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::files::{ListOrder, ListPage, ListQuery, Located, SortKey};
use schulhof_domain::identity::Actor;
use schulhof_store::backend_tests;

fn query(key: SortKey, descending: bool) -> ListQuery {
    ListQuery {
        order: ListOrder { key, descending },
        ..ListQuery::all()
    }
}

fn names(page: &ListPage) -> Vec<&str> {
    page.rows.iter().map(|l| l.entry.name.as_str()).collect()
}

async fn page(s: &School, a: &Actor, folder: &Located, q: &ListQuery) -> ListPage {
    s.platform
        .file_listing(a, folder, q)
        .await
        .expect("listing")
}

async fn pages_sort_filter_and_count_in_sql(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    let folder = s.mkdir(&t, &own, "Liste").await;
    // Oldest first: the order of upload is the order of date.
    for (name, size) in [("b.txt", 1), ("A.txt", 3), ("zebra.txt", 2), ("Ä.txt", 2)] {
        s.clock.advance(Duration::minutes(1));
        s.put(&t, &folder, name, &vec![b'x'; size])
            .await
            .expect("upload");
    }
    s.mkdir(&t, &folder, "ordner").await;
    s.mkdir(&t, &folder, "Äpfel").await;

    let by_name = page(&s, &t, &folder, &query(SortKey::Name, false)).await;
    assert_eq!(
        names(&by_name),
        ["ordner", "Äpfel", "A.txt", "b.txt", "zebra.txt", "Ä.txt"],
        "folders first, then by the case-folded name, byte by byte"
    );
    assert_eq!((by_name.total, by_name.matching, by_name.pages), (6, 6, 1));
    let by_name_down = page(&s, &t, &folder, &query(SortKey::Name, true)).await;
    assert_eq!(
        names(&by_name_down),
        ["Äpfel", "ordner", "Ä.txt", "zebra.txt", "b.txt", "A.txt"]
    );
    let by_size = page(&s, &t, &folder, &query(SortKey::Size, false)).await;
    assert_eq!(
        names(&by_size),
        ["ordner", "Äpfel", "b.txt", "zebra.txt", "Ä.txt", "A.txt"],
        "equal sizes by name"
    );
    let by_size_down = page(&s, &t, &folder, &query(SortKey::Size, true)).await;
    assert_eq!(
        names(&by_size_down),
        ["Äpfel", "ordner", "A.txt", "Ä.txt", "zebra.txt", "b.txt"]
    );
    let by_date = page(&s, &t, &folder, &query(SortKey::Modified, false)).await;
    assert_eq!(
        names(&by_date),
        ["ordner", "Äpfel", "b.txt", "A.txt", "zebra.txt", "Ä.txt"]
    );
    let by_date_down = page(&s, &t, &folder, &query(SortKey::Modified, true)).await;
    assert_eq!(
        names(&by_date_down),
        ["Äpfel", "ordner", "Ä.txt", "zebra.txt", "A.txt", "b.txt"]
    );

    // Pages of two; a page past the last shows the last.
    let mut q = query(SortKey::Name, false);
    q.per_page = 2;
    q.page = 2;
    let second = page(&s, &t, &folder, &q).await;
    assert_eq!(names(&second), ["A.txt", "b.txt"]);
    assert_eq!((second.page, second.pages, second.total), (2, 3, 6));
    q.page = 9;
    let last = page(&s, &t, &folder, &q).await;
    assert_eq!(names(&last), ["zebra.txt", "Ä.txt"]);
    assert_eq!((last.page, last.pages), (3, 3));

    // The filter ignores case, and its wildcards are plain characters.
    let mut q = query(SortKey::Name, false);
    q.filter = " A ".to_owned();
    let a = page(&s, &t, &folder, &q).await;
    assert_eq!(names(&a), ["A.txt", "zebra.txt"]);
    assert_eq!((a.total, a.matching), (6, 2));
    q.filter = "ä".to_owned();
    assert_eq!(names(&page(&s, &t, &folder, &q).await), ["Äpfel", "Ä.txt"]);
    q.filter = "%".to_owned();
    let none = page(&s, &t, &folder, &q).await;
    assert!(none.rows.is_empty());
    assert_eq!(
        (none.total, none.matching, none.pages),
        (6, 0, 1),
        "an empty page still counts the folder"
    );
}

async fn a_drop_folder_sorts_by_name_across_submitters(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    let drop = s.mkdir(&t, &own, "Abgabe").await;
    s.platform
        .file_set_drop_box(&t, &drop, true)
        .await
        .expect("drop box");
    let class = s
        .platform
        .file_subject_by_name(&t, "5a")
        .await
        .expect("group");
    s.platform
        .file_share(&t, &drop, class, FileRole::Contributor)
        .await
        .expect("share");
    for (login, names) in [
        ("anna", ["Zeta.txt", "mitte.txt"]),
        ("ben", ["alpha.txt", "Omega.txt"]),
    ] {
        let a = s.user(login).await;
        let theirs = s
            .platform
            .locate(&a, drop.node().id)
            .await
            .expect("sees it");
        for name in names {
            s.put(&a, &theirs, name, b"Abgabe").await.expect("hands in");
        }
    }
    let all = page(&s, &t, &drop, &query(SortKey::Name, false)).await;
    assert_eq!(
        names(&all),
        ["alpha.txt", "mitte.txt", "Omega.txt", "Zeta.txt"],
        "by name, not by whose namespace"
    );
    let anna = s.user("anna").await;
    let hers = s
        .platform
        .locate(&anna, drop.node().id)
        .await
        .expect("sees it");
    let mine = page(&s, &anna, &hers, &query(SortKey::Name, true)).await;
    assert_eq!(names(&mine), ["Zeta.txt", "mitte.txt"]);
    assert_eq!((mine.total, mine.matching), (2, 2), "only her own count");
}

backend_tests!(
    pages_sort_filter_and_count_in_sql,
    a_drop_folder_sorts_by_name_across_submitters,
);
