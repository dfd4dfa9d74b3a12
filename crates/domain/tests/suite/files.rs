//! The cloud file manager's services on SQLite and PostgreSQL: quotas, atomic uploads,
//! versions, trash, inheritance and its withdrawal, drop folders, privacy of own areas and
//! isolation between schools.

use crate::file_support;
use file_support::*;
use schulhof_authz::files::{Area, FileRole};
use schulhof_domain::files::quota::FileQuotas;
use schulhof_domain::files::{Placement, Subject};
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

async fn quotas_refuse_uploads_and_leave_nothing_behind(db: Db) {
    let quotas = FileQuotas {
        schueler: 1000,
        ..FileQuotas::default()
    };
    let s = school(db, "123456", quotas).await;
    let anna = s.user("anna").await;
    let own = s.area(&anna, Area::Own).await;
    s.put(&anna, &own, "a.txt", &[1u8; 800])
        .await
        .expect("fits");
    let over = s.put(&anna, &own, "b.txt", &[2u8; 800]).await;
    assert!(
        matches!(over, Err(DomainError::QuotaExceeded(_))),
        "{over:?}"
    );
    assert_eq!(s.names(&anna, &own).await, ["a.txt"]);
    let usage = s.platform.file_usage(&anna).await.expect("usage");
    assert_eq!((usage.used, usage.quota), (800, 1000));
    assert_eq!(
        s.blob_files(),
        (1, 0),
        "the refused upload left no content and no temporary file"
    );

    // A cancelled upload: begun, partly written, dropped.
    let mut up = s
        .platform
        .begin_upload(
            &anna,
            Placement {
                folder: &own,
                name: "c.txt",
            },
            None,
        )
        .await
        .expect("begin");
    up.write(b"halb").await.expect("write");
    drop(up);
    assert_eq!(s.names(&anna, &own).await, ["a.txt"]);
    assert_eq!(s.blob_files(), (1, 0));

    // Copies share content: no new blob, but the quota counts them.
    let a = s
        .platform
        .locate_path(&anna, Area::Own, &["a.txt"])
        .await
        .expect("a");
    let copied = s
        .platform
        .file_copy(
            &anna,
            &a,
            Placement {
                folder: &own,
                name: "kopie.txt",
            },
        )
        .await;
    assert!(
        matches!(copied, Err(DomainError::QuotaExceeded(_))),
        "800 + 800 > 1000"
    );
    let teacher = s.user("lehrer").await;
    let t_own = s.area(&teacher, Area::Own).await;
    let f = s
        .put(&teacher, &t_own, "x.bin", &[7u8; 5000])
        .await
        .expect("teacher has 5 GB");
    s.platform
        .file_copy(
            &teacher,
            &f,
            Placement {
                folder: &t_own,
                name: "y.bin",
            },
        )
        .await
        .expect("copy");
    assert_eq!(s.blob_files(), (2, 0), "a copy costs no extra storage");
}

async fn versions_and_trash_keep_who_did_what(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    let folder = s.mkdir(&t, &own, "Zeugnisse").await;
    s.put(&t, &folder, "noten.txt", b"Fassung 1")
        .await
        .expect("v1");
    let f = s
        .put(&t, &folder, "noten.txt", b"Fassung 2")
        .await
        .expect("v2");
    assert_eq!(s.read(&t, &f).await, b"Fassung 2");
    let versions = s.platform.file_versions(&t, &f).await.expect("versions");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].modified_by.as_deref(), Some("lehrer"));
    let back = s
        .platform
        .file_restore_version(&t, &f, versions[0].id)
        .await
        .expect("restore");
    let f = s.platform.locate(&t, back.id).await.expect("file");
    assert_eq!(s.read(&t, &f).await, b"Fassung 1");
    assert_eq!(
        s.platform
            .file_versions(&t, &f)
            .await
            .expect("versions")
            .len(),
        2
    );

    s.platform.file_delete(&t, &folder).await.expect("delete");
    assert!(s.names(&t, &own).await.is_empty());
    assert!(
        matches!(
            s.platform.locate(&t, f.node().id).await,
            Err(DomainError::NotFound)
        ),
        "trashed content is gone from view"
    );
    let trash = s.platform.file_trash(&t, Area::Own).await.expect("trash");
    assert_eq!(trash.len(), 1);
    assert_eq!(
        (trash[0].name.as_str(), trash[0].deleted_by.as_deref()),
        ("Zeugnisse", Some("lehrer"))
    );

    // A new folder took the name: restoring is a clear conflict and changes nothing.
    s.mkdir(&t, &own, "Zeugnisse").await;
    let clash = s.platform.file_restore(&t, trash[0].id).await;
    assert!(
        matches!(clash, Err(DomainError::Conflict { .. })),
        "{clash:?}"
    );
    let again = s
        .platform
        .locate_path(&t, Area::Own, &["Zeugnisse"])
        .await
        .expect("new one");
    s.platform
        .file_move(
            &t,
            &again,
            Placement {
                folder: &own,
                name: "Zeugnisse neu",
            },
        )
        .await
        .expect("rename");
    s.platform
        .file_restore(&t, trash[0].id)
        .await
        .expect("restore");
    let restored = s
        .platform
        .locate_path(&t, Area::Own, &["Zeugnisse", "noten.txt"])
        .await
        .expect("back");
    assert_eq!(s.read(&t, &restored).await, b"Fassung 1");
    assert!(
        s.platform
            .file_trash(&t, Area::Own)
            .await
            .expect("trash")
            .is_empty()
    );
}

