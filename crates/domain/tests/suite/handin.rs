//! Hand-in folders on SQLite and PostgreSQL: made in one step, two students hand in files
//! of the same name, the teacher sees who handed in what and when, late hand-ins after the
//! deadline and who is missing; students see only their own; the overview costs the same
//! few statements for any class size.

use crate::file_support;
use chrono::Duration;
use file_support::*;
use schulhof_authz::files::Area;
use schulhof_domain::admin::NewUser;
use schulhof_domain::files::handin::{HandinOverview, NewHandin};
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::files::{Located, Subject};
use schulhof_domain::identity::Actor;
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;
use schulhof_store::testing::statements;
use schulhof_types::GroupId;

fn class_of(a: &Actor) -> GroupId {
    a.groups.iter().find(|g| g.name == "5a").expect("in 5a").id
}

async fn create(s: &School, t: &Actor, name: &str, deadline: Option<Duration>) -> Located {
    let own = s.area(t, Area::Own).await;
    let e = s
        .platform
        .handin_create(
            t,
            &own,
            NewHandin {
                name,
                group: class_of(t),
                deadline: deadline.map(|d| s.platform.now() + d),
            },
        )
        .await
        .expect("hand-in folder");
    s.platform.locate(t, e.id).await.expect("folder")
}

async fn overview(s: &School, a: &Actor, folder: &Located) -> HandinOverview {
    let here = s
        .platform
        .locate(a, folder.node().id)
        .await
        .expect("visible");
    s.platform
        .handin_overview(a, &here)
        .await
        .expect("overview")
}

fn submitters(o: &HandinOverview) -> Vec<(String, String, bool)> {
    o.handins
        .iter()
        .map(|h| {
            let by = h.by.as_ref().map_or(String::new(), |p| p.login.clone());
            (h.name.clone(), by, h.late)
        })
        .collect()
}

fn missing(o: &HandinOverview) -> Vec<String> {
    o.missing.iter().map(|p| p.login.clone()).collect()
}

async fn a_hand_in_folder_is_made_in_one_step_and_shows_who_is_missing(db: Db) {
    let s = school(db.clone(), "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let (anna, ben, carla) = (
        s.user("anna").await,
        s.user("ben").await,
        s.user("carla").await,
    );
    assert!(
        s.platform
            .handin_may_create(&t, &s.area(&t, Area::Own).await)
    );
    assert!(
        !s.platform
            .handin_may_create(&anna, &s.area(&anna, Area::Own).await),
        "students do not share their own area by default"
    );
    let folder = create(&s, &t, "Aufsatz", Some(Duration::hours(1))).await;
    assert!(folder.node().drop_box, "made a drop folder at once");
    let o = overview(&s, &t, &folder).await;
    assert!(o.all && o.may_set_deadline);
    assert_eq!(o.groups, ["5a"]);
    assert_eq!(missing(&o), ["anna", "ben"], "the teacher is not expected");

    for (who, text) in [(&anna, "Anna"), (&ben, "Ben")] {
        let mine = s
            .platform
            .locate(who, folder.node().id)
            .await
            .expect("sees it");
        s.put(who, &mine, "Aufsatz.txt", text.as_bytes())
            .await
            .expect("the same name twice");
    }
    let o = overview(&s, &t, &folder).await;
    assert_eq!(
        submitters(&o),
        [
            ("Aufsatz.txt".into(), "anna".into(), false),
            ("Aufsatz.txt".into(), "ben".into(), false)
        ]
    );
    assert!(missing(&o).is_empty());
    assert_eq!((o.handed_in, o.expected), (2, 2));

    // After the deadline a hand-in is still accepted, and marked late.
    s.clock.advance(Duration::hours(2));
    let mine = s
        .platform
        .locate(&ben, folder.node().id)
        .await
        .expect("ben");
    s.put(&ben, &mine, "Nachtrag.txt", b"spaet")
        .await
        .expect("accepted");
    let own = overview(&s, &ben, &folder).await;
    assert!(!own.all && own.may_hand_in && !own.may_set_deadline && own.overdue);
    assert_eq!(
        submitters(&own),
        [
            ("Aufsatz.txt".into(), "ben".into(), false),
            ("Nachtrag.txt".into(), "ben".into(), true)
        ],
        "Ben sees only his own"
    );
    assert!(own.missing.is_empty() && own.groups.is_empty());
    let anna_view = overview(&s, &anna, &folder).await;
    assert_eq!(submitters(&anna_view).len(), 1);

    // Only the coordinator changes the deadline; without one nothing is late.
    let ben_folder = s
        .platform
        .locate(&ben, folder.node().id)
        .await
        .expect("ben");
    assert!(matches!(
        s.platform
            .handin_set_deadline(&ben, &ben_folder, None)
            .await,
        Err(DomainError::Forbidden)
    ));
    s.platform
        .handin_set_deadline(&t, &folder, None)
        .await
        .expect("cleared");
    let o = overview(&s, &t, &folder).await;
    assert!(o.deadline.is_none() && o.handins.iter().all(|h| !h.late));

    // Outside the group, or another school: it does not exist.
    assert!(matches!(
        s.platform.locate(&carla, folder.node().id).await,
        Err(DomainError::NotFound)
    ));
    let other = school(db, "654321", FileQuotas::default()).await;
    let stranger = other.user("lehrer").await;
    assert!(matches!(
        other.platform.locate(&stranger, folder.node().id).await,
        Err(DomainError::NotFound)
    ));
    // A folder that is no drop folder has no hand-in overview.
    let plain = s.mkdir(&t, &s.area(&t, Area::Own).await, "Normal").await;
    assert!(matches!(
        s.platform.handin_overview(&t, &plain).await,
        Err(DomainError::NotFound)
    ));
}

