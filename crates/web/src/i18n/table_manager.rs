//! Texts of the manager pages: (key, German, English).

pub const MANAGER_TEXTS: &[(&str, &str, &str)] = &[
    ("manager.read_only", "Nur lesen", "Read only"),
    ("manager.handin_link", "Abgaben ansehen", "View hand-ins"),
    ("manager.details", "Details", "Details"),
    (
        "manager.details_close",
        "Details schließen",
        "Close details",
    ),
    (
        "manager.filter",
        "In diesem Ordner suchen",
        "Search this folder",
    ),
    ("manager.filter_button", "Suchen", "Search"),
    (
        "manager.filter_clear",
        "Alle Einträge zeigen",
        "Show all entries",
    ),
    (
        "manager.no_match",
        "Kein Eintrag passt zur Suche.",
        "No entry matches the search.",
    ),
    ("manager.count", "{n} Einträge", "{n} entries"),
    (
        "manager.count_filtered",
        "{n} von {total} Einträgen",
        "{n} of {total} entries",
    ),
    ("manager.submitted_by", "Abgegeben von", "Handed in by"),
    (
        "manager.failed",
        "Das hat nicht geklappt. Bitte laden Sie die Seite neu.",
        "That did not work. Please reload the page.",
    ),
    ("manager.zip.folder", "Ordner als ZIP", "Folder as ZIP"),
    ("manager.zip.selection", "Auswahl", "Selection"),
    ("manager.bulk.label", "Auswahl", "Selection"),
    ("manager.bulk.all", "Alle auswählen", "Select all"),
    ("manager.bulk.select", "Auswählen", "Select"),
    ("manager.bulk.selected", "Ausgewählt", "Selected"),
    ("manager.bulk.n_selected", "{n} ausgewählt", "{n} selected"),
    (
        "manager.bulk.zip",
        "Als ZIP herunterladen",
        "Download as ZIP",
    ),
    ("manager.bulk.move", "Verschieben", "Move"),
    ("manager.bulk.copy", "Kopieren", "Copy"),
    ("manager.bulk.delete", "Löschen", "Delete"),
    (
        "manager.bulk.confirm_delete",
        "Die ausgewählten Einträge in den Papierkorb legen?",
        "Move the selected entries to the trash?",
    ),
    (
        "manager.bulk.move_title",
        "{n} Einträge verschieben oder kopieren",
        "Move or copy {n} entries",
    ),
    (
        "manager.inherited.title",
        "Geerbte Freigaben",
        "Inherited shares",
    ),
    (
        "manager.inherited.lead",
        "Diese Freigaben gelten hier, weil sie auf einem Ordner darüber gesetzt sind. Ändern lassen sie sich dort.",
        "These shares apply here because they are set on a folder above. They can be changed there.",
    ),
    (
        "manager.inherited.caption",
        "Freigaben der Ordner darüber",
        "Shares of the folders above",
    ),
    ("manager.inherited.from", "Herkunft", "Origin"),
    (
        "manager.inherited.from_folder",
        "geerbt von Ordner",
        "inherited from folder",
    ),
    ("manager.copy_url", "Adresse kopieren", "Copy address"),
    ("manager.copied_url", "Adresse kopiert.", "Address copied."),
    (
        "ok.bulk_moved",
        "Die Auswahl ist verschoben.",
        "The selection has been moved.",
    ),
    (
        "ok.bulk_copied",
        "Die Auswahl ist kopiert.",
        "The selection has been copied.",
    ),
    (
        "ok.bulk_deleted",
        "Die Auswahl liegt im Papierkorb. Von dort lässt sie sich wiederherstellen.",
        "The selection is in the trash. It can be restored from there.",
    ),
    (
        "ok.bulk_none",
        "Es war nichts ausgewählt.",
        "Nothing was selected.",
    ),
];
