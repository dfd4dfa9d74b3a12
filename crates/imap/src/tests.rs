//! The session against an in-memory mailbox, over an in-memory socket: the protocol as a
//! client sees it, and random input that must never panic the session.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};

use crate::driver::run;
use crate::memstore::MemStore;
use crate::session::Peer;

struct Client {
    r: BufReader<tokio::io::ReadHalf<DuplexStream>>,
    w: tokio::io::WriteHalf<DuplexStream>,
    n: u32,
}

fn peer(loopback: bool) -> Peer {
    Peer {
        addr: if loopback { "127.0.0.1" } else { "192.0.2.7" }.into(),
        loopback,
        tls: None,
    }
}

impl Client {
    async fn connect(store: &MemStore, loopback: bool) -> Client {
        let (ours, theirs) = tokio::io::duplex(1 << 20);
        tokio::spawn(run(store.clone(), theirs, peer(loopback)));
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
        tokio::time::timeout(Duration::from_secs(5), self.r.read_line(&mut l))
            .await
            .expect("server answers in time")
            .expect("read");
        l
    }

    async fn send(&mut self, bytes: &[u8]) {
        self.w.write_all(bytes).await.expect("write");
    }

    /// Reads up to and including the tagged answer of `tag`.
    async fn until(&mut self, tag: &str) -> String {
        let mut out = String::new();
        loop {
            let l = self.line().await;
            assert!(!l.is_empty(), "connection closed; so far: {out}");
            out.push_str(&l);
            if l.starts_with(&format!("{tag} ")) {
                return out;
            }
        }
    }

    async fn cmd(&mut self, line: &str) -> String {
        self.n += 1;
        let tag = format!("a{}", self.n);
        self.send(format!("{tag} {line}\r\n").as_bytes()).await;
        self.until(&tag).await
    }

    async fn login(&mut self) {
        let r = self.cmd("LOGIN lehrer@100000 pw").await;
        assert!(r.contains("OK"), "{r}");
    }

    async fn append(&mut self, folder: &str, msg: &[u8]) -> String {
        self.n += 1;
        let tag = format!("a{}", self.n);
        self.send(format!("{tag} APPEND {folder} (\\Seen) {{{}}}\r\n", msg.len()).as_bytes())
            .await;
        let cont = self.line().await;
        assert!(cont.starts_with('+'), "{cont}");
        self.send(msg).await;
        self.send(b"\r\n").await;
        self.until(&tag).await
    }
}

const MAIL: &[u8] = b"From: Anna Lehrer <anna@100000.nrw.schule>\r\nTo: ben@100000.nrw.schule\r\nSubject: Klassenfahrt\r\nDate: Thu, 3 Dec 2026 10:00:00 +0100\r\nMessage-ID: <a1@x>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBitte bis Freitag zahlen.\r\n--b\r\nContent-Type: application/pdf; name=\"brief.pdf\"\r\nContent-Disposition: attachment; filename=\"brief.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";

