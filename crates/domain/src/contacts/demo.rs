//! A few contacts in the demo teacher's personal address book, written through the one
//! ingest path as the teacher would (one vCard 3.0, the others 4.0, as clients send both).

use super::Precondition;
use crate::identity::Actor;
use crate::{DomainError, Platform};

const CARDS: [(&str, &str); 3] = [
    (
        "demo-schulsozialarbeit.vcf",
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:5c1d2e9a-0d51-4f7e-9a31-0c7d0a1e0001\r\n\
FN:Jana Wolff\r\nN:Wolff;Jana;;;\r\nORG:Schulsozialarbeit\r\nEMAIL:j.wolff@example.org\r\n\
TEL;TYPE=work:+49 211 555 0101\r\nEND:VCARD\r\n",
    ),
    (
        "demo-elternpflegschaft.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:5c1d2e9a-0d51-4f7e-9a31-0c7d0a1e0002\r\n\
FN:Peter Hoffmann\r\nN:Hoffmann;Peter;;;\r\nORG:Elternpflegschaft 5a\r\n\
EMAIL;TYPE=INTERNET:p.hoffmann@example.org\r\nNOTE:Vorsitzender der Klassenpflegschaft\r\nEND:VCARD\r\n",
    ),
    (
        "demo-busunternehmen.vcf",
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:5c1d2e9a-0d51-4f7e-9a31-0c7d0a1e0003\r\n\
FN:Reisedienst Rheinland\r\nORG:Reisedienst Rheinland GmbH\r\nEMAIL:buchung@example.org\r\n\
TEL;TYPE=voice:+49 211 555 0199\r\nNOTE:Busse für Wandertage und Klassenfahrten\r\nEND:VCARD\r\n",
    ),
];

impl Platform {
    /// Seeds the demo contacts; `teacher` is the demo teacher.
    pub(crate) async fn seed_demo_contacts(&self, teacher: &Actor) -> Result<(), DomainError> {
        let book = self.personal_address_book(teacher).await?.id;
        for (href, text) in CARDS {
            self.contact_put(teacher, book, href, text.as_bytes(), Precondition::None)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_cards_are_readable() {
        for (_, text) in CARDS {
            let (_, idx) = super::super::vcard::read(text).expect("a good card");
            assert!(idx.uid.is_some());
        }
    }
}
