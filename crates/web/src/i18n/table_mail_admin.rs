//! Texts of the admin's mail settings: aliases of a login, further domains of the school.

pub const MAIL_ADMIN_TEXTS: &[(&str, &str, &str)] = &[
    (
        "mailadm.addresses_title",
        "E-Mail-Adressen von {name}",
        "Mail addresses of {name}",
    ),
    (
        "mailadm.addresses_lead",
        "Die Standardadresse bleibt immer bestehen. Weitere Adressen (Aliase) kommen im selben Postfach an; als Absender kann die Person jede ihrer Adressen wählen.",
        "The standard address always stays. Further addresses (aliases) arrive in the same mailbox; the person may send from any of their addresses.",
    ),
    ("mailadm.standard", "Standardadresse", "Standard address"),
    ("mailadm.aliases", "Weitere Adressen", "Further addresses"),
    (
        "mailadm.no_aliases",
        "Keine weiteren Adressen.",
        "No further addresses.",
    ),
    ("mailadm.remove", "Entfernen", "Remove"),
    ("mailadm.add_alias", "Adresse hinzufügen", "Add an address"),
    ("mailadm.local", "Name vor dem @", "Name before the @"),
    (
        "mailadm.local_hint",
        "Buchstaben a–z, Ziffern und . - _ +",
        "Letters a–z, digits and . - _ +",
    ),
    ("mailadm.domain", "Domain", "Domain"),
    ("mailadm.add", "Hinzufügen", "Add"),
    (
        "mailadm.back_user",
        "Zurück zur Benutzerkarte",
        "Back to the user card",
    ),
    (
        "mailadm.domains_title",
        "E-Mail der Schule",
        "The school's mail",
    ),
    (
        "mailadm.domains_lead",
        "Unter weiteren Domains (z. B. goethe-gymnasium.de) erreicht man jede Person der Schule mit ihrem Namen vor dem @, und Aliase können sie verwenden. Der DNS-Eintrag (MX) der Domain muss auf diesen Server zeigen.",
        "Under further domains (e.g. goethe-gymnasium.de) everyone of the school is reachable by their name before the @, and aliases may use them. The domain's DNS record (MX) must point to this server.",
    ),
    (
        "mailadm.standard_domain",
        "Standard-Domain",
        "Standard domain",
    ),
    ("mailadm.domains", "Weitere Domains", "Further domains"),
    (
        "mailadm.no_domains",
        "Keine weiteren Domains.",
        "No further domains.",
    ),
    ("mailadm.add_domain", "Domain hinzufügen", "Add a domain"),
    ("mailadm.domain_name", "Domain-Name", "Domain name"),
    ("mailadm.lists", "Gruppenverteiler", "Group lists"),
    (
        "mailadm.lists_lead",
        "Jede Gruppe hat eine Verteileradresse: verteiler-<Gruppenname>@ und die Domain der Schule, z. B. {example}. Schreiben dürfen Mitglieder der Gruppe mit dem Recht „An Gruppenverteiler senden“.",
        "Every group has a list address: verteiler-<group name>@ and the school's domain, e.g. {example}. Members of the group with the right \"Send to group lists\" may write to it.",
    ),
    ("mailadm.link", "E-Mail-Adressen", "Mail addresses"),
    (
        "ok.alias_added",
        "Die Adresse wurde hinzugefügt.",
        "The address was added.",
    ),
    (
        "ok.alias_removed",
        "Die Adresse wurde entfernt.",
        "The address was removed.",
    ),
    (
        "ok.domain_added",
        "Die Domain wurde hinzugefügt.",
        "The domain was added.",
    ),
    (
        "ok.domain_removed",
        "Die Domain wurde entfernt.",
        "The domain was removed.",
    ),
    ("nav.mail_admin", "E-Mail", "Mail"),
    ("mailadm.quotas", "Postfachgröße (MB)", "Mailbox size (MB)"),
    (
        "mailadm.quotas_lead",
        "Wie groß das Postfach je Kontotyp sein darf. Ist es voll, nimmt es keine Nachrichten mehr an; die Absender erfahren es.",
        "How large the mailbox of each account type may be. When it is full it takes no more messages; the senders are told.",
    ),
    ("mailadm.save", "Speichern", "Save"),
    ("mailadm.dkim", "Signatur (DKIM)", "Signature (DKIM)"),
    (
        "mailadm.dkim_lead",
        "Ausgehende Post wird mit dem Schlüssel ihrer Domain signiert, damit andere Mailserver sie als echt erkennen. Tragen Sie dazu je Domain diesen TXT-Eintrag im DNS ein.",
        "Outgoing mail is signed with its domain's key so other mail servers recognise it as genuine. For this, publish this TXT record in the DNS of each domain.",
    ),
    ("mailadm.dkim_name", "Name", "Name"),
    ("mailadm.dkim_type", "Typ", "Type"),
    ("mailadm.dkim_value", "Inhalt", "Value"),
    (
        "mail.refused.temporary",
        "{addr}: kann gerade nicht geprüft werden. Bitte später noch einmal senden.",
        "{addr}: cannot be checked right now. Please send again later.",
    ),
    (
        "mail.refused.full",
        "{addr}: Das Postfach ist voll. Die Nachricht wurde nicht gesendet.",
        "{addr}: the mailbox is full. The message was not sent.",
    ),
    ("admin.module.mail", "E-Mail", "Mail"),
    (
        "action.mail_alias_add",
        "E-Mail-Adresse hinzugefügt",
        "Mail address added",
    ),
    (
        "action.mail_alias_remove",
        "E-Mail-Adresse entfernt",
        "Mail address removed",
    ),
    (
        "action.mail_domain_add",
        "Mail-Domain hinzugefügt",
        "Mail domain added",
    ),
    (
        "action.mail_domain_remove",
        "Mail-Domain entfernt",
        "Mail domain removed",
    ),
    (
        "action.mail_quota",
        "Postfachgröße geändert",
        "Mailbox size changed",
    ),
    (
        "ok.quota_saved",
        "Die Postfachgrößen wurden gespeichert.",
        "The mailbox sizes were saved.",
    ),
    (
        "action.mail.confidential_create",
        "Funktionspostfach für Vertrauliches angelegt",
        "Confidential-role mailbox created",
    ),
    (
        "action.mail_rate_limited",
        "Versandgrenze einer Person erreicht",
        "Sending limit of a person reached",
    ),
    (
        "action.mail_send_limit",
        "Versandgrenzen geändert",
        "Sending limits changed",
    ),
];
