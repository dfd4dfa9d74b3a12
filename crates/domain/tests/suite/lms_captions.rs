//! Caption tracks of media material: the WebVTT check (first line, timings, blank lines,
//! size, encoding — every fault names its line; random bytes and cue-like noise never
//! panic), the language tag, and on SQLite and PostgreSQL: a track per language that a new
//! file replaces, refused files change nothing, only media takes captions, participants
//! lose the track with hidden material, and a copy of the course carries it.

use crate::calendar_support::*;
use proptest::prelude::*;
use schulhof_domain::lms::MaterialInput;
use schulhof_domain::lms::captions::{CAPTIONS_ROLE, MAX_CAPTIONS, check_vtt, clean_lang};
use schulhof_domain::{Db, DomainError};
use schulhof_store::backend_tests;

const GOOD: &str = "WEBVTT - Bruchrechnen\n\nNOTE von Hand geschrieben\n\n1\n00:00:00.500 --> 00:00:02.000 line:80%\nHallo <b>5a</b>!\n\n00:02.000 --> 00:04.250\nHeute: Brüche.\nZweite Zeile.\n";

fn message(e: DomainError) -> String {
    match e {
        DomainError::Invalid { message, .. } => message,
        e => panic!("not an input error: {e:?}"),
    }
}

#[test]
fn a_good_file_is_accepted_with_its_cues() {
    assert_eq!(check_vtt(GOOD.as_bytes()).expect("good"), 2);
    // CRLF, a byte order mark, a header line, STYLE and hours of three digits.
    let crlf = "\u{feff}WEBVTT\r\nKind: captions\r\n\r\nSTYLE\r\n::cue { color: yellow }\r\n\r\n100:00:00.000 --> 100:00:01.000\r\nx\r\n";
    assert_eq!(check_vtt(crlf.as_bytes()).expect("crlf"), 1);
}

#[test]
fn faults_are_refused_naming_the_line() {
    let cases: &[(&str, &str)] = &[
        ("WEBVTTX\n\n00:01.000 --> 00:02.000\na\n", "erste Zeile"),
        ("Hallo\n", "erste Zeile"),
        ("WEBVTT\n\n1\nkeine Zeit\n", "Zeile 4: Zeitangabe erwartet"),
        ("WEBVTT\n\nnur eine Zeile\n", "Zeile 4: Zeitangabe erwartet"),
        (
            "WEBVTT\n\n00:01.000 -> 00:02.000\na\n",
            "Zeile 3: Zeitangabe erwartet",
        ),
        (
            "WEBVTT\n\n00:01.000 --> 00:02\na\n",
            "Zeile 3: Die Zeitangabe ist nicht lesbar",
        ),
        (
            "WEBVTT\n\n00:61.000 --> 01:02.000\na\n",
            "Zeile 3: Die Zeitangabe ist nicht lesbar",
        ),
        (
            "WEBVTT\n\n0:01.000 --> 00:02.000\na\n",
            "Zeile 3: Die Zeitangabe ist nicht lesbar",
        ),
        (
            "WEBVTT\n\n00:05.000 --> 00:02.000\na\n",
            "Zeile 3: Das Ende liegt nicht nach dem Anfang",
        ),
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\na\n00:02.000 --> 00:03.000\nb\n",
            "Zeile 5: Vor dieser Zeitangabe fehlt eine Leerzeile",
        ),
        (
            "WEBVTT\n00:01.000 --> 00:02.000\na\n",
            "Zeile 2: Vor dieser Zeitangabe fehlt",
        ),
        ("WEBVTT\n\nNOTE nur eine Notiz\n", "keine Untertitel"),
        ("", "leer"),
    ];
    for (text, expected) in cases {
        let m = message(check_vtt(text.as_bytes()).expect_err(text));
        assert!(m.contains(expected), "{text:?}: {m}");
    }
    let m = message(
        check_vtt(b"WEBVTT\n\n00:01.000 --> 00:02.000\n\xff\xfe\n").expect_err("not UTF-8"),
    );
    assert!(m.contains("UTF-8"), "{m}");
    let mut big = GOOD.to_owned();
    while big.len() as u64 <= MAX_CAPTIONS {
        big.push_str("\n00:05.000 --> 00:06.000\nnoch eine Zeile Untertitel\n");
    }
    let m = message(check_vtt(big.as_bytes()).expect_err("too large"));
    assert!(m.contains("zu groß"), "{m}");
}

