//! The domain's field messages (English, for the API) in German for the pages. Unknown
//! messages pass through unchanged, so a new domain message is never lost, only untranslated.

use schulhof_front::Lang;

/// Exact messages.
const EXACT: &[(&str, &str)] = &[
    ("must not be empty", "darf nicht leer sein"),
    (
        "must have at most 100 characters",
        "darf höchstens 100 Zeichen haben",
    ),
    (
        "must not contain control characters",
        "darf keine Steuerzeichen enthalten",
    ),
    (
        "must have at least 8 characters",
        "muss mindestens 8 Zeichen haben",
    ),
    (
        "must have at most 256 characters",
        "darf höchstens 256 Zeichen haben",
    ),
    (
        "must not be the login name",
        "darf nicht der Benutzername sein",
    ),
    (
        "the current password is wrong",
        "das bisherige Passwort stimmt nicht",
    ),
    (
        "must differ from the current password",
        "muss sich vom bisherigen Passwort unterscheiden",
    ),
    (
        "is one of the most common passwords (or one with digits added); choose another",
        "gehört zu den häufigsten Passwörtern (auch mit angehängten Ziffern); bitte ein anderes wählen",
    ),
    (
        "is not a valid mail address (name@domain.tld)",
        "ist keine gültige E-Mail-Adresse (name@domain.tld)",
    ),
    ("is required", "ist erforderlich"),
    (
        "is required for a function account",
        "ist für ein Funktionskonto erforderlich",
    ),
    ("no such login", "diesen Benutzernamen gibt es nicht"),
    (
        "no such login in this school",
        "diesen Benutzernamen gibt es an dieser Schule nicht",
    ),
    (
        "must be one of lehrer, personal, schueler, extern",
        "muss Lehrkraft, Personal, Schüler/in oder Extern sein",
    ),
    (
        "must be one of admin, schulleitung, sekretariat",
        "muss Admin, Schulleitung oder Sekretariat sein",
    ),
    (
        "give either an account type or a function role, not both",
        "entweder einen Kontotyp oder eine Funktion angeben, nicht beides",
    ),
    (
        "login or mail address is already taken",
        "Benutzername oder E-Mail-Adresse ist bereits vergeben",
    ),
    (
        "a function account has no account type",
        "ein Funktionskonto hat keinen Kontotyp",
    ),
    ("must not contain '/'", "darf kein „/“ enthalten"),
    (
        "must be one of klasse, kurs, arbeitsgruppe, personalgruppe, fachschaft",
        "muss Klasse, Kurs, Arbeitsgruppe, Personalgruppe oder Fachschaft sein",
    ),
    (
        "document the case in at least 10 characters",
        "beschreiben Sie den Fall mit mindestens 10 Zeichen",
    ),
    (
        "must not be before the start",
        "darf nicht vor dem Beginn liegen",
    ),
    (
        "login must be 1 to 64 characters of lowercase letters, digits, '.', '-' or '_', starting with a letter or digit",
        "1 bis 64 Zeichen aus Kleinbuchstaben, Ziffern, „.“, „-“ oder „_“, beginnend mit Buchstabe oder Ziffer",
    ),
    (
        "school number must be exactly 6 digits",
        "die Schulnummer hat genau 6 Ziffern",
    ),
    // Imports
    (
        "choose the account type of the persons in the table",
        "wählen Sie den Kontotyp der Personen in der Tabelle",
    ),
    (
        "a table import needs the account type of its persons: choose one",
        "für eine Tabelle ist der Kontotyp ihrer Personen anzugeben",
    ),
    (
        "must be schild, csv or svws",
        "muss Schild, Tabelle oder SVWS sein",
    ),
    (
        "this upload has expired; upload again",
        "diese Datei ist nicht mehr gespeichert; bitte erneut hochladen",
    ),
    (
        "only table uploads can be mapped again",
        "nur Tabellen lassen sich neu zuordnen",
    ),
    (
        "this import has already run",
        "dieser Import ist bereits gelaufen",
    ),
    (
        "the data changed since the preview; check the new preview",
        "die Daten haben sich seit der Vorschau geändert; bitte prüfen Sie die neue Vorschau",
    ),
    (
        "is not the protocol's password",
        "ist nicht das Passwort des Protokolls",
    ),
    ("the file is empty", "die Datei ist leer"),
    (
        "the file contains no XML element",
        "die Datei enthält kein XML-Element",
    ),
    ("skip this person", "Person auslassen"),
    ("skip this record", "Eintrag auslassen"),
    (
        "keep the first record, skip this one",
        "ersten Eintrag behalten, diesen auslassen",
    ),
    ("ignore this membership", "Mitgliedschaft ignorieren"),
    // Abuse control (Nutzungsbedingungen 7).
    (
        "a written reason of at least 20 characters is required",
        "eine schriftliche Begründung mit mindestens 20 Zeichen ist nötig",
    ),
    (
        "a written reason of at least 10 characters is required",
        "eine schriftliche Begründung mit mindestens 10 Zeichen ist nötig",
    ),
    (
        "the period must lie within the last 7 days",
        "der Zeitraum muss in den letzten 7 Tagen liegen",
    ),
    (
        "both days of the period are required",
        "beide Tage des Zeitraums sind nötig",
    ),
    (
        "stage 2 follows an approved stage-1 case of the school",
        "Stufe 2 setzt eine genehmigte Domänenanalyse der Schule voraus",
    ),
    (
        "stage 2 follows only a further domain analysis, approved after the general notice to the affected circle",
        "Stufe 2 folgt nur einer weiteren Domänenanalyse, die nach dem allgemeinen Hinweis an den betroffenen Kreis genehmigt wurde",
    ),
    (
        "a further analysis follows an approved stage-1 case whose general notice was given",
        "eine weitere Analyse folgt einer genehmigten Domänenanalyse, nach der der allgemeine Hinweis gegeben wurde",
    ),
    (
        "a further analysis looks only at the time after the general notice",
        "eine weitere Analyse umfasst nur die Zeit nach dem allgemeinen Hinweis",
    ),
    (
        "choose a case whose general notice was given",
        "wählen Sie einen Vorgang, dessen allgemeiner Hinweis gegeben wurde",
    ),
    (
        "name between one and twenty logins, never all of the school",
        "nennen Sie ein bis zwanzig Konten, nie alle der Schule",
    ),
    (
        "is not waiting for a decision",
        "wartet nicht auf eine Entscheidung",
    ),
    (
        "is not waiting for the staff council",
        "wartet nicht auf die Personalvertretung",
    ),
    (
        "a notice of 20 to 2000 characters is required",
        "ein Hinweis mit 20 bis 2000 Zeichen ist nötig",
    ),
    (
        "choose the circle among the account types",
        "wählen Sie den Kreis unter den Kontoarten",
    ),
    (
        "the notice goes to a circle of at least 2 persons, never to one",
        "der Hinweis geht an einen Kreis von mindestens 2 Personen, nie an eine",
    ),
    (
        "the notice was given already",
        "der Hinweis ist bereits gegeben",
    ),
    (
        "must have at most 2000 characters",
        "darf höchstens 2000 Zeichen haben",
    ),
    ("approve or refuse", "zustimmen oder ablehnen"),
    ("leave the field empty", "Feld leer lassen"),
    // Deletion periods and the school year
    ("must be 0 to 5 years", "muss 0 bis 5 Jahre sein"),
    ("must be 0 to 10 years", "muss 0 bis 10 Jahre sein"),
    ("must look like 2025/26", "muss die Form 2025/26 haben"),
    ("must look like 2026/27", "muss die Form 2026/27 haben"),
    // Absence note and password reset
    (
        "the end must be after the start",
        "das Ende muss nach dem Beginn liegen",
    ),
    (
        "a note covers at most one year",
        "eine Notiz gilt höchstens ein Jahr",
    ),
    (
        "must have 1 to 200 characters",
        "muss 1 bis 200 Zeichen haben",
    ),
    (
        "must have 1 to 10000 characters",
        "muss 1 bis 10000 Zeichen haben",
    ),
    (
        "no such person at this school",
        "diese Person gibt es an der Schule nicht",
    ),
    (
        "a login or mail address is needed",
        "bitte Benutzername oder Adresse angeben",
    ),
];

