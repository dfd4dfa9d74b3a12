//! The person behind a tool's grant in one statement (`oidc::person::active_person`) says
//! what the four separate reads say: login, school, hold, groups (not archived) and rights
//! (direct and through groups); nothing of another school; nothing of an inactive login.
//! The same read by a session's token (`session_person`, the SSO authorization's) says what
//! the session read and the separate reads say.

use chrono::Utc;
use schulhof_store::four_eyes::{self, Hold};
use schulhof_store::instances::InstanceRow;
use schulhof_store::oidc::person::{active_person, session_person};
use schulhof_store::users::UserRow;
use schulhof_store::{Db, backend_tests, grants, groups, instances, on, sessions, users};
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
            time_zone: "Europe/Vienna".into(),
        },
    )
    .await
    .expect("insert instance");
    tx.commit().await.expect("commit");
    id
}

fn login(instance: InstanceId, name: &str) -> UserRow {
    UserRow {
        instance_id: instance,
        id: UserId::new(),
        login: name.into(),
        kind: "schueler".into(),
        function_role: None,
        holder_id: None,
        first_name: "Ben".into(),
        last_name: "Yilmaz".into(),
        mail: format!("{name}@x.nrw.schule"),
        external_mail: None,
        password_hash: None,
        must_change_password: false,
        active: true,
        created_at: Utc::now(),
    }
}

fn group(instance: InstanceId, name: &str) -> groups::GroupRow {
    groups::GroupRow {
        instance_id: instance,
        id: GroupId::new(),
        name: name.into(),
        kind: "klasse".into(),
        description: format!("die {name}"),
    }
}

async fn one_statement_says_what_four_say(db: Db) {
    let a = school(&db, "444444").await;
    let b = school(&db, "555555").await;
    let now = Utc::now();
    let ben = login(a, "ben");
    let plain = login(a, "plain");
    let (g5b, g5a, old) = (group(a, "5b"), group(a, "5a"), group(a, "Alt"));
    let mut tx = db.begin().await.expect("tx");
    for u in [&ben, &plain] {
        users::insert(&mut tx, u, now).await.expect("user");
    }
    for g in [&g5b, &g5a, &old] {
        groups::insert(&mut tx, g, now).await.expect("group");
        groups::add_member(&mut tx, a, g.id, ben.id, now)
            .await
            .expect("member");
    }
    on!(&mut tx, c => sqlx::query(
        "UPDATE user_groups SET archived_at = $3 WHERE instance_id = $1 AND id = $2")
        .bind(a.0).bind(old.id.0).bind(1_i64).execute(&mut *c).await.map(|r| r.rows_affected()))
    .expect("archive");
    let direct = grants::Subject::User(ben.id.0);
    grants::grant(&mut tx, a, direct, "news.author", ben.id, now)
        .await
        .expect("grant");
    let through = grants::Subject::Group(g5a.id.0);
    grants::grant(&mut tx, a, through, "calendar.school", ben.id, now)
        .await
        .expect("grant");
    let archived = grants::Subject::Group(old.id.0);
    grants::grant(&mut tx, a, archived, "admin.users", ben.id, now)
        .await
        .expect("grant");
    let hold = Hold {
        reset_by: plain.id,
        reset_by_person: plain.id,
        created_at: now,
    };
    four_eyes::put_hold(&mut tx, a, ben.id, hold)
        .await
        .expect("hold");
    tx.commit().await.expect("commit");

    let mut c = db.read().await.expect("read");
    let p = active_person(&mut c, a, ben.id)
        .await
        .expect("person")
        .expect("an active login");
    let (want_groups, want_rights) = groups::memberships_and_grants(&mut c, a, ben.id)
        .await
        .expect("four reads");
    assert_eq!(p.user.id, ben.id);
    assert_eq!(p.user.login, "ben");
    assert_eq!(p.user.kind, "schueler");
    assert_eq!(
        (p.school_number.as_str(), p.school_name.as_str(), p.demo),
        ("444444", "Schule 444444", false)
    );
    assert_eq!(p.time_zone, "Europe/Vienna");
    assert!(p.held, "the hold is seen");
    let names: Vec<&str> = p.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["5a", "5b"], "sorted, the archived group left out");
    assert_eq!(p.groups[0].description, "die 5a");
    assert_eq!(p.groups[0].kind, "klasse");
    assert!(p.groups.iter().all(|g| g.instance_id == a));
    let want: Vec<_> = want_groups.iter().map(|g| g.id).collect();
    assert_eq!(p.groups.iter().map(|g| g.id).collect::<Vec<_>>(), want);
    let (mut got, mut want) = (p.rights.clone(), want_rights);
    got.sort();
    want.sort();
    assert_eq!(got, ["calendar.school", "news.author"]);
    assert_eq!(got, want);

    let p = active_person(&mut c, a, plain.id)
        .await
        .expect("person")
        .expect("an active login");
    assert!(!p.held && p.groups.is_empty() && p.rights.is_empty());

    // Another school's id with this login: nothing, though its groups and rights exist.
    assert!(active_person(&mut c, b, ben.id).await.expect("b").is_none());
    drop(c);
    let mut tx = db.begin().await.expect("tx");
    users::set_active(&mut tx, a, ben.id, false, now)
        .await
        .expect("deactivate");
    tx.commit().await.expect("commit");
    let mut c = db.read().await.expect("read");
    assert!(
        active_person(&mut c, a, ben.id)
            .await
            .expect("person")
            .is_none(),
        "an inactive login acts no more"
    );
}

