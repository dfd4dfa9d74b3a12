//! SQL statements per IMAP command, through the real session on the platform, on SQLite and
//! PostgreSQL. On PostgreSQL every statement is a network round trip (and BEGIN/COMMIT are
//! two more), so the commands of a mail program's everyday loop are held to a fixed few:
//! SELECT, UID FETCH of one message, UID STORE, SEARCH UNSEEN, APPEND, EXPUNGE.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use schulhof_domain::clock::ManualClock;
use schulhof_domain::{Config, Db, HashParams, Platform};
use schulhof_store::testing::statements;
use schulhof_store::{Backend, backend_tests};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

const PW: &str = "schulhof-demo";

struct Client {
    r: BufReader<ReadHalf<DuplexStream>>,
    w: WriteHalf<DuplexStream>,
    n: u32,
}

impl Client {
    async fn connect(p: &Platform) -> Client {
        let (ours, theirs) = tokio::io::duplex(1 << 20);
        let peer = schulhof_imap::Peer {
            addr: "127.0.0.1".into(),
            loopback: true,
            tls: None,
        };
        tokio::spawn(schulhof_imap::run(p.clone(), theirs, peer));
        let (r, w) = tokio::io::split(ours);
        let mut c = Client {
            r: BufReader::new(r),
            w,
            n: 0,
        };
        let greeting = c.line().await;
        assert!(greeting.starts_with("* OK"), "{greeting}");
        c
    }

    async fn line(&mut self) -> String {
        let mut l = String::new();
        self.r.read_line(&mut l).await.expect("read");
        assert!(!l.is_empty(), "connection closed");
        l
    }

    /// Sends `text` (with a literal after the first line, if any) and returns the whole
    /// answer; the tagged line must be OK.
    async fn cmd(&mut self, text: &str, literal: Option<&[u8]>) -> String {
        self.n += 1;
        let tag = format!("s{}", self.n);
        self.w
            .write_all(format!("{tag} {text}\r\n").as_bytes())
            .await
            .expect("write");
        if let Some(lit) = literal {
            let go = self.line().await;
            assert!(go.starts_with('+'), "{go}");
            self.w.write_all(lit).await.expect("literal");
            self.w.write_all(b"\r\n").await.expect("crlf");
        }
        let mut all = String::new();
        loop {
            let l = self.line().await;
            all.push_str(&l);
            if l.starts_with(&format!("{tag} ")) {
                assert!(l[tag.len()..].starts_with(" OK"), "{text}: {all}");
                return all;
            }
        }
    }

    /// The statements the command ran, and its answer.
    /// The statements of one command. The live events of the session's earlier changes are
    /// let in first (a pause and an uncounted NOOP): on PostgreSQL they come back through
    /// LISTEN at a moment that depends on the machine's load, and the folder read they cause
    /// belongs to the change that sent them, not to the command that happens to follow.
    async fn counted(&mut self, text: &str, literal: Option<&[u8]>) -> (usize, String) {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        self.cmd("NOOP", None).await;
        let before = statements::so_far();
        let answer = self.cmd(text, literal).await;
        (statements::so_far() - before, answer)
    }
}

fn message(i: usize) -> Vec<u8> {
    format!(
        "From: a{i}@example.org\r\nTo: lena.lehmann@100000.nrw.schule\r\nSubject: Nr. {i}\r\n\
         Message-ID: <{i}@cost.test>\r\nDate: Mon, 2 Nov 2026 09:00:00 +0100\r\n\r\nText {i}\r\n"
    )
    .into_bytes()
}

async fn demo(db: Db) -> (Platform, tempfile::TempDir) {
    let blobs = tempfile::tempdir().expect("blob dir");
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
            .single()
            .expect("time"),
    ));
    let config = Config {
        hash: HashParams::insecure_fast_for_tests(),
        blob_dir: Some(blobs.path().to_owned()),
        ..Config::default()
    };
    let p = Platform::new(db, clock, config);
    p.system_seed_demo().await.expect("demo");
    let s = p
        .login("100000", "lehrer", PW, "127.0.0.1")
        .await
        .expect("login");
    let actor = p.session(&s.cookie).await.expect("session").actor;
    p.give_consent(&actor, true, true, "127.0.0.1")
        .await
        .expect("consent");
    (p, blobs)
}