/// The file services speak German (their messages reach WebDAV clients as they are):
/// (German, English) for the English pages.
const FILES_DE: &[(&str, &str)] = &[
    ("Das Ziel ist kein Ordner.", "The target is not a folder."),
    ("Das ist kein Ordner.", "This is not a folder."),
    (
        "Der Name darf nicht leer sein.",
        "The name must not be empty.",
    ),
    (
        "Der Name darf nicht mit Leerzeichen beginnen oder enden.",
        "The name must not begin or end with a space.",
    ),
    (
        "Der Name ist zu lang (höchstens 255 Bytes).",
        "The name is too long (at most 255 bytes).",
    ),
    (
        "Der Speicherplatz der Schule ist erschöpft.",
        "The school's storage is used up.",
    ),
    (
        "Die Namen „.“ und „..“ sind nicht erlaubt.",
        "The names “.” and “..” are not allowed.",
    ),
    (
        "Die eigene Ablage bleibt immer die eigene.",
        "Your own area always stays your own.",
    ),
    (
        "Ein Bereich erbt keine Rechte.",
        "An area inherits no rights.",
    ),
    (
        "Ein Bereich kann nicht gelöscht werden.",
        "An area cannot be deleted.",
    ),
    (
        "Ein Bereich kann nicht umbenannt oder verschoben werden.",
        "An area cannot be renamed or moved.",
    ),
    (
        "Ein Eintrag mit diesem Namen existiert hier schon.",
        "An entry with this name already exists here.",
    ),
    (
        "Ein Ordner hat keinen Inhalt zum Herunterladen.",
        "A folder has no content to download.",
    ),
    (
        "Ein Ordner kann nicht in sich selbst verschoben werden.",
        "A folder cannot be moved into itself.",
    ),
    (
        "Ein Ordner kann nicht in sich selbst kopiert werden.",
        "A folder cannot be copied into itself.",
    ),
    (
        "Eine Datei mit diesem Namen gibt es hier schon.",
        "A file with this name already exists here.",
    ),
    (
        "Es gibt hier schon einen Ordner mit diesem Namen.",
        "There is already a folder with this name here.",
    ),
    (
        "Im Ordner gibt es inzwischen einen Eintrag mit diesem Namen; bitte erst umbenennen.",
        "The folder now has an entry with this name; please rename that first.",
    ),
    (
        "Nicht genug Speicherplatz: das Kontingent ist erschöpft.",
        "Not enough storage: the quota is used up.",
    ),
    (
        "Nur Unterordner können Abgabeordner sein.",
        "Only subfolders can be drop folders.",
    ),
    // Share links, the Safe, the Mediathek
    (
        "Das Passwort braucht mindestens 6 Zeichen.",
        "The password needs at least 6 characters.",
    ),
    (
        "Hochladen geht nur in einen Ordner.",
        "Uploads only go into a folder.",
    ),
    (
        "Das Ablaufdatum liegt in der Vergangenheit.",
        "The expiry date is in the past.",
    ),
    (
        "Das Safe-Passwort stimmt nicht.",
        "The Safe password is wrong.",
    ),
    (
        "Das Safe-Passwort braucht mindestens 10 Zeichen.",
        "The Safe password needs at least 10 characters.",
    ),
    (
        "Safe-Dokumente werden nur im Safe geöffnet.",
        "Safe documents open only in the Safe.",
    ),
    ("Ein Ordner hat keinen Inhalt.", "A folder has no content."),
    (
        "Das Dokument ist zu groß für den Editor.",
        "The document is too large for the editor.",
    ),
    (
        "Das ist kein Textdokument des Editors.",
        "This is not a text document of the editor.",
    ),
    (
        "Das Dokument ist zu groß (höchstens 4 MB).",
        "The document is too large (at most 4 MB).",
    ),
    (
        "Nur Dateien außerhalb des Safes bekommen Lizenz und Metadaten.",
        "Only files outside the Safe get a licence and metadata.",
    ),
];

