//! Texts of the shell pages: (key, German, English).

#[rustfmt::skip]
pub const SHELL_TEXTS: &[(&str, &str, &str)] = &[
    ("shell.menu", "Menü", "Menu"),
    ("shell.menu_label", "Menü: Bereiche und Abmelden", "Menu: areas and log out"),
    ("shell.demo_short", "Keine echten Daten eingeben.", "Enter no real data."),
    ("shell.close", "Schließen", "Close"),
    ("shell.signed_in_as", "Angemeldet als", "Signed in as"),
    ("shell.cancel", "Abbrechen", "Cancel"),
    ("shell.details", "Details", "Details"),
    ("shell.ui.title", "Bausteine der Oberfläche", "Building blocks of the interface"),
    ("shell.ui.lead", "Die gemeinsamen Bausteine aller Seiten mit Beispielinhalt (nur im Demo-Modus). Wie man sie verwendet, steht in docs/ui.md.", "The shared building blocks of every page with sample content (demo mode only). How to use them is in docs/ui.md."),
    ("shell.ui.flash_sample", "So sieht eine Meldung nach einer Aktion aus.", "This is how a message after an action looks."),
    ("shell.ui.list", "Liste und Tabelle", "List and table"),
    ("shell.ui.list_caption", "Beispiel: Inhalt eines Ordners", "Example: contents of a folder"),
    ("shell.ui.kind_folder", "Ordner", "Folder"),
    ("shell.ui.kind_sheet", "Tabelle", "Spreadsheet"),
    ("shell.ui.download", "Herunterladen", "Download"),
    ("shell.ui.dialog", "Dialog", "Dialog"),
    ("shell.ui.dialog_text", "Mit JavaScript öffnet der Knopf einen Dialog, ohne führt er zu einer Seite mit demselben Formular.", "With JavaScript the button opens a dialog, without it leads to a page with the same form."),
    ("shell.ui.rename", "Umbenennen", "Rename"),
    ("shell.ui.empty", "Leerer Zustand", "Empty state"),
    ("shell.ui.empty_title", "Dieser Ordner ist leer", "This folder is empty"),
    ("shell.ui.empty_text", "Laden Sie Dateien hoch oder ziehen Sie sie hierher.", "Upload files or drag them here."),
    ("shell.ui.upload", "Dateien hochladen", "Upload files"),
    ("shell.ui.icons", "Symbole", "Icons"),
];
