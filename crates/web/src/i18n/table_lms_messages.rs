//! The learning management's field messages (German, as the domain words them) in English:
//! (German, English). Messages with a number or a reason in them are patterns: (German
//! prefix, German suffix, English with `{}`).

#[rustfmt::skip]
pub const LMS_MESSAGES: &[(&str, &str)] = &[
    ("Alle erlaubten Versuche sind verbraucht.", "All allowed attempts are used up."),
    ("Bestehensgrenze zwischen 1 und 100 Prozent angeben.", "Give a pass mark between 1 and 100 percent."),
    ("Bitte eine Adresse angeben, die mit https:// oder http:// beginnt.", "Please give an address starting with https:// or http://."),
    ("Bitte eine Audio- oder Videodatei wählen.", "Please choose an audio or video file."),
    ("Bitte eine Datei auswählen.", "Please choose a file."),
    ("Bitte die Anmeldung der Lehrkraft angeben.", "Please give the teacher's login."),
    ("Nur Lehrkräfte dieser Schule können weitere Lehrkräfte eines Kurses sein.", "Only teachers of this school can be co-teachers of a course."),
    ("Keine Lehrkraft dieser Schule mit dieser Anmeldung.", "No teacher of this school with this login."),
    ("Dieses Konto ist deaktiviert und kann nicht weitere Lehrkraft sein.", "This account is deactivated and cannot be a co-teacher."),
    ("Bitte die Sprache als Kürzel angeben (etwa de, en oder tr).", "Please give the language as a code (such as de, en or tr)."),
    ("Das ist keine WebVTT-Untertiteldatei: Die erste Zeile muss mit WEBVTT beginnen.", "This is no WebVTT caption file: the first line must start with WEBVTT."),
    ("Die Untertiteldatei enthält keine Untertitel.", "The caption file holds no captions."),
    ("Die Untertiteldatei ist kein Text in UTF-8.", "The caption file is no UTF-8 text."),
    ("Die Untertiteldatei ist zu groß (höchstens 1 MB).", "The caption file is too large (at most 1 MB)."),
    ("Untertitel gibt es nur für Audio und Video.", "Captions are for audio and video only."),
    ("Bitte eine ZIP-Datei auswählen.", "Please choose a ZIP file."),
    ("Bitte einen Namen mit höchstens 120 Zeichen angeben.", "Please give a name of at most 120 characters."),
    ("Bitte einen Titel (bis 200 Zeichen) angeben.", "Please give a title (up to 200 characters)."),
    ("Bitte einen Titel mit höchstens 200 Zeichen angeben.", "Please give a title of at most 200 characters."),
    ("Bitte mindestens eine Abgabeform wählen.", "Please choose at least one way to hand in."),
    ("Bitte Datum und Uhrzeit angeben.", "Please give a date and a time."),
    ("Bitte eine ganze Zahl ab 0 angeben.", "Please give a whole number from 0."),
    ("Das Ende muss nach dem Beginn liegen.", "The end must be after the start."),
    ("Das ist keine Aufnahme (WebM, MP4 oder Ogg).", "This is not a recording (WebM, MP4 or Ogg)."),
    ("Der Annahmeschluss ist vorbei: Abgaben sind nicht mehr möglich.", "The cut-off has passed: no more hand-ins."),
    ("Der Annahmeschluss liegt vor der Frist.", "The cut-off is before the due date."),
    ("Der Test hat noch keine Fragen.", "The quiz has no questions yet."),
    ("Der Test ist zurzeit nicht geöffnet.", "The quiz is not open at the moment."),
    ("Die Abgabe ist noch nicht geöffnet.", "Hand-ins are not open yet."),
    ("Die Arbeit ist schon zurückgegeben.", "The work has been returned already."),
    ("Die Aufnahme ist zu groß (höchstens 25 MB).", "The recording is too large (at most 25 MB)."),
    ("Die Datei ist leer.", "The file is empty."),
    ("Die Datei ist zu groß (höchstens 20 MB).", "The file is too large (at most 20 MB)."),
    ("Die Datei ist zu groß.", "The file is too large."),
    ("Die Dateien sind zu groß.", "The files are too large."),
    ("Die Einleitung ist zu lang.", "The introduction is too long."),
    ("Die Frist liegt vor dem Beginn.", "The due date is before the start."),
    ("Die Gruppe des Kurses bleibt verbunden.", "The course's own group stays linked."),
    ("Die Skala braucht mindestens zwei Stufen.", "The scale needs at least two levels."),
    ("Die ZIP-Datei ist zu groß (höchstens 200 MB).", "The ZIP file is too large (at most 200 MB)."),
    ("Die Zeit kann nicht mehr verlängert werden.", "The time cannot be extended any more."),
    ("Diese Abgabeform nimmt die Aufgabe nicht an.", "The assignment does not take this way of handing in."),
    ("Diese Aufgabe nimmt keinen Text an.", "This assignment takes no text."),
    ("Diese Bewertung passt nicht zur Aufgabe.", "This grade does not fit the assignment."),
    ("Diese Uhrzeit gibt es an dem Tag nicht.", "This time does not exist on that day."),
    ("Diese Uhrzeit gibt es nicht.", "This time does not exist."),
    ("Dieser Versuch hat keine Zeitgrenze.", "This attempt has no time limit."),
    ("Dieser Versuch ist schon abgegeben.", "This attempt has been handed in already."),
    ("Dieses Material wird nicht abgehakt.", "This material is not ticked off."),
    ("Einen Titel angeben (höchstens 200 Zeichen).", "Give a title (at most 200 characters)."),
    ("Es liegt noch keine Abgabe vor.", "Nothing has been handed in yet."),
    ("Für diesen Test ist keine Verlängerung vorgesehen.", "This quiz has no extension."),
    ("Höchstens 200 Fragen je Test.", "At most 200 questions per quiz."),
    ("Keine Lehrkraft mit dieser Anmeldung.", "No teacher with this login."),
    ("Nur eigene Gruppen können verbunden werden.", "Only your own groups can be linked."),
    ("Punkte bitte als ganze Zahl angeben.", "Please give points as a whole number."),
    ("Punkte: höchstens 1 bis 1000.", "Points: at most 1 to 1000."),
    ("Sich selbst kann man nicht austragen.", "You cannot remove yourself."),
    ("Unbekannte Abschlussbedingung.", "Unknown completion condition."),
    ("Unbekannte Abschlussregel.", "Unknown completion rule."),
    ("Unbekannte Art des Abschlusses.", "Unknown kind of completion."),
    ("Unbekannte Art von Material.", "Unknown kind of material."),
    ("Unbekannte Datei.", "Unknown file."),
    ("Versuche höchstens 100, Zeiten höchstens 24 Stunden.", "At most 100 attempts, times of at most 24 hours."),
    ("Zu viele Daten für eine ZIP-Datei (höchstens 200 MB).", "Too much data for a ZIP file (at most 200 MB)."),
    ("Zusätzliche Minuten zwischen 1 und 1440 angeben.", "Give extra minutes between 1 and 1440."),
];