/// German file messages with a value: (prefix, suffix, English with `{}`).
const FILES_DE_PATTERNS: &[(&str, &str, &str)] = &[
    (
        "Das Zeichen ",
        " ist in Namen nicht erlaubt.",
        "The character {} is not allowed in names.",
    ),
    (
        "Keine Gruppe und keine Anmeldung „",
        "“ an dieser Schule.",
        "No group and no login “{}” at this school.",
    ),
    (
        "Die Übertragung brach ab: ",
        "",
        "The transfer broke off: {}",
    ),
    ("Unbekannte Lizenz „", "“.", "Unknown licence “{}”."),
];

/// A German message of the file services in English, if it is one.
fn files_in_english(message: &str) -> Option<String> {
    if let Some((_, en)) = FILES_DE.iter().find(|(de, _)| *de == message) {
        return Some((*en).to_owned());
    }
    FILES_DE_PATTERNS.iter().find_map(|(prefix, suffix, en)| {
        let value = message.strip_prefix(prefix)?.strip_suffix(suffix)?;
        (!value.is_empty()).then(|| en.replace("{}", value))
    })
}

/// Messages with a name in them: (English prefix, English suffix, German with `{}`).
const PATTERNS: &[(&str, &str, &str)] = &[
    ("", " is already taken", "{} ist bereits vergeben"),
    (
        "a group named ",
        " already exists",
        "eine Gruppe namens {} gibt es schon",
    ),
    ("no group named ", "", "eine Gruppe namens {} gibt es nicht"),
    (
        "",
        " is not a right of the matrix",
        "{} ist kein Recht der Rechtematrix",
    ),
    (
        "the file has ",
        " conflict(s); accept the proposed fixes to import",
        "die Datei hat {} Konflikt(e); übernehmen Sie die vorgeschlagenen Lösungen, um zu importieren",
    ),
    (
        "must be the year after ",
        "",
        "muss das Schuljahr nach {} sein",
    ),
    (
        "the school's current school year is ",
        "",
        "das aktuelle Schuljahr der Schule ist {}",
    ),
    ("malformed XML: ", "", "fehlerhaftes XML: {}"),
    ("no such person: ", "", "eine Person {} gibt es nicht"),
    (
        "",
        " is not of the circle the general notice reached",
        "{} gehört nicht zum Kreis, den der allgemeine Hinweis erreicht hat",
    ),
    (
        "",
        " is not a person of this case",
        "{} ist keine Person dieses Vorgangs",
    ),
    (
        "a written result of 10 to 2000 characters is required for ",
        "",
        "für {} ist ein schriftliches Ergebnis der Auswertung mit 10 bis 2000 Zeichen nötig",
    ),
];

