//! What a CardDAV addressbook-multiget costs in SQL statements, through the whole application
//! (Basic login, the book, the contacts): the same for 10 and for 100 contacts, on SQLite and
//! PostgreSQL. And on PostgreSQL, the plan PostgreSQL keeps for the multiget (and for the UID
//! look-up of an import) on a filled address book without statistics: each name through the
//! book's unique index, never a read of the whole book. Run under nextest (one process per
//! test), since the counter (`store::testing::statements`) is the process's tracing
//! subscriber and the router runs in this process.

use crate::common;
use crate::support;
use axum::http::StatusCode;
use common::TestApp;
use schulhof_domain::identity::Actor;
use schulhof_store::contacts::cards;
use schulhof_store::testing::{TestDb, statements};
use schulhof_store::{AsConn, Conn, Db, backend_tests};
use schulhof_types::AddressBookId;
use support::{actor, dav, switch};

const BOOK: &str = "/dav/addressbooks/lehrer/persoenlich/";

/// The ceiling for one multiget: the login (account, password check, session facts), the
/// school's switch, the book and the contacts; a little room for the login's own.
const MULTIGET_MAX: usize = 8;

/// The teacher's personal book with `n` imported contacts ("Kontakt 0" …), CardDAV on; the
/// contacts' names in the order they were imported.
async fn filled(app: &TestApp, n: usize) -> (Actor, AddressBookId, Vec<String>) {
    let admin = app.ready("admin").await;
    switch(app, &admin, true).await;
    let cookie = app.ready("lehrer").await;
    let a = actor(app, &cookie).await;
    let book = app
        .platform
        .personal_address_book(&a)
        .await
        .expect("personal book")
        .id;
    let vcf: String = (0..n)
        .map(|i| {
            format!(
                "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:k{i}@test.invalid\r\nFN:Kontakt {i} <&>\r\n\
                 N:{i};Kontakt;;;\r\nEMAIL:k{i}@example.org\r\nEND:VCARD\r\n"
            )
        })
        .collect();
    let report = app
        .platform
        .contact_import(&a, book, vcf.as_bytes())
        .await
        .expect("import");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.created, n);
    let mut all = app.platform.contact_all(&a, book).await.expect("all");
    all.sort_by_key(|c| {
        c.info.uid[1..]
            .split('@')
            .next()
            .unwrap_or("")
            .parse::<usize>()
            .ok()
    });
    (a, book, all.into_iter().map(|c| c.info.href).collect())
}

fn multiget(names: &[String]) -> String {
    let hrefs: String = names
        .iter()
        .map(|h| format!("<d:href>{BOOK}{h}</d:href>"))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">
<d:prop><d:getetag/><card:address-data/></d:prop>{hrefs}</card:addressbook-multiget>"#
    )
}

fn responses(body: &str) -> usize {
    body.matches("<d:response>").count() + body.matches("<D:response>").count()
}

/// A multiget of these names as the teacher, and the statements it cost.
async fn report(app: &TestApp, names: &[String]) -> (support::Answer, usize) {
    let before = statements::so_far();
    let r = dav(
        app,
        "lehrer",
        "REPORT",
        BOOK,
        &[
            ("depth", "1"),
            ("content-type", "application/xml; charset=utf-8"),
        ],
        &multiget(names),
    )
    .await;
    (r, statements::so_far() - before)
}

/// The fewest statements of `n` tries of one multiget (another task of the server, such as a
/// connection the pool opens, may add one to a single try).
async fn fewest(app: &TestApp, names: &[String], n: usize) -> usize {
    let mut best = usize::MAX;
    for _ in 0..n {
        let (r, spent) = report(app, names).await;
        assert_eq!(r.status, StatusCode::MULTI_STATUS, "{}", r.body);
        assert_eq!(
            responses(&r.body),
            names.len(),
            "{}",
            &r.body[..r.body.len().min(600)]
        );
        best = best.min(spent);
    }
    best
}

