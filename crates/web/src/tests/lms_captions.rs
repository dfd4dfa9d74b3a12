//! Caption tracks of media material through the edit form: the teacher uploads a WebVTT
//! file with a language (German by default); the player shows it as
//! `<track kind="captions">` from the material's own address, served as `text/vtt`; a new
//! file in the same language replaces the old one; a faulty file is refused with its line
//! and changes nothing; removing it works. A student outside the course, another school
//! and — once the material is hidden — the course's student get 404. A copy of the course
//! carries the track.

use axum::http::{StatusCode, header};

use super::lms_page_media::{id_in, new_student};
use super::*;

on_both_backends!(caption_tracks_on_media);

const WEBM: &[u8] = &[0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01];
const VTT_DE: &str = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHallo 5a!\n\n00:00:02.000 --> 00:00:04.000\nHeute: Vulkane.\n";
const VTT_EN: &str = "WEBVTT\n\n00:00.000 --> 00:02.000\nHello 5a!\n";

/// The first track of `lang` in a material page: its address.
fn track_src(body: &str, lang: &str) -> String {
    let at = body
        .find(&format!("<track kind=\"captions\" srclang=\"{lang}\""))
        .unwrap_or_else(|| panic!("a {lang} track in {body}"));
    let src = at + body[at..].find("src=\"").expect("src") + 5;
    let end = src + body[src..].find('"').expect("end");
    body[src..end].to_owned()
}

async fn caption_tracks_on_media(app: App) {
    app.platform.system_seed_demo_files().await.expect("demo");
    let teacher = app.ready("lehrer").await;
    let student = app.ready("schueler").await;
    let admin = app.ready("admin").await;
    let list = app.get("/kurse", &teacher).await;
    let at = list.body.find("Mathematik 5a").expect("course");
    let course = id_in(&list.body[at - 60..], "href=\"/kurse/");
    let course_page = app.get(&format!("/kurse/{course}"), &teacher).await;
    let section = id_in(&course_page.body, "/kurse/abschnitte/");
    let r = app
        .post(
            &format!("/kurse/abschnitte/{section}/material/neu?art=media"),
            &teacher,
            &[("titel", "Vulkan-Video"), ("abschluss", "none")],
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    // Media opens its edit form for the files.
    let loc = r.location();
    assert!(loc.starts_with("/kurse/material/"), "{loc}");
    let media = loc[16..52].to_owned();
    app.post_multipart(
        &format!("/kurse/material/{media}/dateien"),
        &teacher,
        &[],
        ("datei", "vulkan.webm", WEBM),
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let edit = format!("/kurse/material/{media}/bearbeiten");
    app.get(&edit, &teacher)
        .await
        .assert(StatusCode::OK)
        .has("<h2 id=\"captions-h\">Untertitel</h2>")
        .has("<label for=\"untertitel-sprache\">Sprache der Untertitel</label>")
        .has("<option value=\"de\" lang=\"de\" selected>Deutsch</option>")
        .has(&format!("action=\"/kurse/material/{media}/untertitel\""));

    // Refused with the line at fault; a student may not upload; nothing is stored.
    let upload = format!("/kurse/material/{media}/untertitel");
    let r = app
        .post_multipart(
            &upload,
            &teacher,
            &[("sprache", "de")],
            (
                "datei",
                "kaputt.vtt",
                b"WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nx\n",
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    r.has("Zeile 3");
    let r = app
        .post_multipart(&upload, &teacher, &[], ("datei", "x.vtt", b"Hallo"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    r.has("WEBVTT");
    app.post_multipart(
        &upload,
        &student,
        &[],
        ("datei", "s.vtt", VTT_DE.as_bytes()),
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    app.get(&format!("/kurse/material/{media}"), &student)
        .await
        .lacks("<track");

    // German without a choice, then English; a second German file replaces the first.
    app.post_multipart(
        &upload,
        &teacher,
        &[],
        ("datei", "alt.vtt", VTT_EN.as_bytes()),
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.post_multipart(
        &upload,
        &teacher,
        &[("sprache", "en")],
        ("datei", "en.vtt", VTT_EN.as_bytes()),
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    let r = app
        .post_multipart(
            &upload,
            &teacher,
            &[("sprache", "de")],
            ("datei", "de.vtt", VTT_DE.as_bytes()),
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    app.get(r.location(), &teacher)
        .await
        .has("Die Untertitel sind hinzugefügt.")
        .has("de.vtt")
        .has("en.vtt")
        .lacks("alt.vtt");
    let shown = app.get(&format!("/kurse/material/{media}"), &student).await;
    shown
        .assert(StatusCode::OK)
        .has("<video controls")
        .has("label=\"Deutsch\"")
        .has("label=\"English\"")
        .lacks("download>de.vtt</a> <span");
    let de = track_src(&shown.body, "de");
    let en = track_src(&shown.body, "en");
    assert!(
        de.starts_with(&format!("/kurse/material/{media}/datei/")),
        "{de}"
    );
    let t = app.get(&de, &student).await;
    t.assert(StatusCode::OK);
    assert!(
        t.headers[header::CONTENT_TYPE]
            .to_str()
            .expect("type")
            .starts_with("text/vtt")
    );
    assert_eq!(t.body, VTT_DE);

    // Outside the course and another school: 404.
    let outsider = new_student(&app, "100000", &admin).await;
    app.get(&de, &outsider).await.assert(StatusCode::NOT_FOUND);
    app.platform
        .system_create_school("200000", "Goethe-Gymnasium")
        .await
        .expect("school");
    app.platform
        .system_set_password("200000", "admin", Some("admin-passwort-b"))
        .await
        .expect("password");
    let admin_b = app.ready_at("200000", "admin", "admin-passwort-b").await;
    app.get(&de, &admin_b).await.assert(StatusCode::NOT_FOUND);

    // A copy of the course carries the tracks, each from the copy's own address.
    let r = app
        .post(&format!("/kurse/{course}/kopieren"), &teacher, &[])
        .await;
    r.assert(StatusCode::SEE_OTHER);
    let copied = app.get(r.location(), &teacher).await;
    let at = copied.body.find("Vulkan-Video").expect("copied media");
    let from = copied.body[..at].rfind("/kurse/material/").expect("link");
    let copied_media = copied.body[from + 16..from + 52].to_owned();
    assert_ne!(copied_media, media);
    let shown = app
        .get(&format!("/kurse/material/{copied_media}"), &teacher)
        .await;
    let copied_de = track_src(&shown.body, "de");
    assert!(copied_de.starts_with(&format!("/kurse/material/{copied_media}/datei/")));
    assert_eq!(app.get(&copied_de, &teacher).await.body, VTT_DE);

    // Removed: gone from the player and the address.
    let en_id = &en[en.len() - 36..];
    app.post(
        &format!("/kurse/material/{media}/dateien/{en_id}/entfernen"),
        &teacher,
        &[],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&en, &student).await.assert(StatusCode::NOT_FOUND);
    app.get(&format!("/kurse/material/{media}"), &student)
        .await
        .lacks("srclang=\"en\"")
        .has("srclang=\"de\"");

    // Hidden: the track is gone for the student, not for the teacher.
    app.post(
        &edit,
        &teacher,
        &[
            ("titel", "Vulkan-Video"),
            ("abschluss", "none"),
            ("versteckt", "ja"),
        ],
    )
    .await
    .assert(StatusCode::SEE_OTHER);
    app.get(&de, &student).await.assert(StatusCode::NOT_FOUND);
    app.get(&de, &teacher).await.assert(StatusCode::OK);
}
