//! Writing a generated [`School`] in the three import formats.

use std::fmt::Write as _;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::{Human, SchildSpec, names, pick, school};

const SOURCE: &str = "SCHILDNRW-2.0.33.1";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A Schild-NRW "LOGINEO XML" file shaped like format spec §6, in the metaventis namespace.
pub fn schild_xml(spec: &SchildSpec) -> String {
    let s = school(spec);
    let sn = &spec.school_number;
    let mut x = String::with_capacity(1800 * (s.students.len() + s.teachers.len()) + 4096);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<enterprise xmlns=\"http://www.metaventis.com/ns/cockpit/sync/1.0\">\n");
    let _ = write!(
        x,
        "  <properties>\n    <datasource>{SOURCE}</datasource>\n    <target>LOGINEO-3.0.1.14</target>\n    <type>SYNC-1.0</type>\n    <datetime>2025-08-20T07:45:10</datetime>\n  </properties>\n"
    );
    for (i, p) in s.students.iter().enumerate() {
        let grade = p.class.map(|c| s.classes[c].as_str());
        person(
            &mut x,
            &format!("ID-{sn}-{}", 1000 + i),
            p,
            "Student",
            grade,
        );
    }
    for (i, p) in s.teachers.iter().enumerate() {
        person(
            &mut x,
            &format!("ID-{sn}-L{:04}", i + 1),
            p,
            "Faculty",
            None,
        );
    }
    group(
        &mut x,
        &format!("TR-{sn}"),
        "1",
        "Schultraeger",
        "Stadt Musterhausen",
        None,
    );
    group(
        &mut x,
        &format!("SN-{sn}"),
        "2",
        "Schule",
        sn,
        Some("Gesamtschule Musterhausen (2025/26)"),
    );
    group(
        &mut x,
        &format!("G-{sn}-ALLE-S"),
        "3",
        "Gruppe",
        "Alle - Schueler",
        Some("Alle - Schueler"),
    );
    group(
        &mut x,
        &format!("G-{sn}-ALLE-L"),
        "3",
        "Gruppe",
        "Alle - Lehrer",
        Some("Alle - Lehrer"),
    );
    for (c, label) in s.classes.iter().enumerate() {
        for role in ["S", "L"] {
            let name = format!("Klasse {label} - {}", role_word(role));
            group(
                &mut x,
                &format!("K-{sn}-{c}-{role}"),
                "3",
                "Klasse",
                &name,
                Some(&name),
            );
        }
    }
    for (j, course) in s.courses.iter().enumerate() {
        for role in ["S", "L"] {
            let (code, subj, kind, n) = (course.code(), course.subject, course.kind, course.number);
            let name = format!("Kurs {code} ({subj}, {kind}, {n}, {})", role_word(role));
            group(
                &mut x,
                &format!("C-{sn}-{j}-{role}"),
                "3",
                "Kurs",
                &name,
                Some(&format!("{subj} {kind}{n}")),
            );
        }
    }
    memberships(&mut x, spec, &s);
    x.push_str("</enterprise>\n");
    x
}

fn role_word(role: &str) -> &'static str {
    if role == "S" { "Schueler" } else { "Lehrer" }
}

fn person(x: &mut String, id: &str, p: &Human, role: &str, grade: Option<&str>) {
    let (first, last) = (esc(&p.first), esc(&p.last));
    let _ = write!(
        x,
        "  <person recstatus=\"1\">\n    <sourcedid><source>{SOURCE}</source><id>{id}</id></sourcedid>\n    <name>\n      <fn>{last} {first}</fn>\n      <n><family>{last}</family><given>{first}</given></n>\n    </name>\n"
    );
    if let Some(b) = p.birthday {
        let _ = writeln!(
            x,
            "    <demographics><bday>{}</bday></demographics>",
            b.format("%Y-%m-%d")
        );
    }
    let _ = write!(
        x,
        "    <email>{}</email>\n    <systemrole systemroletype=\"User\"/>\n    <institutionrole institutionroletype=\"{role}\"/>\n",
        p.email.as_deref().map(esc).unwrap_or_default()
    );
    if let Some(grade) = grade {
        let state = if p.left { 9 } else { 2 };
        let _ = write!(
            x,
            "    <extension>\n      <x-schildnrw-person-state>{state}</x-schildnrw-person-state>\n      <x-schildnrw-grade>{grade}</x-schildnrw-grade>\n    </extension>\n"
        );
    }
    x.push_str("  </person>\n");
}