/// Messages with two values: (English prefix, middle, suffix, German with `{1}`, `{2}`).
const PATTERNS2: &[(&str, &str, &str, &str)] = &[
    (
        "the table has no column for ",
        " (mandatory); columns found: ",
        "",
        "die Tabelle hat keine Spalte für {1} (Pflicht); gefundene Spalten: {2}",
    ),
    (
        "the file is for school ",
        ", this school is ",
        "",
        "die Datei ist für die Schule {1}, diese Schule ist {2}",
    ),
];

fn two_values(message: &str) -> Option<String> {
    PATTERNS2.iter().find_map(|(prefix, middle, suffix, de)| {
        let (a, b) = message
            .strip_prefix(prefix)?
            .strip_suffix(suffix)?
            .split_once(middle)?;
        Some(de.replace("{1}", a).replace("{2}", b))
    })
}

/// `line 3, column 5, /enterprise/person[2]` (or `file`) in the page's language.
pub fn position(lang: Lang, text: &str) -> String {
    if lang == Lang::En {
        return text.to_owned();
    }
    if text == "file" {
        return "Datei".to_owned();
    }
    text.split(", ")
        .map(|part| {
            if let Some(n) = part.strip_prefix("line ") {
                format!("Zeile {n}")
            } else if let Some(c) = part.strip_prefix("column ") {
                format!("Spalte {c}")
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A read error of an import file, `<position>: <message>`, with both parts translated.
fn file_error(lang: Lang, message: &str) -> Option<String> {
    let (at, rest) = message.split_once(": ")?;
    let looks_like_position = at == "file"
        || at.starts_with("line ")
        || at.starts_with("column ")
        || at.starts_with('/')
        || at.starts_with('$');
    looks_like_position.then(|| format!("{}: {}", position(lang, at), translate(lang, rest)))
}

pub fn translate(lang: Lang, message: &str) -> String {
    if lang == Lang::En {
        return files_in_english(message)
            .or_else(|| super::table_lms_messages::lms_in_english(message))
            .unwrap_or_else(|| message.to_owned());
    }
    if let Some((_, de)) = EXACT.iter().find(|(en, _)| *en == message) {
        return (*de).to_owned();
    }
    if let Some((_, de)) = super::table_homepage::HOMEPAGE_MESSAGES
        .iter()
        .find(|(en, _)| *en == message)
    {
        return (*de).to_owned();
    }
    if let Some(t) = file_error(lang, message) {
        return t;
    }
    if let Some(t) = two_values(message) {
        return t;
    }
    for (prefix, suffix, de) in PATTERNS {
        if let Some(name) = message
            .strip_prefix(prefix)
            .and_then(|m| m.strip_suffix(suffix))
            && !name.is_empty()
        {
            return de.replace("{}", name);
        }
    }
    message.to_owned()
}
