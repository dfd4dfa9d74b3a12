//! A folder's page in one statement: visibility, filter, order and page inside SQL, with
//! the counts of the folder, on SQLite and PostgreSQL alike.

use chrono::{Duration, TimeZone, Utc};
use schulhof_store::files::{self, ChildFilter, NewNode, PageQuery, PageSort};
use schulhof_store::instances::InstanceRow;
use schulhof_store::{Db, backend_tests, instances};
use schulhof_types::{InstanceId, NodeId, UserId};
use uuid::Uuid;

async fn school(db: &Db) -> InstanceId {
    let id = InstanceId::new();
    let mut tx = db.begin().await.expect("tx");
    instances::insert(
        &mut tx,
        &InstanceRow {
            id,
            school_number: "100001".into(),
            name: "Schule".into(),
            mail_domain: "100001.nrw.schule".into(),
            demo: false,
            created_at: Utc::now(),
            time_zone: "Europe/Berlin".into(),
        },
    )
    .await
    .expect("insert instance");
    tx.commit().await.expect("commit");
    id
}

fn query(sort: PageSort, descending: bool, contains: &str, limit: i64, offset: i64) -> PageQuery {
    PageQuery {
        sort,
        descending,
        contains: contains.into(),
        limit,
        offset,
    }
}

/// 2,000 files and 3 folders, with names that sort differently by case or by locale, one
/// file withdrawn from inheritance (hidden), one in a submitter's namespace.
async fn a_page_of_a_large_folder_comes_in_one_statement(db: Db) {
    let instance = school(&db).await;
    let owner = UserId::new();
    let keys = format!("|u:{owner}|t:lehrer|");
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("time");
    let mut tx = db.begin().await.expect("tx");
    let root = files::ensure_root(
        &mut tx,
        instance,
        "own",
        owner.0,
        &[(format!("u:{owner}"), 3)],
        start,
    )
    .await
    .expect("root");
    let mut names: Vec<(String, String, bool)> = (0..2000)
        .map(|i| {
            (
                format!("datei-{i:04}.txt"),
                format!("datei-{i:04}.txt"),
                false,
            )
        })
        .collect();
    names.push(("Zeta".into(), "zeta".into(), true));
    names.push(("alpha".into(), "alpha".into(), true));
    names.push(("Äpfel".into(), "äpfel".into(), true));
    names.push(("B.TXT".into(), "b.txt".into(), false));
    // A submission in a drop folder's namespace still sorts by its name.
    names.push((
        "aaa.txt".into(),
        format!("{}/aaa.txt", Uuid::nil().simple()),
        false,
    ));
    for (i, (name, key, is_dir)) in names.iter().enumerate() {
        let node = NewNode {
            id: NodeId(Uuid::now_v7()),
            parent_id: root,
            area: "own".into(),
            owner_id: owner.0,
            name: name.clone(),
            name_key: key.clone(),
            is_dir: *is_dir,
            blob_sha: None,
            size: (i % 7) as i64,
            mime: None,
            by: owner,
        };
        let at = start + Duration::seconds(i as i64);
        files::insert(&mut tx, instance, &node, at)
            .await
            .expect("insert");
    }
    tx.commit().await.expect("commit");
    let filter = ChildFilter {
        parent_visible: true,
        only_created_by: None,
    };
    let mut c = db.read().await.expect("read");
    let page = |q: PageQuery| {
        let keys = keys.clone();
        let db = db.clone();
        async move {
            let mut c = db.read().await.expect("read");
            files::children_page(&mut c, instance, root, &keys, filter, &q)
                .await
                .expect("page")
        }
    };
    let started = std::time::Instant::now();
    let first = files::children_page(
        &mut c,
        instance,
        root,
        &keys,
        filter,
        &query(PageSort::Name, false, "", 500, 0),
    )
    .await
    .expect("page");
    eprintln!("first page of 2,005: {:?}", started.elapsed());
    assert_eq!((first.total, first.matching), (2005, 2005));
    assert_eq!(first.rows.len(), 500);
    let shown: Vec<&str> = first.rows.iter().take(6).map(|r| r.name.as_str()).collect();
    assert_eq!(
        shown,
        [
            "alpha",
            "Zeta",
            "Äpfel",
            "aaa.txt",
            "B.TXT",
            "datei-0000.txt"
        ]
    );
    assert!(
        first
            .rows
            .iter()
            .all(|r| r.own_role.is_none() && r.deleted_at.is_none())
    );

    let last = page(query(PageSort::Name, true, "", 500, 2000)).await;
    let tail: Vec<&str> = last.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        tail,
        [
            "datei-0002.txt",
            "datei-0001.txt",
            "datei-0000.txt",
            "B.TXT",
            "aaa.txt"
        ]
    );

    let newest = page(query(PageSort::Modified, true, "", 2, 0)).await;
    let newest: Vec<&str> = newest.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(newest, ["Äpfel", "alpha"], "folders first, then the newest");

    let found = page(query(PageSort::Size, false, "0_9", 10, 0)).await;
    assert_eq!((found.total, found.matching), (2005, 0), "_ is no wildcard");
    assert!(found.rows.is_empty());
    let found = page(query(PageSort::Name, false, "ä", 10, 0)).await;
    let found: Vec<&str> = found.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(found, ["Äpfel"]);
    let found = page(query(PageSort::Name, false, "199", 10, 0)).await;
    assert_eq!((found.matching, found.rows.len()), (12, 10));
}

backend_tests!(a_page_of_a_large_folder_comes_in_one_statement);