#[tokio::test]
async fn a_client_reads_and_files_mail() {
    let store = MemStore::new();
    let mut c = Client::connect(&store, true).await;
    let caps = c.cmd("CAPABILITY").await;
    for cap in [
        "IMAP4REV1",
        "AUTH=PLAIN",
        "IDLE",
        "UIDPLUS",
        "MOVE",
        "SPECIAL-USE",
        "CONDSTORE",
        "QUOTA",
        "NAMESPACE",
        "LITERAL+",
        "ID",
        "ENABLE",
    ] {
        assert!(caps.contains(cap), "{cap} in {caps}");
    }
    assert!(
        c.cmd("SELECT INBOX").await.contains("BAD"),
        "not before login"
    );
    c.login().await;
    let list = c.cmd("LIST \"\" \"*\"").await;
    assert!(
        list.contains("\\Drafts) \"/\" Drafts") && list.contains("\\Trash"),
        "{list}"
    );
    let r = c.append("INBOX", MAIL).await;
    assert!(r.contains("[APPENDUID 7 1]"), "{r}");
    let sel = c.cmd("SELECT INBOX").await;
    assert!(
        sel.contains("* 1 EXISTS")
            && sel.contains("[UIDVALIDITY 7]")
            && sel.contains("[READ-WRITE]"),
        "{sel}"
    );
    assert!(sel.contains("HIGHESTMODSEQ"), "{sel}");

    // Byte for byte back.
    let f = c.cmd("UID FETCH 1 (BODY.PEEK[] RFC822.SIZE)").await;
    let body = String::from_utf8_lossy(MAIL);
    assert!(
        f.contains(&*body) && f.contains(&format!("RFC822.SIZE {}", MAIL.len())),
        "{f}"
    );
    let f = c.cmd("FETCH 1 (BODYSTRUCTURE ENVELOPE)").await;
    assert!(
        f.contains("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\")"),
        "{f}"
    );
    assert!(
        f.contains("\"APPLICATION\" \"PDF\"") && f.contains("\"ATTACHMENT\""),
        "{f}"
    );
    assert!(
        f.contains("\"MIXED\"") && f.contains("\"Klassenfahrt\""),
        "{f}"
    );
    assert!(
        f.contains("((\"Anna Lehrer\" NIL \"anna\" \"100000.nrw.schule\"))"),
        "{f}"
    );
    let f = c
        .cmd("FETCH 1 (BODY.PEEK[1] BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[2.MIME])")
        .await;
    assert!(f.contains("Bitte bis Freitag zahlen."), "{f}");
    assert!(f.contains("Subject: Klassenfahrt\r\n\r\n"), "{f}");
    assert!(f.contains("Content-Disposition: attachment"), "{f}");
    let f = c.cmd("FETCH 1 (BODY.PEEK[]<0.4>)").await;
    assert!(f.contains("BODY[]<0> \"From\""), "{f}");

    // Flags: BODY[] without PEEK sets \Seen.
    c.cmd("STORE 1 -FLAGS.SILENT (\\Seen)").await;
    let f = c.cmd("FETCH 1 (BODY[TEXT])").await;
    assert!(f.contains("\\Seen"), "{f}");
    let s = c.cmd("STORE 1 +FLAGS (\\Flagged $Wichtig)").await;
    assert!(s.contains("\\Flagged") && s.contains("$Wichtig"), "{s}");
    assert!(c.cmd("SEARCH FLAGGED").await.contains("* SEARCH 1\r\n"));
    assert!(c.cmd("SEARCH UNFLAGGED").await.contains("* SEARCH\r\n"));
    assert!(
        c.cmd("UID SEARCH SUBJECT klassenfahrt")
            .await
            .contains("* SEARCH 1\r\n")
    );
    assert!(
        c.cmd("SEARCH BODY freitag")
            .await
            .contains("* SEARCH 1\r\n")
    );
    assert!(
        c.cmd("SEARCH OR FROM nobody LARGER 100")
            .await
            .contains("* SEARCH 1\r\n")
    );
    assert!(
        c.cmd("SEARCH NOT SINCE 1-Jan-2000")
            .await
            .contains("* SEARCH\r\n")
    );

    // CONDSTORE: UNCHANGEDSINCE refuses a stale change.
    let s = c
        .cmd("STORE 1 (UNCHANGEDSINCE 1) +FLAGS (\\Answered)")
        .await;
    assert!(s.contains("[MODIFIED 1]"), "{s}");
    let f = c.cmd("FETCH 1 (FLAGS) (CHANGEDSINCE 1)").await;
    assert!(f.contains("MODSEQ ("), "{f}");

    // COPY and MOVE with COPYUID; EXPUNGE.
    let r = c.cmd("UID COPY 1 Trash").await;
    assert!(r.contains("[COPYUID 7 1 1]"), "{r}");
    assert!(c.cmd("COPY 1 Nirgends").await.contains("[TRYCREATE]"));
    let r = c.append("Nirgends", MAIL).await;
    assert!(r.contains("NO [TRYCREATE]"), "{r}");
    let r = c.cmd("UID MOVE 1 Drafts").await;
    assert!(
        r.contains("[COPYUID 7 1 1]") && r.contains("* 1 EXPUNGE"),
        "{r}"
    );
    c.append("INBOX", MAIL).await;
    c.cmd("NOOP").await;
    c.cmd("STORE 1 +FLAGS (\\Deleted)").await;
    let e = c.cmd("EXPUNGE").await;
    assert!(e.contains("* 1 EXPUNGE"), "{e}");
    let q = c.cmd("GETQUOTAROOT INBOX").await;
    assert!(
        q.contains("* QUOTAROOT INBOX \"\"") && q.contains("STORAGE"),
        "{q}"
    );
    assert!(c.cmd("LOGOUT").await.contains("* BYE"));
}

