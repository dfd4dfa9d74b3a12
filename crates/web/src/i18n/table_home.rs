//! Texts of the home pages: (key, German, English).

#[rustfmt::skip]
pub const HOME_TEXTS: &[(&str, &str, &str)] = &[
    // The dashboard's cards
    ("home.recent", "Zuletzt geändert", "Recently changed"),
    ("home.recent.in", "in {folder}", "in {folder}"),
    ("home.recent.more", "Alle Dateien", "All files"),
    ("home.shared", "Neu mit mir geteilt", "Recently shared with me"),
    ("home.shared.by", "von {name}", "by {name}"),
    ("home.shared.more", "Alles, was mit mir geteilt ist", "Everything shared with me"),
    ("home.school.more", "Einstellungen der Schule ändern", "Change the school settings"),
    // The school's settings (/verwaltung/schule)
    ("school.title", "Einstellungen der Schule", "School settings"),
    ("school.lead", "Was für die ganze Schule gilt.", "What applies to the whole school."),
    ("school.zone_heading", "Zeitzone", "Time zone"),
    ("school.zone", "Zeitzone der Schule", "The school's time zone"),
    ("school.zone_hint", "Ein Name der IANA-Zeitzonendatenbank, etwa Europe/Berlin. Alle Zeiten werden in dieser Zone angezeigt; ein Link „gültig bis“ gilt bis zum Ende des Tages in dieser Zone.", "A name of the IANA time zone database, such as Europe/Berlin. Every time is shown in this zone; a link “valid until” a day works until the end of that day in this zone."),
    ("school.zone_now", "Uhrzeit der Schule jetzt:", "The school's time now:"),
    ("school.zone_unknown", "Diese Zeitzone ist unbekannt. Bitte einen Namen wie Europe/Berlin wählen.", "This time zone is unknown. Please choose a name such as Europe/Berlin."),
    ("school.du_heading", "Anrede", "Form of address"),
    ("school.du", "Schülerinnen und Schüler duzen", "Address students with “du”"),
    ("school.du_hint", "Mit Haken sprechen die deutschen Seiten Schülerinnen und Schüler mit „du“ an, Erwachsene immer mit „Sie“. Ohne Haken werden alle gesiezt.", "With the tick, the German pages address students with the informal “du”, adults always with the formal “Sie”. Without it, everyone is addressed formally."),
    ("ok.school_saved", "Die Einstellungen der Schule sind gespeichert.", "The school settings have been saved."),
];
