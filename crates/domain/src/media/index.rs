//! The local full-text index of the Mediathek (tantivy, German stemming). It is a cache of
//! the database: each node fills its own from `file_text` and can rebuild it any time.

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use schulhof_store::media::IndexRow;
use schulhof_types::{InstanceId, NodeId};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

use crate::DomainError;

struct Fields {
    node: Field,
    instance: Field,
    public: Field,
    name: Field,
    body: Field,
    subject: Field,
    keywords: Field,
    grade: Field,
}

pub(crate) struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// Taken on the first change: command-line runs beside a server only read, and only one
    /// process may write an index directory.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    /// The newest `file_text.updated_at` applied.
    pub(crate) cursor: Mutex<DateTime<Utc>>,
}

/// A match: the node and its school.
pub(crate) struct Hit {
    pub node: NodeId,
    pub instance: InstanceId,
}

/// The most words of a query that count (each adds a clause over four fields).
const MAX_WORDS: usize = 16;

fn err(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(format!("search index: {e}"))
}

impl SearchIndex {
    /// Opens (or creates) the index in `dir`, or in memory.
    pub(crate) fn open(dir: Option<&Path>) -> Result<SearchIndex, DomainError> {
        let mut sb = Schema::builder();
        let german = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("de")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            node: sb.add_text_field("node", STRING | STORED),
            instance: sb.add_text_field("instance", STRING | STORED),
            public: sb.add_text_field("public", STRING),
            name: sb.add_text_field("name", german.clone()),
            body: sb.add_text_field("body", german.clone()),
            subject: sb.add_text_field("subject", german.clone()),
            keywords: sb.add_text_field("keywords", german),
            grade: sb.add_text_field("grade", STRING),
        };
        let schema = sb.build();
        let index = match dir {
            Some(d) => {
                std::fs::create_dir_all(d).map_err(err)?;
                let mmap = tantivy::directory::MmapDirectory::open(d).map_err(err)?;
                Index::open_or_create(mmap, schema).map_err(err)?
            }
            None => Index::create_in_ram(schema),
        };
        index.tokenizers().register(
            "de",
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(40))
                .filter(LowerCaser)
                .filter(Stemmer::new(Language::German))
                .filter(AsciiFoldingFilter)
                .build(),
        );
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(err)?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(None),
            fields,
            cursor: Mutex::new(DateTime::<Utc>::UNIX_EPOCH),
        })
    }

    /// Puts changed files into the index (and drops deleted ones).
    pub(crate) fn apply(&self, rows: &[IndexRow]) -> Result<(), DomainError> {
        if rows.is_empty() {
            return Ok(());
        }
        let f = &self.fields;
        let mut guard = self.writer.lock().map_err(err)?;
        if guard.is_none() {
            *guard = Some(
                self.index
                    .writer_with_num_threads(1, 15_000_000)
                    .map_err(err)?,
            );
        }
        let Some(w) = guard.as_mut() else {
            return Err(err("no index writer"));
        };
        for r in rows {
            let id = r.node.0.simple().to_string();
            w.delete_term(Term::from_field_text(f.node, &id));
            if !r.live {
                continue;
            }
            let mut d = doc!(
                f.node => id,
                f.instance => r.instance.0.simple().to_string(),
                f.name => r.name.replace(['_', '-', '.'], " "),
                f.body => r.body.as_str(),
                f.subject => r.meta.subject.as_str(),
                f.keywords => r.meta.keywords.as_str(),
                f.grade => r.meta.grade.as_str(),
            );
            if r.meta.license.is_some() {
                d.add_text(f.public, "1");
            }
            w.add_document(d).map_err(err)?;
        }
        w.commit().map_err(err)?;
        drop(guard);
        self.reader.reload().map_err(err)?;
        Ok(())
    }

    /// The words of `text` as the index stores them (German analyser), each required in
    /// one of the text fields. The text is never handed to tantivy's query language: field
    /// syntax, wildcards and brackets are plain characters here, so no input is a syntax
    /// error; text without words gives `None` (no hits).
    fn user_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let mut analyzer = self.index.tokenizers().get("de")?;
        let mut words: Vec<String> = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let word = stream.token().text.clone();
            if !words.contains(&word) && words.len() < MAX_WORDS {
                words.push(word);
            }
        }
        if words.is_empty() {
            return None;
        }
        let fields = [
            (f.name, 3.0),
            (f.keywords, 2.0),
            (f.subject, 1.0),
            (f.body, 1.0),
        ];
        let each_word = words.iter().map(|w| {
            let any_field = fields.iter().map(|&(field, boost)| {
                let term = TermQuery::new(
                    Term::from_field_text(field, w),
                    IndexRecordOption::WithFreqs,
                );
                let q: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(term), boost));
                (Occur::Should, q)
            });
            let q: Box<dyn Query> = Box::new(BooleanQuery::new(any_field.collect()));
            (Occur::Must, q)
        });
        Some(Box::new(BooleanQuery::new(each_word.collect())))
    }

    /// Files of `instance`, or licensed ones of any school, matching `text`, best first.
    pub(crate) fn search(
        &self,
        instance: InstanceId,
        text: &str,
        limit: usize,
    ) -> Result<Vec<Hit>, DomainError> {
        let f = &self.fields;
        let Some(user) = self.user_query(text) else {
            return Ok(Vec::new());
        };
        let scope: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.instance, &instance.0.simple().to_string()),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            ),
            (
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.public, "1"),
                    IndexRecordOption::Basic,
                )),
            ),
        ]));
        let query = BooleanQuery::new(vec![(Occur::Must, user), (Occur::Must, scope)]);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())
            .map_err(err)?;
        let mut hits = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let d: TantivyDocument = searcher.doc(addr).map_err(err)?;
            let get = |field| {
                d.get_first(field)
                    .and_then(|v| v.as_str())
                    .and_then(|s| uuid::Uuid::parse_str(s).ok())
            };
            if let (Some(node), Some(inst)) = (get(f.node), get(f.instance)) {
                hits.push(Hit {
                    node: NodeId(node),
                    instance: InstanceId(inst),
                });
            }
        }
        Ok(hits)
    }
}