async fn shares_inherit_down_and_can_be_withdrawn(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    let course = s.mkdir(&t, &own, "Mathe 5a").await;
    let solutions = s.mkdir(&t, &course, "Lösungen").await;
    s.put(&t, &solutions, "loesung.pdf", b"%PDF")
        .await
        .expect("file");
    let group = s
        .platform
        .file_subject_by_name(&t, "5a")
        .await
        .expect("group");
    s.platform
        .file_share(&t, &course, group, FileRole::Viewer)
        .await
        .expect("share");

    let anna = s.user("anna").await;
    let carla = s.user("carla").await;
    let shared = s.platform.file_shared_with_me(&anna).await.expect("shared");
    assert_eq!(
        shared.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["Mathe 5a"]
    );
    assert_eq!(shared[0].role_value, FileRole::Viewer);
    let sol = s
        .platform
        .locate(&anna, solutions.node().id)
        .await
        .expect("inherited");
    let file = s.platform.locate_path(&anna, Area::Own, &["x"]).await;
    assert!(file.is_err(), "the own-area path is the student's own");
    let list = s.platform.file_list(&anna, &sol).await.expect("list");
    assert_eq!(list.len(), 1);
    let in_sol = s.platform.locate(&anna, list[0].id).await.expect("file");
    assert_eq!(s.read(&anna, &in_sol).await, b"%PDF");
    assert!(
        matches!(
            s.put(&anna, &sol, "meins.txt", b"x").await,
            Err(DomainError::Forbidden)
        ),
        "viewers do not upload"
    );
    assert!(matches!(
        s.platform.file_delete(&anna, &in_sol).await,
        Err(DomainError::Forbidden)
    ));
    assert!(
        matches!(
            s.platform.locate(&carla, course.node().id).await,
            Err(DomainError::NotFound)
        ),
        "not in 5a: invisible"
    );
    assert!(
        s.platform
            .file_shared_with_me(&carla)
            .await
            .expect("shared")
            .is_empty()
    );

    // Withdraw below: the class loses the solutions, the teacher keeps coordinating them.
    let solutions = s
        .platform
        .locate(&t, solutions.node().id)
        .await
        .expect("again");
    s.platform
        .file_set_inherit(&t, &solutions, false)
        .await
        .expect("withdraw");
    let solutions = s
        .platform
        .locate(&t, solutions.node().id)
        .await
        .expect("again");
    let key = s
        .platform
        .file_grants(&t, &solutions)
        .await
        .expect("grants")
        .into_iter()
        .find(|g| g.kind == "group")
        .expect("the class's role was carried down")
        .key;
    s.platform
        .file_unshare(&t, &solutions, &key)
        .await
        .expect("unshare");
    assert!(matches!(
        s.platform.locate(&anna, solutions.node().id).await,
        Err(DomainError::NotFound)
    ));
    assert_eq!(
        s.names(
            &anna,
            &s.platform
                .locate(&anna, course.node().id)
                .await
                .expect("course")
        )
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        s.platform
            .locate(&t, solutions.node().id)
            .await
            .expect("teacher")
            .role(&t),
        Some(FileRole::Coordinator)
    );

    // Students cannot share their own files by default (files.own.share_internal is O).
    let a_own = s.area(&anna, Area::Own).await;
    let refused = s
        .platform
        .file_share(&anna, &a_own, group, FileRole::Viewer)
        .await;
    assert!(
        matches!(refused, Err(DomainError::Forbidden)),
        "{refused:?}"
    );
}

