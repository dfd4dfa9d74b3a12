//! The school-year change and the deletion periods, on SQLite and PostgreSQL.

use crate::support;
use chrono::Duration;
use schulhof_domain::import::{Columns, Format, UploadInput};
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;
use support::*;

async fn school_year_change_archives_classes_and_moves_leavers_out(db: Db) {
    let e = env(db).await;
    let (mut persons, groups) = school_file();
    e.schild(&persons, &groups).await;
    persons.retain(|p| p.id != "S4");
    e.schild(&persons, &groups).await; // S4 marked for deletion
    let admin = e.admin().await;
    let year = e
        .platform
        .current_school_year(admin.token.instance())
        .await
        .expect("year");
    assert_eq!(year, "2026/27");
    let dry = e
        .platform
        .change_school_year(&admin, step("2026/27", "2027/28", true))
        .await
        .expect("dry");
    assert!(!dry.applied);
    assert_eq!(
        dry.archived_groups.len(),
        4,
        "classes and the course: {:?}",
        dry.archived_groups
    );
    assert_eq!(dry.leavers.len(), 1);
    // Only the leavers the preview listed move out: none listed, none leave.
    let none: Vec<String> = Vec::new();
    let listed = schulhof_domain::school_year::YearStep {
        leavers: Some(&none),
        ..step("2026/27", "2027/28", true)
    };
    let dry_none = e
        .platform
        .change_school_year(&admin, listed)
        .await
        .expect("dry");
    assert!(dry_none.leavers.is_empty());
    let wrong = e
        .platform
        .change_school_year(&admin, step("2025/26", "2026/27", false))
        .await;
    assert!(
        matches!(wrong, Err(DomainError::Invalid { field: "from", .. })),
        "{wrong:?}"
    );
    let done = e
        .platform
        .change_school_year(&admin, step("2026/27", "2027/28", false))
        .await
        .expect("change");
    assert!(done.applied);
    // Archived groups are read-only; the next import creates the new year's groups.
    let next = e.schild(&persons, &groups).await.summary;
    assert_eq!(next.groups_created, 4, "{next:?}");
    let archived = e
        .platform
        .list_groups(&admin, "(2026/27)")
        .await
        .expect("groups");
    let old = archived
        .iter()
        .find(|g| g.name.starts_with("Klasse 05A - Schueler"))
        .expect("archived class");
    let refused = e
        .platform
        .set_membership(&admin, old.id, "juergen.mueller", false)
        .await;
    assert!(
        matches!(refused, Err(DomainError::Conflict { field: "group", .. })),
        "{refused:?}"
    );
    let refused = e.platform.delete_group(&admin, old.id).await;
    assert!(
        matches!(refused, Err(DomainError::Conflict { field: "group", .. })),
        "kept for its period: {refused:?}"
    );
}

async fn school_year_change_applies_the_new_years_file_in_one_step(db: Db) {
    let e = env(db).await;
    let (mut persons, groups) = school_file();
    e.schild(&persons, &groups).await;
    let admin = e.admin().await;
    persons.retain(|p| p.id != "S4");
    persons.push(p("S6", "Ida", "Neumann", "Student", &["K5A"]));
    let path = e.file("next.xml", &schild(&persons, &groups));
    let upload = UploadInput {
        format: Format::Schild,
        file_name: "next.xml".into(),
        path,
        zip_password: None,
        with_students: true,
        account_type: None,
        columns: Columns::default(),
    };
    let run = e
        .platform
        .import_upload(&admin, upload)
        .await
        .expect("upload");
    let go = || schulhof_domain::import::ApplyInput {
        protocol_password: "protokoll-geheim".into(),
        ..Default::default()
    };
    let dry = e
        .platform
        .change_school_year_with_import(&admin, step("2026/27", "2027/28", true), run, go())
        .await
        .expect("dry run");
    assert_eq!(
        dry.import.expect("import").groups_created,
        4,
        "old classes and courses are archived first"
    );
    assert_eq!(dry.leavers.len(), 1, "{:?}", dry.leavers);
    let done = e
        .platform
        .change_school_year_with_import(&admin, step("2026/27", "2027/28", false), run, go())
        .await
        .expect("change");
    assert!(done.applied);
    assert_eq!(
        e.platform
            .import_run(&admin, run)
            .await
            .expect("run")
            .status,
        "applied"
    );
    let letters = e
        .platform
        .import_letters(&admin, run, "protokoll-geheim")
        .await
        .expect("letters");
    assert_eq!(letters.iter().map(|c| c.letters.len()).sum::<usize>(), 1);
    let wrong = e
        .platform
        .import_letters(&admin, run, "falsch-falsch")
        .await;
    assert!(matches!(
        wrong,
        Err(DomainError::Invalid {
            field: "protocol_password",
            ..
        })
    ));
    assert_eq!(
        e.platform
            .current_school_year(admin.token.instance())
            .await
            .expect("y"),
        "2027/28"
    );
}

async fn deletion_periods_delete_deactivated_accounts_after_the_calendar_year(db: Db) {
    let e = env(db).await;
    let (mut persons, groups) = school_file();
    e.schild(&persons, &groups).await;
    persons.retain(|p| p.id != "S4" && p.id != "L1");
    e.schild(&persons, &groups).await;
    let admin = e.admin().await;
    assert_eq!(
        e.platform
            .confirm_deletions(&admin, &[])
            .await
            .expect("confirm"),
        2
    );
    let bad = e
        .platform
        .set_deletion_periods(
            &admin,
            schulhof_store::lifecycle::Periods {
                students: 6,
                staff: 5,
                organisation: 10,
            },
        )
        .await;
    assert!(matches!(
        bad,
        Err(DomainError::Invalid {
            field: "students",
            ..
        })
    ));
    e.platform
        .set_deletion_periods(
            &admin,
            schulhof_store::lifecycle::Periods {
                students: 1,
                staff: 2,
                organisation: 10,
            },
        )
        .await
        .expect("periods");
    let overview = e
        .platform
        .deletion_overview(&admin)
        .await
        .expect("overview");
    assert!(
        overview
            .due
            .iter()
            .any(|d| d.what == "schueler" && d.delete_on.to_string() == "2028-01-01"),
        "{:?}",
        overview.due
    );
    // 2026 + 1 year: the student goes on 2028-01-01, the teacher on 2029-01-01.
    e.clock.advance(Duration::days(424)); // 2027-12-31
    let none = e
        .platform
        .system_apply_deletion_periods()
        .await
        .expect("job");
    assert!(none.iter().all(|(_, d)| d.students == 0 && d.staff == 0));
    e.clock.advance(Duration::days(1));
    let run = e
        .platform
        .system_apply_deletion_periods()
        .await
        .expect("job");
    let ours = run.iter().find(|(n, _)| n == SCHOOL).expect("school").1;
    assert_eq!((ours.students, ours.staff), (1, 0));
    e.clock.advance(Duration::days(366));
    let run = e
        .platform
        .system_apply_deletion_periods()
        .await
        .expect("job");
    assert_eq!(
        run.iter()
            .find(|(n, _)| n == SCHOOL)
            .expect("school")
            .1
            .staff,
        1
    );
    let (ps, _) = e.state(false).await;
    assert_eq!(ps.len(), 3, "{ps:?}");
}

backend_tests!(
    school_year_change_archives_classes_and_moves_leavers_out,
    school_year_change_applies_the_new_years_file_in_one_step,
    deletion_periods_delete_deactivated_accounts_after_the_calendar_year,
);
