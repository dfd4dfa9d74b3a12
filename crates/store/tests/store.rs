//! Storage scenarios, each run on SQLite and on PostgreSQL.

use chrono::Utc;
use schulhof_store::instances::InstanceRow;
use schulhof_store::testing::TestDb;
use schulhof_store::users::{ListScope, UserRow};
use schulhof_store::{Db, backend_tests, grants, groups, instances, migrate, schema_shape, users};
use schulhof_types::{GroupId, InstanceId, UserId};

async fn school(db: &Db, number: &str) -> InstanceId {
    let id = InstanceId::new();
    let mut tx = db.begin().await.expect("tx");
    instances::insert(
        &mut tx,
        &InstanceRow {
            id,
            school_number: number.into(),
            name: format!("Schule {number}"),
            mail_domain: format!("{number}.nrw.schule"),
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

fn person(instance: InstanceId, login: &str) -> UserRow {
    UserRow {
        instance_id: instance,
        id: UserId::new(),
        login: login.into(),
        kind: "lehrer".into(),
        function_role: None,
        holder_id: None,
        first_name: "Anna".into(),
        last_name: "Schmidt".into(),
        mail: format!("{login}@x.nrw.schule"),
        external_mail: None,
        password_hash: None,
        must_change_password: false,
        active: true,
        created_at: Utc::now(),
    }
}

async fn migrating_twice_changes_nothing(db: Db) {
    migrate(&db, 1).await.expect("second migrate is a no-op");
}

async fn rows_never_cross_schools(db: Db) {
    let a = school(&db, "111111").await;
    let b = school(&db, "222222").await;
    let mut tx = db.begin().await.expect("tx");
    let anna = person(a, "anna");
    users::insert(&mut tx, &anna, Utc::now())
        .await
        .expect("insert");
    // The same login may exist in another school.
    users::insert(&mut tx, &person(b, "anna"), Utc::now())
        .await
        .expect("same login elsewhere");
    let dup = users::insert(&mut tx, &person(a, "anna"), Utc::now())
        .await
        .expect_err("dup login");
    assert!(dup.is_unique_violation(), "{dup}");
    drop(tx);

    let mut tx = db.begin().await.expect("tx");
    users::insert(&mut tx, &anna, Utc::now())
        .await
        .expect("insert");
    users::insert(&mut tx, &person(b, "anna"), Utc::now())
        .await
        .expect("insert");
    let group = groups::GroupRow {
        instance_id: a,
        id: GroupId::new(),
        name: "5a".into(),
        kind: "klasse".into(),
        description: String::new(),
    };
    groups::insert(&mut tx, &group, Utc::now())
        .await
        .expect("group");
    groups::add_member(&mut tx, a, group.id, anna.id, Utc::now())
        .await
        .expect("member");
    grants::grant(
        &mut tx,
        a,
        grants::Subject::User(anna.id.0),
        "news.author",
        anna.id,
        Utc::now(),
    )
    .await
    .expect("grant");
    tx.commit().await.expect("commit");

    let mut c = db.read().await.expect("read");
    assert!(
        users::get(&mut c, b, anna.id).await.expect("get").is_none(),
        "user visible across schools"
    );
    assert!(
        groups::get(&mut c, b, group.id)
            .await
            .expect("get")
            .is_none()
    );
    assert!(
        groups::members(&mut c, b, group.id)
            .await
            .expect("members")
            .is_empty()
    );
    assert!(
        grants::for_user(&mut c, b, anna.id)
            .await
            .expect("grants")
            .is_empty()
    );
    assert_eq!(
        grants::for_user(&mut c, a, anna.id).await.expect("grants"),
        vec!["news.author"]
    );
    let in_b = users::list(&mut c, b, ListScope::All, "", None, 100, 0)
        .await
        .expect("list");
    assert!(in_b.iter().all(|u| u.instance_id == b) && in_b.len() == 1);
}

async fn search_escapes_like_wildcards(db: Db) {
    let a = school(&db, "333333").await;
    let mut tx = db.begin().await.expect("tx");
    users::insert(&mut tx, &person(a, "ab"), Utc::now())
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    let mut c = db.read().await.expect("read");
    assert_eq!(
        users::list(&mut c, a, ListScope::All, "%", None, 10, 0)
            .await
            .expect("list")
            .len(),
        0
    );
    assert_eq!(
        users::list(&mut c, a, ListScope::All, "AB", None, 10, 0)
            .await
            .expect("list")
            .len(),
        1
    );
}

backend_tests!(
    migrating_twice_changes_nothing,
    rows_never_cross_schools,
    search_escapes_like_wildcards
);

#[tokio::test]
async fn both_dialects_yield_the_same_schema() {
    let lite = TestDb::sqlite().await;
    let pg = TestDb::postgres().await;
    let mut a = schema_shape(&mut lite.db.read().await.expect("read"))
        .await
        .expect("shape");
    let mut b = schema_shape(&mut pg.db.read().await.expect("read"))
        .await
        .expect("shape");
    a.sort();
    b.sort();
    assert!(!a.is_empty());
    assert_eq!(a, b);
}
