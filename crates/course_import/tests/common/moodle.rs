//! A Moodle 4.x course backup (sections, page with image, file, link, assignment, quiz) and
//! an old-style ZIP backup (label and folder), as Moodle writes their XML.

pub const HASH_IMG: &str = "1a2b3c4d5e6f708192a3b4c5d6e7f80910111213";
pub const HASH_PDF: &str = "2b3c4d5e6f708192a3b4c5d6e7f8091011121314";
pub const HASH_DOCX: &str = "3c4d5e6f708192a3b4c5d6e7f809101112131415";
pub const HASH_QUIZ: &str = "4d5e6f708192a3b4c5d6e7f80910111213141516";

pub fn backup_xml(format: &str, version: &str, sections: &str, activities: &str) -> String {
    let release = if version.starts_with("2012") {
        "2.4.1 (Build: 20121210)"
    } else {
        "4.3.3 (Build: 20240212)"
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<moodle_backup>
  <information>
    <name>backup-moodle2-course-7-bio7-20250301-1200.mbz</name>
    <moodle_version>{version}</moodle_version>
    <moodle_release>{release}</moodle_release>
    <backup_version>{version}</backup_version>
    <backup_release>4.3</backup_release>
    <original_course_fullname>Biologie 7b</original_course_fullname>
    <original_course_shortname>BIO7b</original_course_shortname>
    <details>
      <detail backup_id="f00">
        <type>course</type>
        <format>{format}</format>
      </detail>
    </details>
    <contents>
      <activities>{activities}</activities>
      <sections>{sections}</sections>
      <course><courseid>7</courseid><title>BIO7b</title><directory>course</directory></course>
    </contents>
  </information>
</moodle_backup>"#
    )
}

pub fn section_ref(id: u32, title: &str) -> String {
    format!(
        "<section><sectionid>{id}</sectionid><title>{title}</title>\
         <directory>sections/section_{id}</directory></section>"
    )
}

pub fn activity_ref(module: &str, cmid: u32, section: u32, title: &str) -> String {
    format!(
        "<activity><moduleid>{cmid}</moduleid><sectionid>{section}</sectionid>\
         <modulename>{module}</modulename><title>{title}</title>\
         <directory>activities/{module}_{cmid}</directory></activity>"
    )
}

pub fn section_xml(id: u32, number: u32, name: &str, summary: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<section id="{id}">
  <number>{number}</number>
  <name>{name}</name>
  <summary>{summary}</summary>
  <summaryformat>1</summaryformat>
  <sequence></sequence>
  <visible>1</visible>
</section>"#
    )
}

pub fn activity_xml(module: &str, id: u32, context: u32, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<activity id="{id}" moduleid="{id}" modulename="{module}" contextid="{context}">
  <{module} id="{id}">
{body}
  </{module}>
</activity>"#
    )
}

pub fn inforef(ids: &[u32]) -> String {
    let files: String = ids
        .iter()
        .map(|i| format!("<file><id>{i}</id></file>"))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<inforef><fileref>{files}</fileref></inforef>"
    )
}

/// A `files.xml` row of a file in the root folder of its area.
pub fn file_row(
    id: u32,
    hash: &str,
    component: &str,
    area: &str,
    name: &str,
    mime: &str,
    sort: u32,
) -> String {
    format!(
        "<file id=\"{id}\"><contenthash>{hash}</contenthash><contextid>40</contextid>\
         <component>{component}</component><filearea>{area}</filearea><itemid>0</itemid>\
         <filepath>/</filepath><filename>{name}</filename><userid>2</userid>\
         <filesize>7</filesize><mimetype>{mime}</mimetype><status>0</status>\
         <sortorder>{sort}</sortorder><repositorytype>$@NULL@$</repositorytype></file>"
    )
}

pub fn pool_path(hash: &str) -> String {
    format!("files/{}/{hash}", &hash[..2])
}