#[rustfmt::skip]
pub const LMS_PATTERNS: &[(&str, &str, &str)] = &[
    ("Bitte einen Text mit höchstens ", " Zeichen angeben.", "Please give a text of at most {} characters."),
    ("Die ZIP-Datei ist nicht lesbar: ", "", "The ZIP file cannot be read: {}"),
    ("Die Untertiteldatei ist fehlerhaft, Zeile ", ": Zeitangabe erwartet (etwa 00:00:01.000 --> 00:00:04.000).", "The caption file is faulty, line {}: a time expected (such as 00:00:01.000 --> 00:00:04.000)."),
    ("Die Untertiteldatei ist fehlerhaft, Zeile ", ": Die Zeitangabe ist nicht lesbar (Stunden:Minuten:Sekunden.Millisekunden, etwa 00:01:02.500).", "The caption file is faulty, line {}: the time cannot be read (hours:minutes:seconds.milliseconds, such as 00:01:02.500)."),
    ("Die Untertiteldatei ist fehlerhaft, Zeile ", ": Das Ende liegt nicht nach dem Anfang.", "The caption file is faulty, line {}: the end is not after the start."),
    ("Die Untertiteldatei ist fehlerhaft, Zeile ", ": Vor dieser Zeitangabe fehlt eine Leerzeile.", "The caption file is faulty, line {}: a blank line is missing before this time."),
];

/// A German message of the learning management in English, if it is one.
pub fn lms_in_english(message: &str) -> Option<String> {
    if let Some((_, en)) = LMS_MESSAGES.iter().find(|(de, _)| *de == message) {
        return Some((*en).to_owned());
    }
    LMS_PATTERNS.iter().find_map(|(prefix, suffix, en)| {
        let value = message.strip_prefix(prefix)?.strip_suffix(suffix)?;
        (!value.is_empty()).then(|| en.replace("{}", value))
    })
}
