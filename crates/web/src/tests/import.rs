use std::time::Duration;

use axum::http::{StatusCode, header};

use super::*;

/// A small Schild-NRW export for the demo school 100000: two pupils of 05A and a teacher.
pub const SCHILD_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<enterprise>
  <properties><datasource>SCHILDNRW-2.0.33.1</datasource></properties>
  <person recstatus="1">
    <sourcedid><source>SCHILDNRW</source><id>ID-100000-2041</id></sourcedid>
    <name><fn>Yilmaz Lea</fn><n><family>Yilmaz</family><given>Lea</given></n></name>
    <demographics><bday>2014-03-09</bday></demographics>
    <institutionrole institutionroletype="Student"/>
    <extension><x-schildnrw-person-state>2</x-schildnrw-person-state><x-schildnrw-grade>05A</x-schildnrw-grade></extension>
  </person>
  <person recstatus="1">
    <sourcedid><source>SCHILDNRW</source><id>ID-100000-2057</id></sourcedid>
    <name><fn>Brandt Jonas</fn><n><family>Brandt</family><given>Jonas</given></n></name>
    <institutionrole institutionroletype="Student"/>
    <extension><x-schildnrw-person-state>2</x-schildnrw-person-state><x-schildnrw-grade>05A</x-schildnrw-grade></extension>
  </person>
  <person recstatus="1">
    <sourcedid><source>SCHILDNRW</source><id>ID-100000-L0007</id></sourcedid>
    <name><fn>Kowalski Anna</fn><n><family>Kowalski</family><given>Anna</given></n></name>
    <institutionrole institutionroletype="Faculty"/>
  </person>
  <group recstatus="1">
    <sourcedid><source>SCHILDNRW</source><id>SN-100000</id></sourcedid>
    <grouptype><scheme>SCHILDNRW</scheme><typevalue level="2">Schule</typevalue></grouptype>
    <description><short>100000</short><long>Demo-Gymnasium</long></description>
  </group>
  <group recstatus="1">
    <sourcedid><source>SCHILDNRW</source><id>K-100000-05A-S</id></sourcedid>
    <grouptype><scheme>SCHILDNRW</scheme><typevalue level="3">Klasse</typevalue></grouptype>
    <description><short>Klasse 05A - Schueler</short></description>
  </group>
  <group recstatus="1">
    <sourcedid><source>SCHILDNRW</source><id>C-100000-812-S</id></sourcedid>
    <grouptype><scheme>SCHILDNRW</scheme><typevalue level="3">Kurs</typevalue></grouptype>
    <description><short>Englisch 05A</short></description>
  </group>
  <membership>
    <sourcedid><source>SCHILDNRW</source><id>K-100000-05A-S</id></sourcedid>
    <member><sourcedid><source>SCHILDNRW</source><id>ID-100000-2041</id></sourcedid><idtype>1</idtype><role recstatus="1"><status>1</status></role></member>
    <member><sourcedid><source>SCHILDNRW</source><id>ID-100000-2057</id></sourcedid><idtype>1</idtype><role recstatus="1"><status>1</status></role></member>
  </membership>
  <membership>
    <sourcedid><source>SCHILDNRW</source><id>C-100000-812-S</id></sourcedid>
    <member><sourcedid><source>SCHILDNRW</source><id>ID-100000-2041</id></sourcedid><idtype>1</idtype><role recstatus="1"><status>1</status></role></member>
  </membership>
</enterprise>
"#;

pub const PROTOCOL_PASSWORD: &str = "geheim-genug";