/// The fewest statements of three runs of each command of the everyday loop (the benchmark's
/// mix), printed and held to a ceiling.
async fn everyday_commands_cost_a_few_statements(db: Db) {
    statements::install();
    let backend = db.backend();
    let (p, _blobs) = demo(db).await;
    let mut c = Client::connect(&p).await;
    c.cmd(&format!("LOGIN lehrer@100000 {PW}"), None).await;
    c.cmd("SELECT INBOX", None).await;
    let mut filled = Vec::new();
    for i in 0..10 {
        let m = message(i);
        let a = c
            .cmd(&format!("APPEND INBOX {{{}}}", m.len()), Some(&m))
            .await;
        filled.push(appended_uid(&a));
    }
    let names = [
        "SELECT", "FETCH", "STORE", "SEARCH", "APPEND", "STORE+D", "EXPUNGE",
    ];
    let mut best = [usize::MAX; 7];
    for (round, uid) in filled.iter().copied().enumerate().take(3) {
        let mut n = Vec::new();
        n.push(c.counted("SELECT INBOX", None).await.0);
        let fetch = format!("UID FETCH {uid} (FLAGS ENVELOPE BODY.PEEK[])");
        let (k, a) = c.counted(&fetch, None).await;
        assert!(a.contains(&format!("Nr. {round}")), "{a}");
        n.push(k);
        // A message not seen yet: the STORE changes it.
        let (k, a) = c
            .counted(&format!("UID STORE {uid} +FLAGS (\\Seen)"), None)
            .await;
        assert!(a.contains("\\Seen"), "{a}");
        n.push(k);
        n.push(c.counted("SEARCH UNSEEN", None).await.0);
        let m = message(100 + round);
        let (k, a) = c
            .counted(&format!("APPEND INBOX {{{}}}", m.len()), Some(&m))
            .await;
        n.push(k);
        let uid = appended_uid(&a);
        let store = format!("UID STORE {uid} +FLAGS.SILENT (\\Deleted)");
        n.push(c.counted(&store, None).await.0);
        let (k, a) = c.counted("EXPUNGE", None).await;
        assert!(a.contains(" EXPUNGE\r\n"), "{a}");
        n.push(k);
        for (b, k) in best.iter_mut().zip(&n) {
            *b = (*b).min(*k);
        }
    }
    // The events of the session's own changes come back (PostgreSQL: through LISTEN) and
    // are known as its own: a NOOP after them reads nothing.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let before = statements::so_far();
    c.cmd("NOOP", None).await;
    assert_eq!(
        statements::so_far() - before,
        0,
        "own changes' events read again"
    );
    let report: Vec<String> = names
        .iter()
        .zip(best)
        .map(|(n, k)| format!("{n} {k}"))
        .collect();
    println!("statements per command: {}", report.join(", "));
    // Ceilings (the change's NOTIFY leaves after the commit from the node's sender, not
    // counted). SELECT after the session's own changes reads the folder's row alone: this
    // node's copy of the folder took the changes when they were committed. On PostgreSQL a
    // FETCH of a body is the envelope read (rights check included) — the content comes by
    // the reference it returned; a STORE and an EXPUNGE of the own folder are one statement
    // that checks whose folder it is, takes the MODSEQ and makes the change; an APPEND the
    // folder by its name with its owner's use and quota (one read) and one statement for
    // quota, UID, row and text — no transaction around them; SQLite keeps its in-process
    // transaction (its BEGIN is not reported). APPEND includes the folder's row read to
    // report the change to the client (EXISTS). The echo of the session's own change (its
    // event coming back) is let in before each count, see `counted`.
    let most = match backend {
        Backend::Postgres => [1, 1, 1, 0, 3, 1, 1],
        Backend::Sqlite => [1, 1, 5, 0, 6, 5, 8],
    };
    for ((name, got), most) in names.iter().zip(best).zip(most) {
        assert!(
            got <= most,
            "{name}: {got} statements, at most {most}: {report:?}"
        );
    }
}

/// The UID of `OK [APPENDUID validity uid]`.
fn appended_uid(answer: &str) -> u32 {
    answer
        .split("APPENDUID ")
        .nth(1)
        .and_then(|t| t.split([' ', ']']).nth(1))
        .and_then(|u| u.parse().ok())
        .expect("APPENDUID")
}

backend_tests!(everyday_commands_cost_a_few_statements);
