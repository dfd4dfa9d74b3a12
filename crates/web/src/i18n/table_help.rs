//! Texts of the help network's pages: (key, German, English). German texts stay neutral
//! (no "Sie", no "du"), since students read them too.

#[rustfmt::skip]
pub const HELP_TEXTS: &[(&str, &str, &str)] = &[
    ("help.link", "Hilfe", "Help"),
    ("help.title", "Hilfe", "Help"),
    ("help.lead", "Anleitungen und häufige Fragen zur Plattform. Der Link „Hilfe“ oben auf jeder Seite führt zur passenden Anleitung.", "Guides and frequently asked questions (in German). The “Help” link at the top of every page leads to the guide for that page."),
    ("help.search_label", "Hilfe durchsuchen", "Search the help"),
    ("help.search_field", "Suchbegriff", "Search term"),
    ("help.search", "Suchen", "Search"),
    ("help.pages", "Alle Anleitungen", "All guides"),
    ("help.found", "{n} Treffer für „{q}“", "{n} results for “{q}”"),
    ("help.found_none", "Nichts gefunden", "Nothing found"),
    ("help.found_none_hint", "Andere oder weniger Suchbegriffe können helfen.", "Try other or fewer words."),
    ("help.back", "Alle Anleitungen", "All guides"),
];