/// `(name, value)` of every hidden input of a page.
pub fn hidden_fields(body: &str) -> Vec<(String, String)> {
    body.split(r#"<input type="hidden" name=""#)
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.split_once(r#"value=""#)?.1.split_once('"')?.0;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

/// Uploads `xml` as a Schild file; returns the run's page.
pub async fn upload_schild(app: &App, cookie: &str, xml: &str) -> String {
    let r = app
        .post_multipart(
            "/verwaltung/import",
            cookie,
            &[("format", "schild"), ("schueler", "mit")],
            ("datei", "schild.xml", xml.as_bytes()),
        )
        .await;
    r.assert(StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/verwaltung/import/"));
    r.location().to_owned()
}

/// Runs the previewed import at `run` with the counts it shows and waits until it ran.
pub async fn apply_and_wait(app: &App, cookie: &str, run: &str) -> Resp {
    let preview = app.get(run, cookie).await;
    preview.assert(StatusCode::OK);
    let mut form = hidden_fields(&preview.body);
    assert!(form.iter().any(|(k, _)| k == "erwartet_created"));
    form.push(("protocol_password".into(), PROTOCOL_PASSWORD.into()));
    form.push(("protocol_password2".into(), PROTOCOL_PASSWORD.into()));
    form.push(("accept_fixes".into(), "ja".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let started = app.post(&format!("{run}/ausfuehren"), cookie, &pairs).await;
    started.assert(StatusCode::SEE_OTHER);
    assert_eq!(started.location(), run);
    wait(app, cookie, run).await
}

/// Reloads the run's page, as its progress page does, until the import no longer runs.
pub async fn wait(app: &App, cookie: &str, run: &str) -> Resp {
    for _ in 0..400 {
        let page = app.get(run, cookie).await;
        page.assert(StatusCode::OK);
        if !page.body.contains(r#"http-equiv="refresh""#) {
            return page;
        }
        page.has("<progress");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the import did not finish");
}

#[tokio::test]
async fn a_schild_file_is_previewed_applied_and_its_letters_printed() {
    let app = app().await;
    let admin = app.ready("admin").await;
    app.get("/", &admin)
        .await
        .has(r#"href="/verwaltung/import""#)
        .has(r#"href="/verwaltung/loeschfristen""#)
        .has(r#"href="/verwaltung/schuljahr""#);
    app.get("/verwaltung/import", &admin)
        .await
        .assert(StatusCode::OK)
        .has(r#"enctype="multipart/form-data""#)
        .has("<legend>")
        .has("mit Schüler*innen")
        .has(r#"type="file""#);
    let run = upload_schild(&app, &admin, SCHILD_XML).await;
    let preview = app.get(&run, &admin).await;
    preview
        .assert(StatusCode::OK)
        .has("Lea Yilmaz")
        .has("<code>lea.yilmaz</code>")
        .has("lea.yilmaz@100000.nrw.schule")
        .has("anna.kowalski@100000.nrw.schule")
        .has(r#"name="create_group" value="K-100000-05A-S" checked"#)
        .has(r#"name="protocol_password2""#);
    // Unticking a new group previews without it.
    let unticked = app
        .get(
            &format!(
                "{run}?abgleich=1&neu=K-100000-05A-S&neu=C-100000-812-S&create_group=C-100000-812-S"
            ),
            &admin,
        )
        .await;
    unticked
        .has(r#"name="create_group" value="K-100000-05A-S">"#)
        .has(r#"<input type="hidden" name="skip" value="K-100000-05A-S">"#);
    // The two passwords must match.
    app.post(
        &format!("{run}/ausfuehren"),
        &admin,
        &[
            ("protocol_password", PROTOCOL_PASSWORD),
            ("protocol_password2", "etwas-anderes"),
        ],
    )
    .await
    .assert(StatusCode::UNPROCESSABLE_ENTITY)
    .has(r#"id="protocol_password2-error""#);

    // Counts that differ from the plan now mean the data changed since the preview: the
    // form answers at once with the new preview.
    let mut stale: Vec<(String, String)> = hidden_fields(&preview.body)
        .into_iter()
        .filter(|(k, _)| k != "erwartet_created")
        .collect();
    stale.push(("erwartet_created".into(), "99".into()));
    stale.push(("protocol_password".into(), PROTOCOL_PASSWORD.into()));
    stale.push(("protocol_password2".into(), PROTOCOL_PASSWORD.into()));
    let pairs: Vec<(&str, &str)> = stale
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post(&format!("{run}/ausfuehren"), &admin, &pairs)
        .await
        .has("seit der Vorschau geändert")
        .has("Lea Yilmaz");

    let result = apply_and_wait(&app, &admin, &run).await;
    result
        .has("Import ausgeführt")
        .has(&format!(r#"href="{run}/protokoll.zip""#))
        .has(&format!(r#"action="{run}/briefe""#));
    app.get("/verwaltung/import", &admin)
        .await
        .has("schild.xml")
        .has(r#"data-label="Status">Ausgeführt</td>"#);

    let zip = app.get(&format!("{run}/protokoll.zip"), &admin).await;
    zip.assert(StatusCode::OK);
    assert!(zip.body.starts_with("PK"));
    let h = |name| {
        zip.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    assert_eq!(h(header::CONTENT_TYPE), "application/zip");
    assert_eq!(h(header::CACHE_CONTROL), "no-store");
    assert!(h(header::CONTENT_DISPOSITION).starts_with("attachment; filename=\"importprotokoll-"));

    let letters = app
        .post(
            &format!("{run}/briefe"),
            &admin,
            &[("protocol_password", PROTOCOL_PASSWORD), ("klasse", "")],
        )
        .await;
    letters
        .assert(StatusCode::OK)
        .has(r#"class="letter card""#)
        .has("Lea Yilmaz")
        .has("<code>lea.yilmaz</code>")
        .has(r#"<code class="secret">"#)
        .has("ändern Sie das Passwort")
        .has("Demo-Gymnasium");
    assert_eq!(
        letters
            .headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().ok()),
        Some(Some("no-store"))
    );
    let only_5a = app
        .post(
            &format!("{run}/briefe"),
            &admin,
            &[("protocol_password", PROTOCOL_PASSWORD), ("klasse", "05a")],
        )
        .await;
    only_5a.has("Lea Yilmaz").lacks("Anna Kowalski");
    let wrong = app
        .post(
            &format!("{run}/briefe"),
            &admin,
            &[("protocol_password", "falsches-passwort"), ("klasse", "")],
        )
        .await;
    wrong
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"id="letters-password-error""#)
        .lacks(r#"<code class="secret">"#);
}

#[tokio::test]
async fn a_malformed_file_names_the_place_of_the_error() {
    let app = app().await;
    let admin = app.ready("admin").await;
    let broken =
        "<?xml version=\"1.0\"?>\n<enterprise>\n  <person>\n    <name></person>\n</enterprise>\n";
    let r = app
        .post_multipart(
            "/verwaltung/import",
            &admin,
            &[("format", "schild"), ("schueler", "mit")],
            ("datei", "kaputt.xml", broken.as_bytes()),
        )
        .await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"id="datei-error""#)
        .has("Zeile 4")
        .has(r#"aria-invalid="true""#);
    // Nothing was stored.
    app.get("/verwaltung/import", &admin)
        .await
        .has("Noch keine Importe.");
    let none = app
        .post_multipart(
            "/verwaltung/import",
            &admin,
            &[("format", "schild")],
            ("datei", "", b""),
        )
        .await;
    none.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has("Bitte wählen Sie eine Datei aus.");
}

/// Uploads `csv` as a table of pupils.
async fn upload_pupils_table(app: &App, cookie: &str, csv: &str) -> Resp {
    app.post_multipart(
        "/verwaltung/import",
        cookie,
        &[("format", "csv"), ("account_type", "schueler")],
        ("datei", "liste.csv", csv.as_bytes()),
    )
    .await
}

#[tokio::test]
async fn a_table_without_a_mandatory_column_is_refused_with_the_reason() {
    let app = app().await;
    let admin = app.ready("admin").await;
    let csv = "Vorname;Klasse\nAnna;5a\n";
    let r = upload_pupils_table(&app, &admin, csv).await;
    r.assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"id="datei-error""#)
        .has("keine Spalte für")
        .has("Quell-ID")
        .has(r#"<option value="schueler" selected>"#);
    // A table needs its account type.
    let typeless = app
        .post_multipart(
            "/verwaltung/import",
            &admin,
            &[("format", "csv"), ("account_type", "")],
            (
                "datei",
                "liste.csv",
                b"Quell-ID;Nachname;Vorname\n1;Muster;Max\n",
            ),
        )
        .await;
    typeless
        .assert(StatusCode::UNPROCESSABLE_ENTITY)
        .has(r#"id="account_type-error""#);
}

#[tokio::test]
async fn a_table_preview_offers_the_column_mapping() {
    let app = app().await;
    let admin = app.ready("admin").await;
    let csv = "Quell-ID;Nachname;Vorname;Klasse\nS1;Muster;Max;7b\n";
    let r = upload_pupils_table(&app, &admin, csv).await;
    r.assert(StatusCode::SEE_OTHER);
    let run = r.location().to_owned();
    let preview = app.get(&run, &admin).await;
    preview
        .assert(StatusCode::OK)
        .has("max.muster")
        .has(&format!(r#"action="{run}/spalten""#))
        .has(r#"<option value="Klasse">Klasse</option>"#);
    let remapped = app
        .post(
            &format!("{run}/spalten"),
            &admin,
            &[
                ("spalte_quell_id", "Quell-ID"),
                ("spalte_nachname", "Vorname"),
                ("spalte_vorname", "Nachname"),
            ],
        )
        .await;
    assert_eq!(remapped.location(), format!("{run}?ok=import_remapped"));
    app.get(&run, &admin)
        .await
        .has("muster.max")
        .has(r#"<option value="Vorname" selected>"#);
}

#[tokio::test]
async fn only_the_admin_imports() {
    let app = app().await;
    for login in ["schulleitung", "lehrer"] {
        let cookie = app.ready(login).await;
        app.get("/", &cookie)
            .await
            .lacks(r#"href="/verwaltung/import""#);
        app.get("/verwaltung/import", &cookie)
            .await
            .assert(StatusCode::FORBIDDEN);
        let r = app
            .post_multipart(
                "/verwaltung/import",
                &cookie,
                &[("format", "schild")],
                ("datei", "schild.xml", SCHILD_XML.as_bytes()),
            )
            .await;
        r.assert(StatusCode::FORBIDDEN).has("Keine Berechtigung");
    }
    // Nor does anyone else see an admin's run.
    let admin = app.ready("admin").await;
    let run = upload_schild(&app, &admin, SCHILD_XML).await;
    let principal = app.ready("schulleitung").await;
    app.get(&run, &principal)
        .await
        .assert(StatusCode::FORBIDDEN)
        .lacks("lea.yilmaz");
    app.post(
        &format!("{run}/ausfuehren"),
        &principal,
        &[
            ("protocol_password", PROTOCOL_PASSWORD),
            ("protocol_password2", PROTOCOL_PASSWORD),
        ],
    )
    .await
    .assert(StatusCode::FORBIDDEN);
    app.get("/verwaltung/import/kein-import", &admin)
        .await
        .assert(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn conflicts_are_shown_in_german_with_their_fix_and_need_consent() {
    let app = app().await;
    let admin = app.ready("admin").await;
    let person = |id: &str, family: &str, role: &str| {
        format!(
            r#"<person><sourcedid><id>{id}</id></sourcedid><name><n><family>{family}</family><given>Test</given></n></name><institutionrole institutionroletype="{role}"/></person>"#
        )
    };
    let xml = format!(
        "<enterprise>{}{}{}</enterprise>",
        person("A1", "Erste", "Student"),
        person("A1", "Zweite", "Student"),
        person("B2", "Dritte", "Hausmeister"),
    );
    let run = upload_schild(&app, &admin, &xml).await;
    let preview = app.get(&run, &admin).await;
    preview
        .assert(StatusCode::OK)
        .has("Die Quell-ID A1 kommt mehrfach vor")
        .has("Unbekannter Kontotyp „Hausmeister“")
        .has("Person auslassen")
        .has(r#"name="accept_fixes""#);
    let mut form = hidden_fields(&preview.body);
    form.push(("protocol_password".into(), PROTOCOL_PASSWORD.into()));
    form.push(("protocol_password2".into(), PROTOCOL_PASSWORD.into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post(&format!("{run}/ausfuehren"), &admin, &pairs)
        .await
        .assert(StatusCode::UNPROCESSABLE_ENTITY);
    apply_and_wait(&app, &admin, &run)
        .await
        .has("Import ausgeführt");
}
