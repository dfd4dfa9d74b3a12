//! Search in the history of the caller's rooms, through the full-text index of the store
//! (FTS5 on SQLite, tsvector + GIN on PostgreSQL).
//!
//! Bodies are sealed with the school's key, and so must the index be: it holds no words,
//! only keyed hashes of their prefixes. A text is cut into words (lower-case, umlauts
//! folded, split at whatever is neither letter nor digit); every prefix of 2 to 16
//! characters of every word is hashed with HMAC-SHA-256 under a key derived from the
//! school's key and written as 16 letters a-p. A search word matches the words it begins
//! (`Mathe` finds `Mathearbeit`); its hash is looked up in the index, and the texts found
//! are opened and checked once more (words longer than 16 characters, hash collisions).
//! What the index reveals is how often a hash occurs, never the word.

use std::collections::BTreeSet;

use aws_lc_rs::hmac;
use chrono::{DateTime, Utc};
use schulhof_authz::chat::ChatRights;
use schulhof_blob::SealKey;
use schulhof_store::chat::RoomId;
use schulhof_store::chat::search::{self as store, Query};
use schulhof_store::{from_us, to_us};
use schulhof_types::InstanceId;
use serde::Serialize;

use super::messages::open_text;
use crate::identity::Actor;
use crate::{DomainError, Platform};

const PREFIX_MIN: usize = 2;
const PREFIX_MAX: usize = 16;
/// Bytes of a hash kept (64 bits: collisions are rare, and the texts are checked anyway).
const TERM_BYTES: usize = 8;
const SEARCH_HITS: usize = 50;
/// Found beyond the hits shown, in case the check drops some.
const SLACK: usize = 10;
const MAX_QUERY_CHARS: usize = 100;
const MAX_QUERY_WORDS: usize = 8;
/// Backlog messages (written before the index) indexed per upkeep step.
const BACKLOG_BATCH: i64 = 200;

/// A message found by a search.
#[derive(Clone, Debug, Serialize)]
pub struct SearchHit {
    pub room: RoomId,
    pub room_name: String,
    pub seq: i64,
    pub author_name: String,
    pub text: String,
    pub created: DateTime<Utc>,
}

/// The words of a text as search compares them: lower-case, `ä ö ü` as `a o u`, `ß` as
/// `ss`, split at anything that is neither letter nor digit.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => word.push('a'),
            'ö' => word.push('o'),
            'ü' => word.push('u'),
            'ß' => word.push_str("ss"),
            c if c.is_alphanumeric() => word.push(c),
            _ if !word.is_empty() => out.push(std::mem::take(&mut word)),
            _ => {}
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The school's key for search hashes (derived, so the sealing key is used for one thing).
struct Terms(hmac::Key);

impl Terms {
    fn of(key: &SealKey) -> Terms {
        let derive = hmac::Key::new(hmac::HMAC_SHA256, &key.0);
        let sub = hmac::sign(&derive, b"schulhof chat search v1");
        Terms(hmac::Key::new(hmac::HMAC_SHA256, sub.as_ref()))
    }

    /// The term of a word's first `PREFIX_MAX` characters at most.
    fn term(&self, prefix: &str) -> String {
        let tag = hmac::sign(&self.0, prefix.as_bytes());
        tag.as_ref()[..TERM_BYTES]
            .iter()
            .flat_map(|b| [b >> 4, b & 15])
            .map(|n| char::from(b'a' + n))
            .collect()
    }

    /// The index terms of a text: every prefix of every word, each once, space-separated.
    fn of_text(&self, text: &str) -> String {
        let mut prefixes = BTreeSet::new();
        for w in words(text) {
            let chars: Vec<char> = w.chars().collect();
            for n in PREFIX_MIN..=chars.len().min(PREFIX_MAX) {
                prefixes.insert(chars[..n].iter().collect::<String>());
            }
        }
        let terms: Vec<String> = prefixes.iter().map(|p| self.term(p)).collect();
        terms.join(" ")
    }
}

/// The index terms of a message text under the school's key.
pub(crate) fn index_terms(key: &SealKey, text: &str) -> String {
    Terms::of(key).of_text(text)
}

/// The words searched for (two characters at least, each once), or why not.
fn query_words(query: &str) -> Result<Vec<String>, DomainError> {
    if query.trim().chars().count() > MAX_QUERY_CHARS {
        return Err(DomainError::invalid("q", "Höchstens 100 Zeichen suchen."));
    }
    let mut out: Vec<String> = Vec::new();
    for w in words(query) {
        if w.chars().count() >= PREFIX_MIN && !out.contains(&w) {
            out.push(w);
        }
    }
    if out.is_empty() {
        return Err(DomainError::invalid("q", "Mindestens zwei Zeichen suchen."));
    }
    out.truncate(MAX_QUERY_WORDS);
    Ok(out)
}

