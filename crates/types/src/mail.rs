//! The local part of generated mail addresses: `vorname.nachname`, transliterated.

/// A transliterated `vorname.nachname` without counter or domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailLocalPart(pub String);

impl MailLocalPart {
    /// The candidate for the n-th person with this name: `anna.schmidt`, `anna.schmidt2`, …
    pub fn with_counter(&self, n: u32) -> String {
        if n <= 1 {
            self.0.clone()
        } else {
            format!("{}{n}", self.0)
        }
    }
}

/// Builds `vorname.nachname` as the state platform does: German letters are spelled out
/// (ä→ae, ß→ss), other accents are stripped, spaces become hyphens, apostrophes vanish.
/// Returns `None` when nothing usable is left (e.g. a name of only symbols).
pub fn mail_local_part(first_name: &str, last_name: &str) -> Option<MailLocalPart> {
    let first = name_part(first_name)?;
    let last = name_part(last_name)?;
    Some(MailLocalPart(format!("{first}.{last}")))
}

fn name_part(name: &str) -> Option<String> {
    let mut spelled = String::with_capacity(name.len() + 4);
    for c in name.trim().chars() {
        match c {
            'ä' => spelled.push_str("ae"),
            'ö' => spelled.push_str("oe"),
            'ü' => spelled.push_str("ue"),
            'Ä' => spelled.push_str("Ae"),
            'Ö' => spelled.push_str("Oe"),
            'Ü' => spelled.push_str("Ue"),
            'ß' | 'ẞ' => spelled.push_str("ss"),
            '\'' | '’' | '`' | '´' => {}
            c => spelled.push(c),
        }
    }
    let ascii = deunicode::deunicode(&spelled).to_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if matches!(c, ' ' | '-' | '_' | '.') && !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(f: &str, l: &str) -> String {
        mail_local_part(f, l).expect("usable name").0
    }

    #[test]
    fn transliterates_german_and_accents() {
        assert_eq!(local("Jürgen", "Groß"), "juergen.gross");
        assert_eq!(local("Özlem", "Çelik"), "oezlem.celik");
        assert_eq!(local("Zoë", "Lefèvre"), "zoe.lefevre");
        assert_eq!(local("Łukasz", "Nowak"), "lukasz.nowak");
        assert_eq!(local("ÄNNE", "ÜBEL"), "aenne.uebel");
    }

    #[test]
    fn handles_spaces_hyphens_and_apostrophes() {
        assert_eq!(local("Anna Lena", "Schmidt"), "anna-lena.schmidt");
        assert_eq!(
            local("Hans-Peter", "von der Heide"),
            "hans-peter.von-der-heide"
        );
        assert_eq!(local("Shaquille", "O'Neal"), "shaquille.oneal");
        assert_eq!(local("  Max  ", " Müller  "), "max.mueller");
        assert_eq!(local("Jean -- Luc", "D’Arc"), "jean-luc.darc");
    }

    #[test]
    fn refuses_names_with_nothing_usable() {
        assert_eq!(mail_local_part("", "Schmidt"), None);
        assert_eq!(mail_local_part("Anna", "--"), None);
    }

    #[test]
    fn counter_starts_at_two() {
        let l = mail_local_part("Anna", "Schmidt").expect("usable");
        assert_eq!(l.with_counter(1), "anna.schmidt");
        assert_eq!(l.with_counter(2), "anna.schmidt2");
    }
}

/// A key that sorts names as a German reader expects (Öztürk with the Os, Ärzte with the
/// As): transliterated and lower-cased.
pub fn name_sort_key(name: &str) -> String {
    deunicode::deunicode(name).to_lowercase()
}

#[cfg(test)]
mod sort_tests {
    use super::name_sort_key;

    #[test]
    fn umlauts_sort_with_their_letter() {
        let mut names = vec!["Schäfer", "Öztürk", "Zander", "Albers"];
        names.sort_by_key(|n| name_sort_key(n));
        assert_eq!(names, ["Albers", "Öztürk", "Schäfer", "Zander"]);
    }
}
