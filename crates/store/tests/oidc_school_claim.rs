//! The school number became a claim a tool is registered for: tools registered before it was
//! a choice keep receiving it after the upgrade (migration 0082), once, and tools registered
//! later receive it only where the registration says so.

use schulhof_store::oidc::{ClientRow, clients};
use schulhof_store::{Db, backend_tests, migrate, on};

fn tool(client_id: &str, claims: &[&str]) -> ClientRow {
    ClientRow {
        id: uuid::Uuid::now_v7(),
        instance: None,
        client_id: client_id.into(),
        name: client_id.into(),
        secret_hash: None,
        public: true,
        redirect_uris: vec![format!("https://{client_id}.example/cb")],
        post_logout_uris: vec![],
        claims: claims.iter().map(|c| (*c).to_owned()).collect(),
        terms: String::new(),
        sector: format!("{client_id}.example"),
        created_at: 1,
        backchannel_logout_uri: String::new(),
        frontchannel_logout_uri: String::new(),
        terms_url: String::new(),
        id_token_alg: "RS256".into(),
    }
}

async fn claims_of(db: &Db, client_id: &str) -> Vec<String> {
    let mut c = db.read().await.expect("read");
    let mut v = clients::by_client_id(&mut c, client_id)
        .await
        .expect("read client")
        .expect("client")
        .claims;
    v.sort();
    v
}

async fn earlier_tools_keep_the_school_number(db: Db) {
    let mut tx = db.begin().await.expect("tx");
    for (id, claims) in [
        ("bare", &[][..]),
        ("named", &["name", "email"][..]),
        ("already", &["school", "role"][..]),
    ] {
        clients::insert(&mut tx, &tool(id, claims))
            .await
            .expect("insert");
    }
    // As if these tools were registered before the upgrade: the migration runs again.
    on!(&mut tx, c => sqlx::query("DELETE FROM schema_migrations WHERE version = 82")
        .execute(&mut *c).await.map(|r| r.rows_affected()))
    .expect("forget 0082");
    tx.commit().await.expect("commit");
    migrate(&db, 2).await.expect("migrate");
    assert_eq!(claims_of(&db, "bare").await, ["school"]);
    assert_eq!(claims_of(&db, "named").await, ["email", "name", "school"]);
    assert_eq!(claims_of(&db, "already").await, ["role", "school"]);
    // A tool registered after the upgrade gets only what it was registered for.
    let mut tx = db.begin().await.expect("tx");
    clients::insert(&mut tx, &tool("later", &["role"]))
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    migrate(&db, 3).await.expect("migrate again");
    assert_eq!(claims_of(&db, "later").await, ["role"]);
}

backend_tests!(earlier_tools_keep_the_school_number);