#[tokio::test]
async fn idle_sees_mail_appended_by_another_session() {
    let store = MemStore::new();
    let mut a = Client::connect(&store, true).await;
    let mut b = Client::connect(&store, true).await;
    a.login().await;
    b.login().await;
    a.append("INBOX", MAIL).await;
    a.append("INBOX", MAIL).await;
    a.cmd("SELECT INBOX").await;
    a.send(b"i1 IDLE\r\n").await;
    assert!(a.line().await.starts_with('+'));
    b.append("INBOX", MAIL).await;
    assert_eq!(a.line().await, "* 3 EXISTS\r\n");
    // Changes by another session: expunge and flags, reported in IDLE.
    b.cmd("SELECT INBOX").await;
    b.cmd("STORE 1 +FLAGS (\\Deleted)").await;
    let l = a.line().await;
    assert!(l.starts_with("* 1 FETCH") && l.contains("\\Deleted"), "{l}");
    b.cmd("EXPUNGE").await;
    assert_eq!(a.line().await, "* 1 EXPUNGE\r\n");
    a.send(b"DONE\r\n").await;
    let r = a.until("i1").await;
    assert!(r.contains("i1 OK"), "{r}");
    // Outside IDLE: at the next command.
    b.cmd("STORE 1 +FLAGS (\\Flagged)").await;
    let r = a.cmd("NOOP").await;
    assert!(r.contains("* 1 FETCH") && r.contains("\\Flagged"), "{r}");
}

#[tokio::test]
async fn refusals_are_clear_and_the_connection_stays_sane() {
    let store = MemStore::new();
    let mut c = Client::connect(&store, true).await;
    assert!(
        c.cmd("LOGIN lehrer@100000 falsch")
            .await
            .contains("NO [AUTHENTICATIONFAILED]")
    );
    assert!(
        c.cmd("LOGIN schueler@100000 pw")
            .await
            .contains("NO [AUTHORIZATIONFAILED]")
    );
    // AUTHENTICATE PLAIN with an initial response.
    let r = c.cmd("AUTHENTICATE PLAIN AGxlaHJlckAxMDAwMDAAcHc=").await;
    assert!(r.contains("OK"), "{r}");
    // Malformed commands and literals beyond the limit.
    assert!(c.cmd("FROBNICATE").await.contains("BAD"));
    assert!(c.cmd("FETCH 1:* (NOSUCH)").await.contains("BAD"));
    c.send(b"big APPEND INBOX {200000}\r\n").await;
    let r = c.until("big").await;
    assert!(r.contains("big BAD"), "{r}");
    assert!(c.cmd("NOOP").await.contains("OK"));
    // A line longer than any message may be.
    let mut long = b"long NOOP ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 300_000));
    long.extend_from_slice(b"\r\n");
    c.send(&long).await;
    let r = c.until("long").await;
    assert!(r.contains("long BAD [TOOBIG]"), "{r}");
    assert!(c.cmd("NOOP").await.contains("OK"));
    store.set_quota(10);
    let r = c.append("INBOX", MAIL).await;
    assert!(r.contains("NO [OVERQUOTA]"), "{r}");
    // Folder names with umlauts in modified UTF-7.
    assert!(c.cmd("CREATE \"Sch&APw-ler\"").await.contains("OK"));
    let list = c.cmd("LIST \"\" \"Sch*\"").await;
    assert!(list.contains("Sch&APw-ler"), "{list}");
    let s = c.cmd("STATUS \"Sch&APw-ler\" (MESSAGES UIDNEXT)").await;
    assert!(s.contains("MESSAGES 0"), "{s}");

    // From elsewhere without TLS: no plain-text login.
    let mut far = Client::connect(&store, false).await;
    let caps = far.cmd("CAPABILITY").await;
    assert!(
        caps.contains("LOGINDISABLED") && !caps.contains("AUTH=PLAIN"),
        "{caps}"
    );
    assert!(
        far.cmd("LOGIN lehrer@100000 pw")
            .await
            .contains("NO [PRIVACYREQUIRED]")
    );
}

