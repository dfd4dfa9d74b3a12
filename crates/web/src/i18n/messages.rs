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
];

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
];

pub fn translate(lang: Lang, message: &str) -> String {
    if lang == Lang::En {
        return message.to_owned();
    }
    if let Some((_, de)) = EXACT.iter().find(|(en, _)| *en == message) {
        return (*de).to_owned();
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
