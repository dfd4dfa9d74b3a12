//! Modules feed the notification centre: sharing a folder with a group notifies its members
//! (one statement for all), sharing with a person notifies the person, a changed role is no
//! new share, and a person who switched the kind off gets nothing.

use crate::file_support;
use file_support::*;
use schulhof_authz::files::{Area, FileRole};
use schulhof_domain::Db;
use schulhof_domain::files::Subject;
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::notify::{Kind, Mode};
use schulhof_store::backend_tests;

async fn shares_notify_the_person_or_the_groups_members(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let p = &s.platform;
    let t = s.user("lehrer").await;
    let (anna, ben, carla) = (
        s.user("anna").await,
        s.user("ben").await,
        s.user("carla").await,
    );
    let own = s.area(&t, Area::Own).await;
    let folder = s.mkdir(&t, &own, "Mathe 5a").await;
    let class = p.file_subject_by_name(&t, "5a").await.expect("group");
    p.file_share(&t, &folder, class, FileRole::Viewer)
        .await
        .expect("share");
    for a in [&anna, &ben] {
        let notes = p.my_notifications(a).await.expect("list");
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].kind, "file_shared");
        assert_eq!(notes[0].params["name"], "Mathe 5a");
        assert_eq!(notes[0].params["by"], "lehrer Test");
        assert_eq!(notes[0].link, format!("/dateien/{}", folder.node().id));
    }
    assert!(
        p.my_notifications(&t).await.expect("t").is_empty(),
        "not the one sharing"
    );
    assert!(
        p.my_notifications(&carla).await.expect("c").is_empty(),
        "not in 5a"
    );
    // A changed role is no new share.
    p.file_share(&t, &folder, class, FileRole::Contributor)
        .await
        .expect("role");
    assert_eq!(p.my_notifications(&anna).await.expect("list").len(), 1);
    // A person; and someone who switched the kind off gets nothing.
    p.set_notification_preferences(&ben, &[(Kind::FileShared, Mode::Off)], None, 7)
        .await
        .expect("off");
    let sheet = s.mkdir(&t, &own, "Arbeitsblätter").await;
    p.file_share(
        &t,
        &sheet,
        Subject::User(carla.token.user()),
        FileRole::Viewer,
    )
    .await
    .expect("share");
    p.file_share(&t, &sheet, class, FileRole::Viewer)
        .await
        .expect("share");
    let c = p.my_notifications(&carla).await.expect("list");
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].params["name"], "Arbeitsblätter");
    assert_eq!(
        p.my_notifications(&ben).await.expect("list").len(),
        1,
        "off: nothing new"
    );
    assert_eq!(p.my_notifications(&anna).await.expect("list").len(), 2);
    assert_eq!(p.unread_notifications(&anna).await.expect("n"), 2);
}

backend_tests!(shares_notify_the_person_or_the_groups_members);
