//! Texts of LTI tools in courses: (key, German, English).

#[rustfmt::skip]
pub const LTI_TEXTS: &[(&str, &str, &str)] = &[
    ("lti.new", "LTI-Werkzeug einbinden", "Add an LTI tool"),
    ("lti.kind", "LTI-Werkzeug", "LTI tool"),
    ("lti.tool", "Werkzeug", "Tool"),
    ("lti.none", "Für diese Schule ist kein LTI-Werkzeug registriert.", "No LTI tool is registered for this school."),
    ("lti.target", "Startadresse im Werkzeug (optional)", "Start address in the tool (optional)"),
    ("lti.custom", "Eigene Parameter (name=wert je Zeile, optional)", "Custom parameters (name=value per line, optional)"),
    ("lti.pick", "Inhalt im Werkzeug auswählen", "Pick content in the tool"),
    ("lti.pick.hint", "Das Werkzeug öffnet sich; ausgewählte Inhalte erscheinen danach in diesem Abschnitt.", "The tool opens; the content picked there then appears in this section."),
    ("lti.open", "Werkzeug öffnen", "Open the tool"),
    ("lti.pseudonym", "Das Werkzeug erhält ein Pseudonym, keinen Namen – außer nach Zustimmung.", "The tool receives a pseudonym, no name — unless agreed."),
    ("lti.grades", "Bewertungen aus dem Werkzeug", "Grades from the tool"),
    ("lti.grades.none", "Noch keine Bewertung.", "No grade yet."),
    ("lti.person", "Person", "Person"),
    ("lti.points", "Punkte", "Points"),
    ("lti.comment", "Kommentar", "Comment"),
];
