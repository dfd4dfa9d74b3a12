//! QRESYNC (RFC 7162) with raw commands through Python's imaplib, on SQLite and PostgreSQL:
//! ENABLE QRESYNC, SELECT (QRESYNC …) answering VANISHED (EARLIER) and the changed flags,
//! VANISHED instead of EXPUNGE once enabled (own expunge and another session's), and
//! UID FETCH … (CHANGEDSINCE … VANISHED), which also names UIDs removed above the highest one
//! left; neither repeats UIDs removed at or before the client's MODSEQ.

use crate::common;
use std::process::Command;

use common::{DEMO_PW, TestApp};
use schulhof_store::testing::TestDb;
use serde_json::Value;

const CLIENT: &str = r#"
import imaplib, json, re, sys, time
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
n = [0]
def cmd(m, text, literal=None):
    n[0] += 1
    tag = f'Q{n[0]}'
    m.send(f'{tag} {text}\r\n'.encode())
    if literal is not None:
        m.send(literal + b'\r\n')
    lines = []
    while True:
        line = m.readline().decode().rstrip('\r\n')
        lines.append(line)
        if line.startswith(tag + ' '):
            return lines
def login():
    m = imaplib.IMAP4('127.0.0.1', port)
    cmd(m, f'LOGIN {user} {pw}')
    return m
out = {}
a = login()
out['caps'] = ' '.join(cmd(a, 'CAPABILITY'))
out['select_not_enabled'] = cmd(a, 'SELECT INBOX (QRESYNC (1 1))')[-1]
out['enable'] = cmd(a, 'ENABLE QRESYNC')
sel = cmd(a, 'SELECT INBOX')
validity = int(re.search(r'UIDVALIDITY (\d+)', ' '.join(sel)).group(1))
uids = []
for i in range(3):
    body = f'From: a@example.org\r\nSubject: q{i}\r\n\r\nx\r\n'.encode()
    r = cmd(a, f'APPEND INBOX {{{len(body)}+}}', body)
    uids.append(int(re.search(r'APPENDUID \d+ (\d+)', r[-1]).group(1)))
cmd(a, 'NOOP')
status = ' '.join(cmd(a, 'STATUS INBOX (HIGHESTMODSEQ)'))
m0 = int(re.search(r'HIGHESTMODSEQ (\d+)', status).group(1))
u1, u2, u3 = uids
cmd(a, f'UID STORE {u2} +FLAGS.SILENT (\\Flagged)')
cmd(a, f'UID STORE {u1} +FLAGS.SILENT (\\Deleted)')
out['expunge'] = cmd(a, f'UID EXPUNGE {u1}')
out['uids'] = uids
out['m0'] = m0
# A client coming back with what it knew.
b = login()
cmd(b, 'ENABLE QRESYNC')
out['resync'] = cmd(b, f'SELECT INBOX (QRESYNC ({validity} {m0} {u1}:{u3}))')

out['fetch_vanished'] = cmd(b, f'UID FETCH 1:* (FLAGS) (CHANGEDSINCE {m0} VANISHED)')
out['vanished_without_changedsince'] = cmd(b, 'UID FETCH 1:* (FLAGS) (VANISHED)')[-1]
# Another session removes a message: the idle one hears VANISHED, not EXPUNGE.
cmd(a, f'UID STORE {u3} +FLAGS.SILENT (\\Deleted)')
cmd(a, f'UID EXPUNGE {u3}')
# The change reaches b's node as an event (on PostgreSQL through NOTIFY), which may come a
# moment after a's answer: a client polls with NOOP, and so does this script.
live = []
for _ in range(50):
    live += cmd(b, 'NOOP')
    if any('VANISHED' in l for l in live):
        break
    time.sleep(0.1)
out['live'] = live
c = login()
cmd(c, 'ENABLE QRESYNC')
out['wrong_validity'] = cmd(c, f'SELECT INBOX (QRESYNC ({validity + 1} {m0} {u1}:{u3}))')
# Removals above the highest UID still there, and removals the client knew of already.
d = login()
cmd(d, 'ENABLE QRESYNC')
cmd(d, 'SELECT INBOX')
more = []
for i in range(3):
    body = f'From: a@example.org\r\nSubject: v{i}\r\n\r\nx\r\n'.encode()
    r = cmd(d, f'APPEND INBOX {{{len(body)}+}}', body)
    more.append(int(re.search(r'APPENDUID \d+ (\d+)', r[-1]).group(1)))
v1, v2, v3 = more
cmd(d, f'UID STORE {v1} +FLAGS.SILENT (\\Deleted)')
cmd(d, f'UID EXPUNGE {v1}')
status = ' '.join(cmd(d, 'STATUS INBOX (HIGHESTMODSEQ)'))
m1 = int(re.search(r'HIGHESTMODSEQ (\d+)', status).group(1))
cmd(d, f'UID STORE {v3} +FLAGS.SILENT (\\Deleted)')
cmd(d, f'UID EXPUNGE {v3}')
out['more'] = more
out['top_gone'] = cmd(d, f'UID FETCH 1:* (FLAGS) (CHANGEDSINCE {m1} VANISHED)')
e = login()
cmd(e, 'ENABLE QRESYNC')
out['known_gone'] = cmd(e, f'SELECT INBOX (QRESYNC ({validity} {m1} {v1}:{v3}))')
print(json.dumps(out))
"#;

