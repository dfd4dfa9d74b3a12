//! The Mediathek on SQLite and PostgreSQL: text extracted in the background, German
//! stemming, results only from what the caller may see, licensed files across schools,
//! licences only with the right, favourites.

use schulhof_authz::files::Area;
use schulhof_domain::admin::NewUser;
use schulhof_domain::files::{Located, Placement};
use schulhof_domain::identity::Actor;
use schulhof_domain::media::MediaMeta;
use schulhof_domain::{Config, Db, DomainError, HashParams, Platform};
use schulhof_store::backend_tests;

const PW: &str = "ein-gutes-passwort";

async fn school(platform: &Platform, number: &str) {
    platform
        .system_create_school(number, &format!("Schule {number}"))
        .await
        .expect("school");
    let admin = admin(platform, number).await;
    for (login, kind) in [("lehrer", "lehrer"), ("anna", "schueler")] {
        platform
            .create_user(
                &admin,
                NewUser {
                    first_name: login.into(),
                    last_name: "Test".into(),
                    account_type: Some(kind.into()),
                    function_role: None,
                    login: Some(login.into()),
                    password: Some(PW.into()),
                    external_mail: None,
                    holder: None,
                    groups: Vec::new(),
                },
            )
            .await
            .expect("user");
    }
}

async fn as_(platform: &Platform, number: &str, login: &str, pw: &str) -> Actor {
    let s = platform
        .login(number, login, pw, "127.0.0.1")
        .await
        .expect("login");
    platform.session(&s.cookie).await.expect("session").actor
}

async fn admin(platform: &Platform, number: &str) -> Actor {
    platform
        .system_set_password(number, "admin", Some("admin-passwort-1"))
        .await
        .expect("pw");
    as_(platform, number, "admin", "admin-passwort-1").await
}

async fn area(p: &Platform, a: &Actor, area: Area) -> Located {
    let root = p
        .file_areas(a)
        .await
        .expect("areas")
        .into_iter()
        .find(|e| e.area_value == area)
        .expect("area");
    p.locate(a, root.id).await.expect("root")
}

async fn names(p: &Platform, a: &Actor, q: &str) -> Vec<String> {
    p.media_search(a, q, 20)
        .await
        .expect("search")
        .into_iter()
        .map(|h| h.name)
        .collect()
}

