//! German texts that address a student with "du": (key, German with "du"). The key is the
//! one of the "Sie" text in the other tables; a text without an entry here reads the same
//! for everyone. Only texts a student can see need one (not the Safe's, not the
//! administration's). See docs/ui.md.

#[rustfmt::skip]
pub const DU_TEXTS: &[(&str, &str)] = &[
    // Frame and navigation
    ("nav.mine.desc", "Deine Klassen, Kurse und Gruppen mit ihren Mitgliedern"),
    ("nav.files.desc", "Eigene Dateien, Unterricht, Informationen der Schule und was mit dir geteilt ist"),
    ("home.lead", "Was möchtest du tun?"),
    // Absence note
    ("absence.lead", "Während deiner Abwesenheit beantwortet die Schul-Mail eingehende Nachrichten automatisch – jede Absenderin und jeden Absender einmal."),
    ("absence.substitute_hint", "Optional: Benutzername oder Schul-Adresse einer Person deiner Schule; die Antwort nennt sie."),
    ("absence.link_text", "Automatische Antwort, während du abwesend bist."),
    // Flash messages
    ("ok.consent_given", "Danke! Du hast den Nutzungsbedingungen zugestimmt."),
    ("ok.password_changed", "Dein Passwort ist geändert."),
    ("ok.offer_accepted", "Angebot angenommen: Du findest es unter „Mit mir geteilt“."),
    // Errors
    ("error.forbidden_text", "Dafür fehlt dir die Berechtigung."),
    ("error.code.forbidden", "Dafür fehlt dir die Berechtigung."),
    ("error.code.consent_required", "Bitte stimme zuerst den Nutzungsbedingungen zu."),
    ("error.code.password_change_required", "Bitte lege zuerst ein neues Passwort fest."),
    ("error.quota_hint", "Lösche nicht mehr Benötigtes (auch im Papierkorb) oder wende dich an die Schule."),
    ("error.throttled", "Zu viele fehlgeschlagene Anmeldungen. Bitte versuche es in {n} Sekunden noch einmal."),
    ("error.rate_limited", "Zu viele Anfragen dieser Art. Bitte versuche es in {n} Sekunden noch einmal."),
    ("error.busy", "Gerade melden sich sehr viele Personen gleichzeitig an. Bitte versuche es in ein paar Sekunden noch einmal – deine Eingaben sind noch da."),
    ("error.internal", "Etwas ist schiefgegangen (Fehler {id}). Bitte versuche es später noch einmal."),
    ("error.private_areas_on_hold", "Dein Passwort wurde von jemand anderem zurückgesetzt. Eigene Dateien und Daten-Safe bleiben gesperrt, bis eine zweite Person den Reset bestätigt."),
    ("notify.password_reset", "Dein Passwort wurde von {by} zurückgesetzt."),
    ("notify.lead", "Was dich betrifft, aus allen Bereichen: neueste zuerst. Ungelesene sind markiert."),
    ("notify.file_shared", "{by} hat „{name}“ mit dir geteilt."),
    ("notify.lms_feedback_released", "Deine Rückmeldung zu „{title}“ ist da."),
    ("notify.lms_question_answered", "{by} hat deine Frage zu „{title}“ beantwortet."),
    ("lms.private.lead", "Nur du und die Lehrkräfte des Kurses sehen diese Fragen und Antworten."),
    ("lms.private.write", "Deine Nachricht"),
    ("notify.calendar_invitation", "{by} lädt dich ein: „{summary}“"),
    ("notify.settings.lead", "Wähle für jede Art, wie sie dich erreicht. Mails gehen in dein Postfach der Schule, ohne Postfach an deine externe E-Mail-Adresse."),
    ("notify.settings.security_hint", "Passwort-Resets, Sperren, Safe-Passwörter und Änderungen an der Schulleitung kommen immer sofort per Mail – an deine externe Adresse, sonst in dein Postfach. Es sind rechtlich gebotene Hinweise; sie lassen sich nicht abschalten, auch nicht in Ruhezeiten."),
    // Consent and password gates
    ("consent.lead", "Bevor du die Plattform nutzen kannst, lies bitte die Nutzungsbedingungen und die Datenschutzhinweise."),
    ("consent.privacy_missing", "Bitte bestätige, dass du die Datenschutzhinweise zur Kenntnis genommen hast."),
    ("consent.declined_text", "Du hast die Nutzungsbedingungen abgelehnt. Ohne Zustimmung kannst du die Plattform nicht nutzen. Du kannst deine Entscheidung jederzeit ändern."),
    ("password.forced_lead", "Dein Passwort wurde von der Schule vergeben oder zurückgesetzt. Bitte lege jetzt ein eigenes fest."),
    // Mein Konto
    ("account.rights_lead", "Diese Rechte gelten für dein Konto. Standardrechte ergeben sich aus dem Kontotyp; weitere Rechte kann die Schule erteilen."),
    ("account.change_password_hint", "Nach der Änderung enden deine Anmeldungen auf anderen Geräten, und alle App-Passwörter werden widerrufen: Programme, die deine Dateien über WebDAV einbinden, brauchen dann ein neues App-Passwort."),
    ("account.external_hint", "Für das Zurücksetzen des Passworts. Leer lassen oder entfernen, wenn du keine angeben möchtest."),
    ("account.sessions_text", "Beendet deine Anmeldung auf allen Geräten, auch auf diesem."),
    ("revoke.short", "Du kannst deine Zustimmung zu den Nutzungsbedingungen jederzeit widerrufen. Dein Konto wird dadurch deaktiviert."),
    ("revoke.text", "Wenn du deine Zustimmung widerrufst, wird dein Konto sofort deaktiviert und du wirst überall abgemeldet. Nur die Schule kann es wieder aktivieren."),
    ("revoked.text", "Deine Zustimmung ist widerrufen und dein Konto ist deaktiviert. Wende dich an deine Schule, wenn du es wieder nutzen möchtest."),
    // App passwords
    ("account.app_passwords_text", "Für Programme, die deine Dateien als Laufwerk einbinden (WebDAV: Explorer, Finder, davfs2, rclone), ohne dein Kontopasswort darin zu speichern."),
    ("apppw.lead", "Ein App-Passwort pro Gerät oder Programm. Es öffnet nur den Dateizugriff über WebDAV, nicht die Anmeldung im Browser, und lässt sich einzeln widerrufen. Wird dein Kontopasswort geändert oder zurückgesetzt, werden alle App-Passwörter widerrufen."),
    ("apppw.list", "Deine App-Passwörter"),
    ("apppw.once_text", "Es wird nur jetzt angezeigt. Trag es im Programm ein; geht es verloren, widerrufst du es und erstellst ein neues."),
    // Files
    ("files.lead", "Deine Ablage in der Schulcloud: eigene Dateien, Material für den Unterricht und Informationen der Schule."),
    ("files.your_role", "Deine Rolle"),
    ("files.shared_caption", "Ordner und Dateien, die andere mit dir teilen"),
    ("files.shared_none", "Bisher hat niemand etwas mit dir geteilt."),
    ("files.drop_note", "Abgabeordner: Du siehst hier nur, was du selbst abgegeben hast."),
    ("files.upload.drop", "Du kannst Dateien auch hierher ziehen."),
    ("files.upload.failed", "Das Hochladen ist fehlgeschlagen. Bitte versuche es noch einmal."),
    ("files.upload.none", "Bitte wähle mindestens eine Datei aus."),
    ("files.upload.broken", "Die Übertragung ist abgebrochen oder unvollständig. Bitte versuche es noch einmal."),
    ("files.share.bad_role", "Bitte wähle Lesen, Mitarbeiten oder Koordinieren."),
    ("files.offers_lead", "Diese Ordner und Dateien möchten Personen anderer Schulen mit dir teilen. Erst wenn du annimmst, kannst du sie lesen."),
    ("files.trash.lead", "Gelöschtes bleibt 30 Tage im Papierkorb und lässt sich bis dahin wiederherstellen. Du siehst, was in Ordnern gelöscht wurde, die du koordinierst."),
    ("manager.failed", "Das hat nicht geklappt. Bitte lade die Seite neu."),
    ("shell.ui.empty_text", "Lade Dateien hoch oder zieh sie hierher."),
    // Share links (a student may be granted the right to create them)
    ("links.lead", "Mit einem Link erreichen auch Personen ohne Anmeldung diesen Eintrag – zum Lesen oder, bei Ordnern, nur zum Hochladen. Ein Link gilt nur, solange du selbst Zugriff hast."),
    ("links.password_hint", "Mindestens 6 Zeichen. Gib es auf einem anderen Weg weiter als den Link."),
    ("links.bad_mode", "Bitte wähle Lesen oder Nur hochladen."),
    ("links.bad_date", "Bitte gib ein gültiges Datum an."),
    ("links.mine_lead", "Links, die du für Personen ohne Anmeldung erstellt hast. Widerrufe, was nicht mehr gebraucht wird."),
    ("links.created.once_text", "Kopiere die Adresse jetzt: Gespeichert wird sie nicht, und später lässt sie sich nicht mehr anzeigen; bei Bedarf erstellst du einen neuen Link."),
    // Mediathek
    ("media.lead", "Material, das du sehen darfst: aus der eigenen Schule und, mit Creative-Commons-Lizenz, auch aus anderen Schulen."),
    ("media.favourites_none", "Du hast noch keine Favoriten. Such Material und merk es dir mit „Zu den Favoriten“."),
    ("media.license_forbidden", "Eine Lizenz vergeben darfst du hier nicht; dafür fehlt dir das Recht. Fach, Stufe und Schlagwörter lassen sich ohne Lizenz speichern."),
    // Mail
    ("mail.msg.images_blocked", "Bilder aus dem Internet sind blockiert, damit der Absender nicht erfährt, ob und wann du die Nachricht liest."),
    ("mail.refused.not_allowed", "{addr}: An diese Adresse darfst du nicht schreiben."),
    ("mail.compose.no_rcpt", "Bitte gib mindestens einen Empfänger an."),
    // Hand-ins
    ("handin.none_own", "Du hast hier noch nichts abgegeben."),
    ("handin.state.missing", "Du hast noch nichts abgegeben."),
    ("handin.state.missing_late", "Die Frist ist abgelaufen und du hast noch nichts abgegeben. Eine Abgabe ist weiter möglich, wird aber als verspätet markiert."),
];