fn python() -> String {
    std::env::var("SCHULHOF_PYTHON").unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into())
}

async fn scenario(db: TestDb) {
    let app = TestApp::new(db.db.clone()).await;
    app.ready("lehrer").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(schulhof_imap::serve(listener, app.platform.clone(), None));
    let mut py = Command::new(python());
    py.args(["-c", CLIENT, &port.to_string(), "lehrer@100000", DEMO_PW]);
    let out = tokio::task::spawn_blocking(move || py.output())
        .await
        .expect("join")
        .expect("python");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_str(text.trim()).expect(&text);
    let lines = |k: &str| -> Vec<String> {
        r[k].as_array()
            .expect(k)
            .iter()
            .map(|v| v.as_str().unwrap_or("").to_owned())
            .collect()
    };
    let uid = |i: usize| r["uids"][i].as_u64().expect("uid");
    let (u1, u2, u3) = (uid(0), uid(1), uid(2));
    assert!(
        r["caps"].as_str().is_some_and(|c| c.contains("QRESYNC")),
        "{r}"
    );
    assert!(
        r["select_not_enabled"]
            .as_str()
            .is_some_and(|s| s.contains(" BAD ")),
        "{r}"
    );
    assert!(
        lines("enable").iter().any(|l| l == "* ENABLED QRESYNC"),
        "{r}"
    );
    // The own expunge: VANISHED, no EXPUNGE.
    let ex = lines("expunge");
    assert!(
        ex.iter().any(|l| *l == format!("* VANISHED {u1}")),
        "{ex:?}"
    );
    assert!(!ex.iter().any(|l| l.ends_with(" EXPUNGE")), "{ex:?}");
    // SELECT (QRESYNC …): what vanished among the known UIDs, then what changed.
    let rs = lines("resync");
    let v = rs
        .iter()
        .position(|l| *l == format!("* VANISHED (EARLIER) {u1}"))
        .unwrap_or_else(|| panic!("{rs:?}"));
    let f = rs
        .iter()
        .position(|l| {
            l.contains(&format!("UID {u2} ")) && l.contains("\\Flagged") && l.contains("MODSEQ")
        })
        .unwrap_or_else(|| panic!("{rs:?}"));
    assert!(v < f, "{rs:?}");
    assert!(
        !rs.iter().any(|l| l.contains(&format!("UID {u3} "))),
        "unchanged: {rs:?}"
    );
    assert!(
        rs.last().is_some_and(|l| l.contains("OK [READ-WRITE]")),
        "{rs:?}"
    );
    // UID FETCH … (CHANGEDSINCE m0 VANISHED).
    let fv = lines("fetch_vanished");
    assert!(
        fv.iter()
            .any(|l| l.starts_with("* VANISHED (EARLIER) ") && l.contains(&u1.to_string())),
        "{fv:?}"
    );
    assert!(
        fv.iter().any(|l| l.contains(&format!("UID {u2} "))),
        "{fv:?}"
    );
    assert!(
        !fv.iter().any(|l| l.contains(&format!("UID {u3} "))),
        "{fv:?}"
    );
    assert!(
        r["vanished_without_changedsince"]
            .as_str()
            .is_some_and(|s| s.contains(" BAD ")),
        "{r}"
    );
    // Another session's expunge, reported to the QRESYNC session.
    let live = lines("live");
    assert!(
        live.iter().any(|l| *l == format!("* VANISHED {u3}")),
        "{live:?}"
    );
    assert!(!live.iter().any(|l| l.ends_with(" EXPUNGE")), "{live:?}");
    // A stale UIDVALIDITY: a plain SELECT, nothing about vanished or changed messages.
    let wv = lines("wrong_validity");
    assert!(!wv.iter().any(|l| l.contains("VANISHED")), "{wv:?}");
    assert!(!wv.iter().any(|l| l.contains("FETCH")), "{wv:?}");
    // `UID FETCH 1:* … VANISHED` names a UID removed above the highest one still there, and
    // leaves out those removed at or before the client's MODSEQ (v1, and u1/u3 long before).
    let v = |i: usize| r["more"][i].as_u64().expect("uid");
    let top = lines("top_gone");
    let vanished: Vec<&String> = top.iter().filter(|l| l.contains("VANISHED")).collect();
    assert_eq!(
        vanished,
        [&format!("* VANISHED (EARLIER) {}", v(2))],
        "{top:?}"
    );
    // SELECT (QRESYNC …) with v1:v3 known at that MODSEQ: only v3 vanished since.
    let kg = lines("known_gone");
    let vanished: Vec<&String> = kg.iter().filter(|l| l.contains("VANISHED")).collect();
    assert_eq!(
        vanished,
        [&format!("* VANISHED (EARLIER) {}", v(2))],
        "{kg:?}"
    );
    assert!(
        !kg.iter().any(|l| l.contains(&format!("UID {} ", v(1)))),
        "{kg:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn qresync_sqlite() {
    scenario(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn qresync_postgres() {
    scenario(TestDb::postgres().await).await;
}