async fn drop_folders_hide_each_others_work(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    let drop = s.mkdir(&t, &own, "Abgabe Aufsatz").await;
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
    let (anna, ben) = (s.user("anna").await, s.user("ben").await);
    let a_drop = s
        .platform
        .locate(&anna, drop.node().id)
        .await
        .expect("anna sees it");
    let b_drop = s
        .platform
        .locate(&ben, drop.node().id)
        .await
        .expect("ben sees it");
    let anna_file = s
        .put(&anna, &a_drop, "anna.txt", b"Anna")
        .await
        .expect("anna hands in");
    s.put(&ben, &b_drop, "ben.txt", b"Ben")
        .await
        .expect("ben hands in");
    assert_eq!(s.names(&anna, &a_drop).await, ["anna.txt"]);
    assert_eq!(s.names(&ben, &b_drop).await, ["ben.txt"]);
    assert!(matches!(
        s.platform.locate(&ben, anna_file.node().id).await,
        Err(DomainError::NotFound)
    ));
    // Anna's file is neither overwritten nor revealed: Ben hands in a file of his own.
    let own = s.put(&ben, &b_drop, "anna.txt", b"Ben war hier").await;
    assert!(own.is_ok(), "{own:?}");
    let drop = s
        .platform
        .locate(&t, drop.node().id)
        .await
        .expect("teacher");
    assert_eq!(
        s.names(&t, &drop).await,
        ["anna.txt", "anna.txt", "ben.txt"]
    );
    let as_teacher = s
        .platform
        .locate(&t, anna_file.node().id)
        .await
        .expect("teacher sees it");
    assert_eq!(
        s.read(&t, &as_teacher).await,
        b"Anna",
        "Anna's work is unchanged"
    );
}

async fn admins_and_other_schools_never_see_private_files(db: Db) {
    let s = school(db.clone(), "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    let private = s
        .put(&t, &own, "privat.txt", b"nur ich")
        .await
        .expect("file");
    let admin = s.admin().await;
    assert!(matches!(
        s.platform.locate(&admin, private.node().id).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        s.platform.locate(&admin, own.node().id).await,
        Err(DomainError::NotFound)
    ));
    let info = s.area(&admin, Area::Info).await;
    let notice = s
        .put(&admin, &info, "aushang.txt", b"Sportfest")
        .await
        .expect("admin coordinates Informationen");
    let anna = s.user("anna").await;
    assert!(
        s.platform.locate(&anna, notice.node().id).await.is_ok(),
        "everyone reads Informationen"
    );

    let other = school(db, "654321", FileQuotas::default()).await;
    let other_admin = other.admin().await;
    for id in [private.node().id, notice.node().id, info.node().id] {
        assert!(matches!(
            other.platform.locate(&other_admin, id).await,
            Err(DomainError::NotFound)
        ));
    }
    let subject = other
        .platform
        .file_subject_by_name(&other_admin, "lehrer")
        .await
        .expect("their own lehrer");
    let Subject::User(_) = subject else {
        panic!("a login")
    };
    let their_info = other.area(&other_admin, Area::Info).await;
    assert!(
        other.names(&other_admin, &their_info).await.is_empty(),
        "another school's Informationen are its own"
    );
}

async fn names_are_checked_and_folders_never_move_into_themselves(db: Db) {
    let s = school(db, "123456", FileQuotas::default()).await;
    let t = s.user("lehrer").await;
    let own = s.area(&t, Area::Own).await;
    for bad in ["a/b", "..", "tab\tname", &"x".repeat(256)] {
        let r = s
            .platform
            .file_mkdir(
                &t,
                Placement {
                    folder: &own,
                    name: bad,
                },
            )
            .await;
        assert!(
            matches!(r, Err(DomainError::Invalid { field: "name", .. })),
            "{bad:?}: {r:?}"
        );
    }
    let a = s.mkdir(&t, &own, "A").await;
    let b = s.mkdir(&t, &a, "B").await;
    let into_self = s
        .platform
        .file_move(
            &t,
            &a,
            Placement {
                folder: &b,
                name: "A",
            },
        )
        .await;
    assert!(
        matches!(into_self, Err(DomainError::Invalid { .. })),
        "{into_self:?}"
    );
    let clash = s
        .platform
        .file_mkdir(
            &t,
            Placement {
                folder: &own,
                name: "a",
            },
        )
        .await;
    assert!(
        matches!(clash, Err(DomainError::Conflict { .. })),
        "names are unique regardless of case"
    );
    assert_eq!(s.names(&t, &own).await, ["A"]);
    assert_eq!(
        s.names(&t, &s.platform.locate(&t, a.node().id).await.expect("A"))
            .await,
        ["B"]
    );
}

backend_tests!(
    quotas_refuse_uploads_and_leave_nothing_behind,
    versions_and_trash_keep_who_did_what,
    shares_inherit_down_and_can_be_withdrawn,
    drop_folders_hide_each_others_work,
    admins_and_other_schools_never_see_private_files,
    names_are_checked_and_folders_never_move_into_themselves,
);