async fn multiget_costs_the_same_for_10_and_100_contacts(db: Db) {
    if !statements::install() {
        eprintln!("another subscriber is installed (not under nextest): not counting");
        return;
    }
    let app = TestApp::new(db).await;
    let (_, _, names) = filled(&app, 120).await;
    let ten = fewest(&app, &names[..10], 3).await;
    let hundred = fewest(&app, &names[..100], 3).await;
    // Texts answered, and a name asked twice or not at all does not cost more either.
    let mut asked: Vec<String> = names[..100].to_vec();
    asked.push(names[99].clone());
    asked.push("gibtsnicht.vcf".into());
    let (r, odd) = report(&app, &asked).await;
    assert_eq!(r.status, StatusCode::MULTI_STATUS, "{}", r.body);
    assert!(
        r.body.contains("FN:Kontakt 99 &lt;&amp;&gt;"),
        "texts answered: {}",
        &r.body[..r.body.len().min(600)]
    );
    assert!(
        r.body.contains("gibtsnicht.vcf"),
        "the missing name answered"
    );
    eprintln!("statements of an addressbook-multiget: {ten} (10 contacts), {hundred} (100)");
    assert_eq!(ten, hundred, "not one per contact");
    assert!(hundred <= MULTIGET_MAX, "{hundred} statements");
    assert!(
        odd <= hundred + 1,
        "{odd} statements with a repeated and a missing name"
    );
}

/// The plan PostgreSQL keeps for `sql` once it plans without the values (as it does after
/// five runs of a prepared statement), with these literal arguments.
async fn generic_plan(db: &Db, sql: &str, args: &str) -> String {
    let mut h = db.read().await.expect("connection");
    let Conn::Pg(pg) = h.conn() else {
        panic!("PostgreSQL only");
    };
    let prepare = format!("PREPARE probe(text[], uuid, uuid) AS {sql}");
    for s in [prepare.as_str(), "SET plan_cache_mode = force_generic_plan"] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(s.to_owned()))
            .execute(&mut *pg)
            .await
            .expect(s);
    }
    let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "EXPLAIN EXECUTE probe({args})"
    )))
    .fetch_all(&mut *pg)
    .await
    .expect("explain");
    for s in ["DEALLOCATE probe", "RESET plan_cache_mode"] {
        sqlx::raw_sql(s).execute(&mut *pg).await.expect(s);
    }
    rows.into_iter()
        .map(|(l,)| l)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multiget_uses_the_unique_index_without_statistics_on_postgres() {
    let t = TestDb::postgres().await;
    // No statistics: autovacuum must not analyse the table behind the test's back.
    {
        let mut h = t.db.read().await.expect("connection");
        let Conn::Pg(pg) = h.conn() else {
            unreachable!("PostgreSQL")
        };
        sqlx::raw_sql("ALTER TABLE contacts SET (autovacuum_enabled = false)")
            .execute(&mut *pg)
            .await
            .expect("autovacuum off");
    }
    let app = TestApp::new(t.db.clone()).await;
    let (a, book, names) = filled(&app, 3000).await;
    {
        let mut h = t.db.read().await.expect("connection");
        let Conn::Pg(pg) = h.conn() else {
            unreachable!("PostgreSQL")
        };
        let (stats,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM pg_stats WHERE tablename = 'contacts'")
                .fetch_one(&mut *pg)
                .await
                .expect("stats");
        assert_eq!(stats, 0, "the table has no statistics");
    }
    let list = |v: &[String]| {
        let quoted: Vec<String> = v.iter().map(|s| format!("'{s}'")).collect();
        format!("ARRAY[{}]::text[]", quoted.join(", "))
    };
    let uids: Vec<String> = (0..100).map(|i| format!("k{i}@test.invalid")).collect();
    let instance = a.token.instance();
    for (what, sql, args) in [
        ("multiget", cards::BY_HREFS_PG, list(&names[..100])),
        ("uids of an import", cards::HREFS_OF_UIDS_PG, list(&uids)),
    ] {
        let args = format!("{args}, '{}'::uuid, '{}'::uuid", book.0, instance.0);
        let plan = generic_plan(&t.db, sql, &args).await;
        eprintln!("{what}:\n{plan}");
        assert!(
            !plan.contains("Seq Scan"),
            "{what} scans the table:\n{plan}"
        );
        let column = if what == "multiget" { "href" } else { "uid" };
        assert!(
            plan.lines()
                .any(|l| l.contains("Index Cond") && l.contains(&format!("{column} = n.wanted"))),
            "{what} does not look each {column} up by the index:\n{plan}"
        );
    }
    // And the statements answer what they should.
    let mut c = t.db.read().await.expect("connection");
    let got = cards::by_hrefs(&mut c, instance, book, &names[..100])
        .await
        .expect("multiget");
    assert_eq!(got.len(), 100);
    let known = cards::hrefs_of_uids(&mut c, instance, book, &uids)
        .await
        .expect("uids");
    assert_eq!(known.len(), 100);
    drop(c);
    drop(app);
    t.db.close().await;
}

backend_tests!(multiget_costs_the_same_for_10_and_100_contacts);