/// The entries of the Moodle 4.x course backup, as (path, content).
pub fn moodle4_entries() -> Vec<(String, Vec<u8>)> {
    let sections = [section_ref(10, "0"), section_ref(11, "Woche 2")].concat();
    let activities = [
        activity_ref("page", 1, 10, "Willkommen"),
        activity_ref("resource", 2, 10, "Arbeitsblatt"),
        activity_ref("url", 3, 11, "Wikipedia"),
        activity_ref("assign", 4, 11, "Hausaufgabe 1"),
        activity_ref("quiz", 5, 11, "Vokabeltest"),
    ]
    .concat();
    let files = [
        file_row(
            101,
            HASH_IMG,
            "mod_page",
            "content",
            "bild eins.png",
            "image/png",
            0,
        ),
        file_row(
            102,
            HASH_PDF,
            "mod_resource",
            "content",
            "arbeitsblatt.pdf",
            "application/pdf",
            1,
        ),
        file_row(
            103,
            HASH_DOCX,
            "mod_assign",
            "introattachment",
            "vorlage.docx",
            "",
            0,
        ),
        file_row(
            104,
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "mod_assign",
            "introattachment",
            ".",
            "$@NULL@$",
            0,
        ),
        file_row(
            105,
            HASH_QUIZ,
            "question",
            "questiontext",
            "frage.png",
            "image/png",
            0,
        ),
    ]
    .concat();
    let v: Vec<(String, String)> = vec![
        (
            "moodle_backup.xml".into(),
            backup_xml("moodle2", "2023100900", &sections, &activities),
        ),
        (
            "files.xml".into(),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<files>{files}</files>"),
        ),
        (
            "sections/section_10/section.xml".into(),
            section_xml(
                10,
                0,
                "$@NULL@$",
                "&lt;p&gt;Hallo &amp;amp; willkommen&lt;/p&gt;",
            ),
        ),
        ("sections/section_10/inforef.xml".into(), inforef(&[])),
        (
            "sections/section_11/section.xml".into(),
            section_xml(
                11,
                1,
                "Woche 2",
                "&lt;img src=\"@@PLUGINFILE@@/fehlt.png\"&gt;",
            ),
        ),
        (
            "activities/page_1/page.xml".into(),
            activity_xml(
                "page",
                1,
                41,
                "<name>Willkommen</name><intro></intro>\
             <content>&lt;p&gt;Seht euch das an:&lt;/p&gt;&lt;img src=\"@@PLUGINFILE@@/bild%20eins.png?time=1700\" alt=\"Zelle\"&gt;</content>\
             <contentformat>1</contentformat>",
            ),
        ),
        ("activities/page_1/inforef.xml".into(), inforef(&[101])),
        (
            "activities/page_1/module.xml".into(),
            "<module id=\"1\"><modulename>page</modulename><visible>1</visible></module>".into(),
        ),
        (
            "activities/resource_2/resource.xml".into(),
            activity_xml(
                "resource",
                2,
                42,
                "<name>Arbeitsblatt</name><intro></intro><tobemigrated>0</tobemigrated>",
            ),
        ),
        ("activities/resource_2/inforef.xml".into(), inforef(&[102])),
        (
            "activities/resource_2/module.xml".into(),
            "<module id=\"2\"><modulename>resource</modulename><visible>0</visible></module>"
                .into(),
        ),
        (
            "activities/url_3/url.xml".into(),
            activity_xml(
                "url",
                3,
                43,
                "<name>Wikipedia</name><externalurl>https://de.wikipedia.org/wiki/Zelle_(Biologie)</externalurl>",
            ),
        ),
        (
            "activities/assign_4/assign.xml".into(),
            activity_xml(
                "assign",
                4,
                44,
                "<name>Hausaufgabe 1</name><intro>&lt;p&gt;Zeichnet eine Zelle.&lt;/p&gt;</intro><introformat>1</introformat>\
             <duedate>1767225600</duedate><cutoffdate>1767312000</cutoffdate><allowsubmissionsfromdate>1766620800</allowsubmissionsfromdate>\
             <grade>10.00000</grade><activity>$@NULL@$</activity>",
            ),
        ),
        (
            "activities/assign_4/inforef.xml".into(),
            inforef(&[103, 104]),
        ),
        (
            "activities/quiz_5/quiz.xml".into(),
            activity_xml("quiz", 5, 45, "<name>Vokabeltest</name>"),
        ),
        ("activities/quiz_5/inforef.xml".into(), inforef(&[105])),
        (pool_path(HASH_IMG), "PNGDATA".into()),
        (pool_path(HASH_PDF), "PDFDATA".into()),
        (pool_path(HASH_DOCX), "DOCXDAT".into()),
        (pool_path(HASH_QUIZ), "QUIZPNG".into()),
    ];
    v.into_iter().map(|(k, s)| (k, s.into_bytes())).collect()
}

/// The entries of an old (Moodle 2.4, ZIP) backup: one section with a label and a folder.
pub fn old_zip_entries() -> Vec<(String, Vec<u8>)> {
    let sections = section_ref(20, "Thema 1");
    let activities = [
        activity_ref("label", 7, 20, "Hinweis"),
        activity_ref("folder", 8, 20, "Material"),
    ]
    .concat();
    let files = [
        file_row(
            201,
            HASH_IMG,
            "mod_folder",
            "content",
            "b.png",
            "image/png",
            0,
        ),
        file_row(
            202,
            HASH_PDF,
            "mod_folder",
            "content",
            "a.pdf",
            "application/pdf",
            0,
        ),
        file_row(
            203,
            HASH_DOCX,
            "mod_label",
            "intro",
            "logo.png",
            "image/png",
            0,
        ),
    ]
    .concat();
    let v: Vec<(String, String)> = vec![
        (
            "moodle_backup.xml".into(),
            backup_xml("moodle2", "2012120300", &sections, &activities),
        ),
        ("files.xml".into(), format!("<files>{files}</files>")),
        (
            "sections/section_20/section.xml".into(),
            section_xml(20, 1, "Thema 1", ""),
        ),
        (
            "activities/label_7/label.xml".into(),
            activity_xml(
                "label",
                7,
                50,
                "<name>Hinweis</name><intro>&lt;p&gt;&lt;img src=\"@@PLUGINFILE@@/logo.png\"&gt; Bitte lesen!&lt;/p&gt;</intro>",
            ),
        ),
        ("activities/label_7/inforef.xml".into(), inforef(&[203])),
        (
            "activities/folder_8/folder.xml".into(),
            activity_xml("folder", 8, 51, "<name>Material</name><intro></intro>"),
        ),
        (
            "activities/folder_8/inforef.xml".into(),
            inforef(&[201, 202]),
        ),
        (pool_path(HASH_IMG), "PNGDATA".into()),
        (pool_path(HASH_PDF), "PDFDATA".into()),
        (pool_path(HASH_DOCX), "LOGOPNG".into()),
    ];
    v.into_iter().map(|(k, s)| (k, s.into_bytes())).collect()
}

pub fn as_refs(entries: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    entries
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_slice()))
        .collect()
}