fn group(x: &mut String, id: &str, level: &str, typevalue: &str, short: &str, long: Option<&str>) {
    let long = long
        .map(|l| format!("<long>{}</long>", esc(l)))
        .unwrap_or_default();
    let _ = write!(
        x,
        "  <group recstatus=\"1\">\n    <sourcedid><source>{SOURCE}</source><id>{id}</id></sourcedid>\n    <grouptype><scheme>SCHILDNRW</scheme><typevalue level=\"{level}\">{typevalue}</typevalue></grouptype>\n    <description><short>{}</short>{long}</description>\n  </group>\n",
        esc(short)
    );
}

fn memberships(x: &mut String, spec: &SchildSpec, s: &super::School) {
    let sn = &spec.school_number;
    let sid = |i: usize| format!("ID-{sn}-{}", 1000 + i);
    let tid = |i: usize| format!("ID-{sn}-L{:04}", i + 1);
    membership(
        x,
        &format!("G-{sn}-ALLE-S"),
        (0..s.students.len()).map(sid),
        "01",
    );
    membership(
        x,
        &format!("G-{sn}-ALLE-L"),
        (0..s.teachers.len()).map(tid),
        "02",
    );
    for c in 0..s.classes.len() {
        let members = s
            .students
            .iter()
            .enumerate()
            .filter(|(_, p)| p.class == Some(c))
            .map(|(i, _)| sid(i));
        membership(x, &format!("K-{sn}-{c}-S"), members, "01");
        membership(
            x,
            &format!("K-{sn}-{c}-L"),
            s.class_teachers[c].iter().map(|&t| tid(t)),
            "02",
        );
    }
    for j in 0..s.courses.len() {
        let members = s
            .students
            .iter()
            .enumerate()
            .filter(|(_, p)| p.courses.contains(&j))
            .map(|(i, _)| sid(i));
        membership(x, &format!("C-{sn}-{j}-S"), members, "01");
        membership(
            x,
            &format!("C-{sn}-{j}-L"),
            s.course_teacher[j].iter().map(|&t| tid(t)),
            "02",
        );
    }
}

fn membership(x: &mut String, group: &str, members: impl Iterator<Item = String>, roletype: &str) {
    let mut members = members.peekable();
    if members.peek().is_none() {
        return;
    }
    let _ = writeln!(
        x,
        "  <membership>\n    <sourcedid><source>{SOURCE}</source><id>{group}</id></sourcedid>"
    );
    for m in members {
        let _ = write!(
            x,
            "    <member>\n      <sourcedid><source>{SOURCE}</source><id>{m}</id></sourcedid>\n      <idtype>1</idtype>\n      <role roletype=\"{roletype}\" recstatus=\"1\"><status>1</status></role>\n    </member>\n"
        );
    }
    x.push_str("  </membership>\n");
}