/// A long answer is encoded while it is made (see `long.rs`): it still arrives whole and in
/// order, before the answers of the commands sent after it in the same packet.
#[tokio::test]
async fn long_answers_arrive_whole_and_in_order_when_pipelined() {
    let store = MemStore::new();
    let mut c = Client::connect(&store, true).await;
    c.login().await;
    let n = 700;
    for _ in 0..n {
        let r = c.append("INBOX", MAIL).await;
        assert!(r.contains("OK"), "{r}");
    }
    assert!(
        c.cmd("SELECT INBOX")
            .await
            .contains(&format!("* {n} EXISTS"))
    );
    c.send(
        b"p1 UID FETCH 1:* (FLAGS)\r\np2 FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\np3 NOOP\r\n",
    )
    .await;
    let mut seq = Vec::new();
    let mut tags = Vec::new();
    loop {
        let l = c.line().await;
        assert!(!l.is_empty(), "connection closed");
        if let Some(rest) = l.strip_prefix("* ")
            && let Some((num, _)) = rest.split_once(" FETCH ")
        {
            seq.push(num.parse::<usize>().expect("seq"));
        } else if l.starts_with('p') {
            assert!(l.contains(" OK "), "{l}");
            tags.push((l[..2].to_owned(), seq.len()));
            if l.starts_with("p3") {
                break;
            }
        }
    }
    assert_eq!(
        tags,
        [("p1".into(), n), ("p2".into(), 2 * n), ("p3".into(), 2 * n)]
    );
    let want: Vec<usize> = (1..=n).chain(1..=n).collect();
    assert_eq!(seq, want, "every message once, in order, per FETCH");
}

mod fuzz {
    use proptest::prelude::*;

    use super::*;

    const PIECES: &[&str] = &[
        "a LOGIN lehrer@100000 pw\r\n",
        "b SELECT INBOX\r\n",
        "c APPEND INBOX {5}\r\nhallo\r\n",
        "c APPEND INBOX {5+}\r\nhallo\r\n",
        "d FETCH 1:* (FLAGS BODY[] BODYSTRUCTURE ENVELOPE)\r\n",
        "e UID STORE 1:* +FLAGS (\\Deleted)\r\n",
        "f EXPUNGE\r\n",
        "g IDLE\r\n",
        "DONE\r\n",
        "h AUTHENTICATE PLAIN\r\n",
        "*\r\n",
        "i SEARCH OR TEXT x NOT UID 1:*\r\n",
        "j UID MOVE 1:* Trash\r\n",
        "k {99999999}\r\n",
        "l LIST \"\" *\r\n",
        "\r\n",
        "m STARTTLS\r\n",
    ];

    fn input() -> impl Strategy<Value = Vec<Vec<u8>>> {
        let piece = prop_oneof![
            (0..PIECES.len()).prop_map(|i| PIECES[i].as_bytes().to_vec()),
            proptest::collection::vec(any::<u8>(), 0..40),
        ];
        proptest::collection::vec(piece, 1..25)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn random_input_never_panics_the_session(chunks in input()) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                let store = MemStore::new();
                let (mut ours, theirs) = tokio::io::duplex(1 << 16);
                let session = tokio::spawn(run(store, theirs, peer(true)));
                let reader = tokio::spawn(async move {
                    let (mut r, mut w) = tokio::io::split(&mut ours);
                    for c in chunks {
                        if w.write_all(&c).await.is_err() {
                            break;
                        }
                    }
                    let _ = w.shutdown().await;
                    let mut sink = Vec::new();
                    let _ = tokio::time::timeout(Duration::from_secs(2), r.read_to_end(&mut sink)).await;
                });
                let _ = reader.await;
                let ended = tokio::time::timeout(Duration::from_secs(5), session).await;
                // The session ends (the client went away) and did not panic.
                if let Ok(joined) = ended {
                    assert!(joined.is_ok(), "session panicked");
                }
            });
        }
    }
}