#[test]
fn languages_are_tags_with_german_by_default() {
    assert_eq!(clean_lang("").expect("default"), "de");
    assert_eq!(clean_lang(" EN ").expect("en"), "en");
    assert_eq!(clean_lang("pt-BR").expect("pt"), "pt-BR");
    for bad in ["deutsch", "d", "de_DE", "de-", "<x>", "de-toolongpart"] {
        assert!(clean_lang(bad).is_err(), "{bad}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(800))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = check_vtt(&bytes);
    }

    #[test]
    fn cue_like_noise_never_panics(
        s in "WEBVTT( [a-z]{0,4})?(\r?\n|\r)((NOTE|STYLE|REGION|[0-9]{1,3})?(\r?\n|\r)|[0-9:.]{0,14} ?-->[ \t]?[0-9:.]{0,14}( [a-z:%0-9]{0,6})?(\r?\n|\r)|[a-zäöü<>/ ]{0,8}(\r?\n|\r)){0,20}"
    ) {
        if let Ok(n) = check_vtt(s.as_bytes()) {
            prop_assert!(n >= 1);
        }
    }
}

fn media(title: &str) -> MaterialInput {
    MaterialInput {
        kind: "media".into(),
        title: title.into(),
        completion: "none".into(),
        ..MaterialInput::default()
    }
}

async fn a_track_per_language_within_the_rights(db: Db) {
    let s = school(db).await;
    let p = &s.platform;
    let lehrer = s.user("lehrer").await;
    let anna = s.user("anna").await;
    let carla = s.user("carla").await;
    let five_a = lehrer
        .groups
        .iter()
        .find(|g| g.name == "5a")
        .expect("5a")
        .id;
    let course = p.lms_create_course(&lehrer, five_a).await.expect("course");
    let section = p
        .lms_outline(&lehrer, course)
        .await
        .expect("outline")
        .sections[0]
        .row
        .id;
    let video = p
        .lms_add_material(&lehrer, section, &media("Erklärvideo"))
        .await
        .expect("media");
    p.lms_add_file(&lehrer, video, "v.webm", &[0x1a, 0x45, 0xdf, 0xa3, 1, 2])
        .await
        .expect("webm");
    let tracks = |files: Vec<schulhof_domain::lms::FileRow>| {
        let mut t: Vec<(String, String)> = files
            .into_iter()
            .filter(|f| f.role == CAPTIONS_ROLE)
            .map(|f| (f.lang.unwrap_or_default(), f.name))
            .collect();
        t.sort();
        t
    };

    // Refused: a student, a faulty file, a page; nothing stored.
    assert!(
        p.lms_add_captions(&anna, video, "a.vtt", GOOD.as_bytes(), "")
            .await
            .is_err()
    );
    let e = p
        .lms_add_captions(&lehrer, video, "a.vtt", b"WEBVTT\n\nx\ny\n", "de")
        .await
        .expect_err("faulty");
    assert!(message(e).contains("Zeile 4"));
    let page = p
        .lms_add_material(
            &lehrer,
            section,
            &MaterialInput {
                kind: "page".into(),
                ..media("Seite")
            },
        )
        .await
        .expect("page");
    assert!(
        p.lms_add_captions(&lehrer, page, "a.vtt", GOOD.as_bytes(), "de")
            .await
            .is_err()
    );
    let v = p.lms_open_material(&lehrer, video).await.expect("open");
    assert!(tracks(v.files).is_empty());

    // German by default, English beside it; a new German file replaces the old one.
    p.lms_add_captions(&lehrer, video, "alt.vtt", GOOD.as_bytes(), "")
        .await
        .expect("de");
    p.lms_add_captions(&lehrer, video, "en.vtt", GOOD.as_bytes(), "en")
        .await
        .expect("en");
    let de = p
        .lms_add_captions(&lehrer, video, "neu.vtt", GOOD.as_bytes(), "de")
        .await
        .expect("de again");
    let v = p.lms_open_material(&anna, video).await.expect("open");
    assert_eq!(
        tracks(v.files.clone()),
        vec![
            ("de".into(), "neu.vtt".into()),
            ("en".into(), "en.vtt".into())
        ]
    );
    let (row, _) = p.lms_file_content(&anna, video, de).await.expect("track");
    assert_eq!(row.mime, "text/vtt");
    // Outside the course: not found.
    assert!(matches!(
        p.lms_file_content(&carla, video, de).await,
        Err(DomainError::NotFound)
    ));

    // A copy of the course carries both tracks.
    let copy = p.lms_copy_course(&lehrer, course).await.expect("copy");
    let copied = p.lms_outline(&lehrer, copy).await.expect("outline");
    let copied_video = copied
        .sections
        .iter()
        .flat_map(|s| &s.activities)
        .find(|a| a.row.title == "Erklärvideo")
        .expect("copied video")
        .row
        .id;
    let v = p
        .lms_open_material(&lehrer, copied_video)
        .await
        .expect("open");
    assert_eq!(tracks(v.files).len(), 2);

    // Removed, the track is gone; hidden, the material's tracks are gone for students.
    p.lms_remove_file(&lehrer, video, de).await.expect("remove");
    assert!(p.lms_file_content(&lehrer, video, de).await.is_err());
    let en = p
        .lms_open_material(&lehrer, video)
        .await
        .expect("open")
        .files
        .into_iter()
        .find(|f| f.role == CAPTIONS_ROLE)
        .expect("en")
        .id;
    p.lms_update_material(
        &lehrer,
        video,
        &MaterialInput {
            hidden: true,
            ..media("Erklärvideo")
        },
    )
    .await
    .expect("hide");
    assert!(matches!(
        p.lms_file_content(&anna, video, en).await,
        Err(DomainError::NotFound)
    ));
    assert!(p.lms_file_content(&lehrer, video, en).await.is_ok());
}

backend_tests!(a_track_per_language_within_the_rights);