async fn search_finds_what_one_may_see_by_stem_and_content(db: Db) {
    let blobs = tempfile::tempdir().expect("blobs");
    let p = Platform::new(
        db,
        std::sync::Arc::new(schulhof_domain::clock::SystemClock),
        Config {
            hash: HashParams::insecure_fast_for_tests(),
            blob_dir: Some(blobs.path().to_owned()),
            ..Config::default()
        },
    );
    school(&p, "123456").await;
    school(&p, "654321").await;
    let t = as_(&p, "123456", "lehrer", PW).await;
    let anna = as_(&p, "123456", "anna", PW).await;
    let teaching = area(&p, &t, Area::Teaching).await;
    let own = area(&p, &t, Area::Own).await;
    let lesson = p
        .file_upload(
            &t,
            Placement {
                folder: &teaching,
                name: "Photosynthese.txt",
            },
            None,
            "Das Chlorophyll in den Blättern fängt Licht.".as_bytes(),
        )
        .await
        .expect("upload");
    p.file_upload(
        &t,
        Placement {
            folder: &own,
            name: "notizen.txt",
        },
        None,
        "Geheimnis der Notenkonferenz: Blätter".as_bytes(),
    )
    .await
    .expect("upload");
    assert!(
        names(&p, &anna, "Chlorophyll").await.is_empty(),
        "not indexed before the job ran"
    );
    assert_eq!(p.system_media_step(50).await.expect("job"), 2);

    assert_eq!(
        names(&p, &anna, "Blatt").await,
        ["Photosynthese.txt"],
        "German stemming: Blätter ~ Blatt; the teacher's own notes stay private"
    );
    assert_eq!(
        names(&p, &anna, "photosynthese").await,
        ["Photosynthese.txt"],
        "by name"
    );
    let mut teacher_sees = names(&p, &t, "blatt").await;
    teacher_sees.sort();
    assert_eq!(teacher_sees, ["Photosynthese.txt", "notizen.txt"]);

    // Metadata, and a licence only with the right to give one.
    let lesson = p.locate(&t, lesson.id).await.expect("lesson");
    let meta = MediaMeta {
        license: None,
        subject: "Biologie".into(),
        grade: "7".into(),
        keywords: "Pflanzen Zelle".into(),
    };
    p.media_set_meta(&t, &lesson, meta.clone())
        .await
        .expect("metadata");
    p.system_media_step(50).await.expect("job");
    assert_eq!(
        names(&p, &anna, "Pflanzen").await,
        ["Photosynthese.txt"],
        "keywords are searched"
    );
    let licensed = MediaMeta {
        license: Some("CC BY-SA".into()),
        ..meta.clone()
    };
    assert!(
        matches!(
            p.media_set_meta(&t, &lesson, licensed.clone()).await,
            Err(DomainError::Forbidden)
        ),
        "files.teaching.license is O"
    );
    let other = as_(&p, "654321", "lehrer", PW).await;
    assert!(
        names(&p, &other, "Chlorophyll").await.is_empty(),
        "another school sees nothing unlicensed"
    );
    let a = admin(&p, "123456").await;
    p.set_user_right(&a, "lehrer", "files.teaching.license", true)
        .await
        .expect("grant");
    let t = as_(&p, "123456", "lehrer", PW).await;
    let lesson = p.locate(&t, lesson.node().id).await.expect("lesson");
    let bad = MediaMeta {
        license: Some("Alle Rechte frei".into()),
        ..meta.clone()
    };
    assert!(matches!(
        p.media_set_meta(&t, &lesson, bad).await,
        Err(DomainError::Invalid { .. })
    ));
    p.media_set_meta(&t, &lesson, licensed)
        .await
        .expect("licensed");
    p.system_media_step(50).await.expect("job");
    let hits = p
        .media_search(&other, "Chlorophyll", 20)
        .await
        .expect("search");
    assert_eq!(hits.len(), 1, "licensed files are found beyond the school");
    assert_eq!(hits[0].other_school.as_deref(), Some("Schule 123456"));
    assert_eq!(hits[0].meta.license.as_deref(), Some("CC BY-SA"));
    let (_, hit, _) = p
        .media_open(&other, hits[0].id)
        .await
        .expect("opens the licensed file");
    assert_eq!(hit.name, "Photosynthese.txt");
    assert!(names(&p, &other, "Geheimnis").await.is_empty());

    // Favourites, and what disappears from them.
    p.media_set_favourite(&other, hits[0].id, true)
        .await
        .expect("favourite");
    assert_eq!(p.media_favourites(&other).await.expect("favs").len(), 1);
    let own_note = p.media_search(&t, "Geheimnis", 5).await.expect("search");
    assert!(
        p.media_set_favourite(&other, own_note[0].id, true)
            .await
            .is_err(),
        "what one cannot open is no favourite"
    );
    assert!(
        p.file_delete(&t, &lesson).await.is_err(),
        "teachers contribute in Unterricht, the admin deletes"
    );
    let lesson_for_admin = p.locate(&a, lesson.node().id).await.expect("admin sees it");
    p.file_delete(&a, &lesson_for_admin).await.expect("delete");
    p.system_media_step(50).await.expect("job");
    assert!(
        names(&p, &anna, "Blatt").await.is_empty(),
        "deleted files leave the index"
    );
    assert!(p.media_favourites(&other).await.expect("favs").is_empty());
    assert!(p.media_open(&other, hits[0].id).await.is_err());
}

backend_tests!(search_finds_what_one_may_see_by_stem_and_content);