/// Whether every searched word begins a word of the text.
fn matches(text: &str, wanted: &[String]) -> bool {
    let have = words(text);
    wanted
        .iter()
        .all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
}

impl Platform {
    /// Messages of the caller's rooms with words beginning with every word of `query`
    /// (case and umlauts aside), newest first: one statement, which also decides what the
    /// caller may see.
    pub async fn chat_search(
        &self,
        actor: &Actor,
        query: &str,
    ) -> Result<Vec<SearchHit>, DomainError> {
        let wanted = query_words(query)?;
        if !ChatRights::of(&actor.token).use_chat {
            return Ok(Vec::new());
        }
        let instance = actor.token.instance();
        let key = self.school_key(instance).await?;
        let terms = Terms::of(&key);
        let terms: Vec<String> = wanted
            .iter()
            .map(|w| terms.term(&w.chars().take(PREFIX_MAX).collect::<String>()))
            .collect();
        let q = Query {
            user: actor.token.user(),
            now: to_us(self.now()),
            terms: &terms,
            limit: (SEARCH_HITS + SLACK) as i64,
        };
        let rows = store::search(&mut self.db.read().await?, instance, q).await?;
        let mut hits = Vec::new();
        for r in rows {
            let text = open_text(&key, &r.body)?;
            if matches(&text, &wanted) {
                hits.push(SearchHit {
                    room: r.room,
                    room_name: r.room_name,
                    seq: r.seq,
                    author_name: r.author_name,
                    text,
                    created: from_us(r.created_at),
                });
            }
        }
        hits.truncate(SEARCH_HITS);
        Ok(hits)
    }

    /// Indexes a batch of the messages written before the search index existed. How many;
    /// any node may run it (a message is taken from the backlog once).
    pub async fn system_chat_index(&self) -> Result<usize, DomainError> {
        let batch = store::system_backlog(&mut self.db.read().await?, BACKLOG_BATCH).await?;
        if batch.is_empty() {
            return Ok(0);
        }
        let mut keys: Vec<(InstanceId, SealKey)> = Vec::new();
        let mut done = 0;
        let mut tx = self.db.begin().await?;
        for m in &batch {
            let key = match keys.iter().find(|(i, _)| *i == m.instance) {
                Some((_, k)) => k.clone(),
                None => {
                    let k = self.school_key(m.instance).await?;
                    keys.push((m.instance, k.clone()));
                    k
                }
            };
            let terms = index_terms(&key, &open_text(&key, &m.body)?);
            if store::settle_backlog(&mut tx, m, &terms).await? {
                done += 1;
            }
        }
        tx.commit().await?;
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_and_umlauts() {
        assert_eq!(
            words("Größe: Übung-5a, @anna FÄLLT aus!"),
            ["grosse", "ubung", "5a", "anna", "fallt", "aus"]
        );
        assert!(words(" .,- ").is_empty());
    }

    #[test]
    fn terms_are_prefixes_keyed_by_school() {
        let (a, b) = (SealKey([1; 32]), SealKey([2; 32]));
        let ta = Terms::of(&a);
        let text = ta.of_text("Mathe");
        // ma, mat, math, mathe.
        assert_eq!(text.split(' ').count(), 4);
        assert!(text.split(' ').any(|t| t == ta.term("mat")));
        assert!(
            text.split(' ')
                .all(|t| t.len() == 16 && t.bytes().all(|c| (b'a'..=b'p').contains(&c)))
        );
        assert_ne!(ta.term("mat"), Terms::of(&b).term("mat"));
        let long = ta.of_text("Donaudampfschifffahrtsgesellschaft");
        assert_eq!(long.split(' ').count(), PREFIX_MAX - 1);
    }

    #[test]
    fn queries_need_a_word_and_stay_short() {
        assert!(query_words("a").is_err());
        assert!(query_words(&"x".repeat(101)).is_err());
        assert_eq!(
            query_words("Mathe a MATHE test").expect("q"),
            ["mathe", "test"]
        );
        assert!(matches(
            "Mathearbeit am Freitag",
            &["mathe".into(), "frei".into()]
        ));
        assert!(!matches("Mathearbeit am Freitag", &["arbeit".into()]));
    }
}