/// The same school as an SVWS "Lernplattform V1" export (format spec §8), with one
/// class-taught learning group (German) per class besides the courses.
pub fn svws_json(spec: &SchildSpec) -> String {
    let s = school(spec);
    let class_id = |c: usize| 100 + c as i64;
    let course_lg = |j: usize| 1000 + j as i64;
    let class_lg = |c: usize| 2000 + c as i64;
    let lehrer: Vec<Value> = s.teachers.iter().enumerate().map(|(i, t)| json!({
        "id": i + 1, "kuerzel": format!("L{:02}", i + 1), "nachname": t.last, "vorname": t.first,
        "geschlecht": "x", "emailDienstlich": t.email, "lernplattformlogin": null,
    })).collect();
    let klassen: Vec<Value> = s
        .classes
        .iter()
        .enumerate()
        .map(|(c, label)| {
            json!({
                "id": class_id(c), "kuerzel": label, "kuerzelAnzeige": label, "idJahrgang": null,
                "idsKlassenlehrer": s.class_teachers[c].iter().map(|t| t + 1).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut lerngruppen: Vec<Value> = s.courses.iter().enumerate().map(|(j, course)| json!({
        "id": course_lg(j), "idIntern": 5000 + j, "idFach": j % 16 + 1,
        "idKursart": if course.kind == "LK" { 2 } else { 1 }, "bezeichnung": course.code(),
        "kursartKuerzel": course.kind, "bilingualeSprache": null,
        "idsLehrer": s.course_teacher[j].iter().map(|t| t + 1).collect::<Vec<_>>(), "wochenstunden": 3,
    })).collect();
    lerngruppen.extend(s.classes.iter().enumerate().map(|(c, label)| json!({
        "id": class_lg(c), "idIntern": class_id(c), "idFach": 1, "idKursart": null,
        "bezeichnung": format!("{label} D"), "kursartKuerzel": null, "bilingualeSprache": null,
        "idsLehrer": s.class_teachers[c].iter().take(1).map(|t| t + 1).collect::<Vec<_>>(), "wochenstunden": 4,
    })));
    let schueler: Vec<Value> = s.students.iter().enumerate().map(|(i, p)| {
        let mut groups: Vec<i64> = p.class.map(class_lg).into_iter().collect();
        groups.extend(p.courses.iter().map(|&j| course_lg(j)));
        json!({
            "id": 10000 + i, "idJahrgang": null, "idKlasse": p.class.map(class_id),
            "nachname": p.last, "vorname": p.first, "geschlecht": "x",
            "geburtsdatum": p.birthday.map(|b| b.format("%Y-%m-%d").to_string()),
            "status": if p.left { 9 } else { 2 }, "lernplattformlogin": null, "idsLerngruppen": groups,
        })
    }).collect();
    let export = json!({
        "revision": 1, "idLernplattform": 1, "lernplattformBezeichnung": "Schulhof",
        "schulnummer": spec.school_number.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(spec.school_number.clone())),
        "schuljahr": 2025, "idSchuljahresabschnitt": 27, "schulbezeichnung": "Gesamtschule Musterhausen",
        "jahrgaenge": [], "klassen": klassen, "lehrer": lehrer, "faecher": [],
        "lerngruppen": lerngruppen, "schueler": schueler,
    });
    serde_json::to_string_pretty(&export).unwrap_or_default()
}

/// A table import with `rows` persons and the header
/// `Quell-ID;Nachname;Vorname;Klasse;Gruppen;E-Mail;Geburtsdatum` (with `delimiter`).
/// Groups are `|`-separated; birthdays alternate between `DD.MM.YYYY` and ISO.
pub fn table_csv(rows: usize, seed: u64, delimiter: u8) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    let _ = w.write_record([
        "Quell-ID",
        "Nachname",
        "Vorname",
        "Klasse",
        "Gruppen",
        "E-Mail",
        "Geburtsdatum",
    ]);
    for i in 0..rows {
        let (first, last) = names::student(i, &mut rng);
        let class = format!(
            "Klasse 20{}.{}",
            rng.random_range(18..=25),
            rng.random_range(1..=4)
        );
        let groups = [
            pick(&mut rng, &["AG Theater", "AG Robotik", "Chor", "Schach"]),
            pick(&mut rng, &["D-GK1", "E-GK2", "M-LK1"]),
        ]
        .join("|");
        let mail = if i % 3 == 0 {
            format!("person{i}@example.invalid")
        } else {
            String::new()
        };
        let (y, m, d) = (
            rng.random_range(1970..=2015),
            rng.random_range(1..=12),
            rng.random_range(1..=28),
        );
        let birthday = if i % 2 == 0 {
            format!("{d:02}.{m:02}.{y}")
        } else {
            format!("{y}-{m:02}-{d:02}")
        };
        let _ = w.write_record([
            format!("T{}", 10000 + i),
            last,
            first,
            class,
            groups,
            mail,
            birthday,
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