async fn creating_checks_the_name_the_group_and_the_place(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    let new = |name| NewHandin {
        name,
        group: class_of(&t),
        deadline: None,
    };
    s.platform
        .handin_create(&t, &own, new("Abgabe"))
        .await
        .expect("first");
    assert!(matches!(
        s.platform.handin_create(&t, &own, new("abgabe")).await,
        Err(DomainError::Conflict { .. })
    ));
    assert!(matches!(
        s.platform.handin_create(&t, &own, new("a/b")).await,
        Err(DomainError::Invalid { .. })
    ));
    let stranger = NewHandin {
        group: GroupId::new(),
        ..new("Fremd")
    };
    assert!(s.platform.handin_create(&t, &own, stranger).await.is_err());
    // Where the teacher only contributes (the Unterricht root), no folder can be made.
    let teaching = s.area(&t, Area::Teaching).await;
    assert!(!s.platform.handin_may_create(&t, &teaching));
    assert!(
        s.platform
            .handin_create(&t, &teaching, new("X"))
            .await
            .is_err()
    );
    // A student in the group cannot make one in the teacher's folder either.
    let anna = s.user("anna").await;
    let folder = s.mkdir(&t, &own, "Geteilt").await;
    let class = Subject::Group(class_of(&t));
    s.platform
        .file_share(
            &t,
            &folder,
            class,
            schulhof_authz::files::FileRole::Contributor,
        )
        .await
        .expect("share");
    let seen = s
        .platform
        .locate(&anna, folder.node().id)
        .await
        .expect("anna");
    assert!(!s.platform.handin_may_create(&anna, &seen));
}

/// The statements one overview runs (the folder located beforehand).
async fn statements_of_overview(s: &School, t: &Actor, folder: &Located) -> usize {
    statements::install();
    let here = s
        .platform
        .locate(t, folder.node().id)
        .await
        .expect("folder");
    // The fewest of three runs: anything else the process does meanwhile only adds.
    let mut fewest = usize::MAX;
    for _ in 0..3 {
        let before = statements::so_far();
        let o = s
            .platform
            .handin_overview(t, &here)
            .await
            .expect("overview");
        fewest = fewest.min(statements::so_far() - before);
        assert!(o.all);
    }
    fewest
}

async fn the_overview_costs_the_same_few_statements_for_any_class(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let folder = create(&s, &t, "Referat", Some(Duration::days(1))).await;
    let anna = s.user("anna").await;
    let mine = s
        .platform
        .locate(&anna, folder.node().id)
        .await
        .expect("anna");
    s.put(&anna, &mine, "a.txt", b"a").await.expect("hand in");
    let small = statements_of_overview(&s, &t, &folder).await;
    assert!((1..=3).contains(&small), "{small} statements");

    let admin = s.admin().await;
    for i in 0..8 {
        let login = format!("kind{i}");
        s.platform
            .create_user(
                &admin,
                NewUser {
                    first_name: format!("Kind{i}"),
                    last_name: "Test".into(),
                    account_type: Some("schueler".into()),
                    function_role: None,
                    login: Some(login.clone()),
                    password: Some(PW.into()),
                    external_mail: None,
                    holder: None,
                    groups: vec!["5a".into()],
                },
            )
            .await
            .expect("student");
        if i % 2 == 0 {
            let kid = s.user(&login).await;
            let theirs = s
                .platform
                .locate(&kid, folder.node().id)
                .await
                .expect("kid");
            for n in ["a.txt", "b.txt"] {
                s.put(&kid, &theirs, n, b"x").await.expect("hand in");
            }
        }
    }
    let o = overview(&s, &t, &folder).await;
    assert_eq!((o.handins.len(), o.expected, o.missing.len()), (9, 10, 5));
    let large = statements_of_overview(&s, &t, &folder).await;
    assert_eq!(small, large, "the same statements for 2 or 10 students");
}

backend_tests!(
    a_hand_in_folder_is_made_in_one_step_and_shows_who_is_missing,
    creating_checks_the_name_the_group_and_the_place,
    the_overview_costs_the_same_few_statements_for_any_class,
);
