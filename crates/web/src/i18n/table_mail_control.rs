//! Texts of the quarantine page, the DNS records of the mail domains and abuse control
//! stage 2.

pub const MAIL_CONTROL_TEXTS: &[(&str, &str, &str)] = &[
    ("quar.title", "Quarantäne", "Quarantine"),
    (
        "quar.lead",
        "Nachrichten, in denen der Virenscanner Schadsoftware gefunden hat. Sie werden nie zugestellt; Empfänger hier und ein Absender hier haben einen Hinweis erhalten. Der Inhalt wird hier nicht angezeigt. Nach 30 Tagen werden sie automatisch gelöscht.",
        "Messages in which the virus scanner found malware. They are never delivered; recipients here and a sender here were told. Their content is not shown here. They are deleted automatically after 30 days.",
    ),
    (
        "quar.scanner_off",
        "Der Virenscanner ist nicht eingeschaltet: es wird nichts zurückgehalten.",
        "The virus scanner is off: nothing is held back.",
    ),
    ("quar.held", "Zurückgehaltene Nachrichten", "Held messages"),
    (
        "quar.none",
        "Keine Nachricht zurückgehalten.",
        "No message held back.",
    ),
    ("quar.subject", "Betreff", "Subject"),
    ("quar.when", "Zeit", "Time"),
    ("quar.direction", "Weg", "Route"),
    ("quar.dir_in", "von außen", "from outside"),
    ("quar.dir_local", "innerhalb", "internal"),
    ("quar.dir_out", "nach außen", "outgoing"),
    ("quar.from", "Absender", "Sender"),
    ("quar.to", "Empfänger", "Recipient"),
    ("quar.finding", "Befund", "Finding"),
    ("quar.size", "Größe", "Size"),
    ("quar.actions", "Aktionen", "Actions"),
    ("quar.delete", "Löschen", "Delete"),
    ("quar.link", "Quarantäne ansehen", "View the quarantine"),
    (
        "ok.held_deleted",
        "Die Nachricht ist gelöscht.",
        "The message is deleted.",
    ),
    (
        "action.mail.quarantine.delete",
        "Zurückgehaltene Nachricht gelöscht",
        "Held message deleted",
    ),
    ("dns.title", "DNS-Einträge", "DNS records"),
    (
        "dns.lead",
        "Diese Einträge gehören in die DNS-Zone jeder Mail-Domain: MX (wohin Mail zugestellt wird), SPF (wer für die Domain senden darf), DKIM (der Schlüssel der Signaturen) und DMARC (was Empfänger mit Mail tun, die beides nicht besteht). Vorschläge; DMARC kann später auf p=reject gesetzt werden.",
        "These records belong in the DNS zone of each mail domain: MX (where mail is delivered), SPF (who may send for the domain), DKIM (the key of the signatures) and DMARC (what receivers do with mail that fails both). Suggestions; DMARC can later be raised to p=reject.",
    ),
    ("dns.standard", "Standard-Domain", "Standard domain"),
    ("dns.name", "Name", "Name"),
    ("dns.type", "Typ", "Type"),
    ("dns.value", "Wert", "Value"),
    (
        "action.mail.abuse.scope.request",
        "Missbrauchskontrolle Stufe 2 beantragt (benannte Konten)",
        "Abuse control stage 2 requested (named accounts)",
    ),
    (
        "action.mail.abuse.scope.join",
        "Personalvertretung an Missbrauchskontrolle Stufe 2 beteiligt",
        "Staff council took part in abuse control stage 2",
    ),
    (
        "action.mail.abuse.scope.read",
        "Verkehrsdaten einer Missbrauchskontrolle Stufe 2 angesehen",
        "Traffic data of abuse control stage 2 viewed",
    ),
    (
        "action.mail.abuse.scope.close",
        "Missbrauchskontrolle Stufe 2 abgeschlossen, Betroffene benachrichtigt",
        "Abuse control stage 2 closed, persons concerned notified",
    ),
];