async fn by_session_says_what_the_session_read_says(db: Db) {
    let a = school(&db, "444444").await;
    let now = Utc::now();
    let ben = login(a, "ben");
    let (g5a, old) = (group(a, "5a"), group(a, "Alt"));
    let hash = [7_u8; 32];
    let created = now - chrono::Duration::minutes(5);
    let expires = now + chrono::Duration::hours(8);
    let mut tx = db.begin().await.expect("tx");
    users::insert(&mut tx, &ben, now).await.expect("user");
    for g in [&g5a, &old] {
        groups::insert(&mut tx, g, now).await.expect("group");
        groups::add_member(&mut tx, a, g.id, ben.id, now)
            .await
            .expect("member");
    }
    on!(&mut tx, c => sqlx::query(
        "UPDATE user_groups SET archived_at = $3 WHERE instance_id = $1 AND id = $2")
        .bind(a.0).bind(old.id.0).bind(1_i64).execute(&mut *c).await.map(|r| r.rows_affected()))
    .expect("archive");
    let direct = grants::Subject::User(ben.id.0);
    grants::grant(&mut tx, a, direct, "news.author", ben.id, now)
        .await
        .expect("grant");
    let through = grants::Subject::Group(g5a.id.0);
    grants::grant(&mut tx, a, through, "calendar.school", ben.id, now)
        .await
        .expect("grant");
    let archived = grants::Subject::Group(old.id.0);
    grants::grant(&mut tx, a, archived, "admin.users", ben.id, now)
        .await
        .expect("grant");
    sessions::insert(&mut tx, a, &hash, ben.id, created, expires)
        .await
        .expect("session");
    tx.commit().await.expect("commit");

    let mut c = db.read().await.expect("read");
    let s = session_person(&mut c, a, &hash)
        .await
        .expect("read")
        .expect("a session");
    let full = sessions::lookup(&mut c, a, &hash)
        .await
        .expect("lookup")
        .expect("a session");
    let (want_groups, want_rights) = groups::memberships_and_grants(&mut c, a, ben.id)
        .await
        .expect("groups and rights");
    assert_eq!(s.person.user.id, ben.id);
    assert_eq!(s.person.user.login, full.user.login);
    assert_eq!(s.created_at.timestamp_micros(), created.timestamp_micros());
    assert_eq!(s.last_seen_at, full.last_seen_at);
    assert_eq!(s.expires_at, full.expires_at);
    assert_eq!(
        (s.consented_version, s.current_version),
        (full.consented_version, full.current_version)
    );
    assert_eq!(
        (
            &s.person.school_number,
            &s.person.school_name,
            s.person.demo
        ),
        (&full.school_number, &full.school_name, full.demo)
    );
    assert_eq!(s.person.time_zone, full.time_zone);
    assert!(!s.person.held);
    let got: Vec<_> = s.person.groups.iter().map(|g| g.id).collect();
    let want: Vec<_> = want_groups.iter().map(|g| g.id).collect();
    assert_eq!(got, want);
    assert_eq!(got, [g5a.id], "the archived group left out");
    let (mut got, mut want) = (s.person.rights.clone(), want_rights);
    got.sort();
    want.sort();
    assert_eq!(got, ["calendar.school", "news.author"]);
    assert_eq!(got, want);
    assert!(
        session_person(&mut c, a, &[8_u8; 32])
            .await
            .expect("read")
            .is_none(),
        "another token: nothing"
    );
    drop(c);

    // A hold is seen; a deactivated login still comes (its session is ended by the caller).
    let mut tx = db.begin().await.expect("tx");
    let hold = Hold {
        reset_by: ben.id,
        reset_by_person: ben.id,
        created_at: now,
    };
    four_eyes::put_hold(&mut tx, a, ben.id, hold)
        .await
        .expect("hold");
    users::set_active(&mut tx, a, ben.id, false, now)
        .await
        .expect("deactivate");
    tx.commit().await.expect("commit");
    let mut c = db.read().await.expect("read");
    let s = session_person(&mut c, a, &hash)
        .await
        .expect("read")
        .expect("the session");
    assert!(s.person.held && !s.person.user.active);
    drop(c);

    // A deactivated school: no session (as `sessions::lookup`).
    let mut tx = db.begin().await.expect("tx");
    schulhof_store::operators::schools::set_deactivated(&mut tx, a, Some(now))
        .await
        .expect("deactivate the school");
    tx.commit().await.expect("commit");
    let mut c = db.read().await.expect("read");
    assert!(
        session_person(&mut c, a, &hash)
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        sessions::lookup(&mut c, a, &hash)
            .await
            .expect("lookup")
            .is_none()
    );
}

backend_tests!(
    one_statement_says_what_four_say,
    by_session_says_what_the_session_read_says
);
