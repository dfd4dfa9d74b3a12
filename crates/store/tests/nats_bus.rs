//! The event bus over NATS against a real `nats-server` (started by the test on a free
//! port): two nodes on one PostgreSQL hear each other's signals and not their own copy,
//! NOTIFY carries nothing meanwhile, and a node reconnects (and subscribes again) after
//! the server restarts. SQLite ignores NATS: one node, in-process.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use schulhof_store::events::{Bus, Carrier, Handler, NatsUrl};
use schulhof_store::testing::TestDb;

struct NatsServer {
    child: Child,
    port: u16,
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

async fn nats_on(port: u16) -> NatsServer {
    let bin = ["nats-server", "/usr/sbin/nats-server"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok())
        .expect("nats-server is installed (scripts/ensure-test-deps.sh installs it)");
    let child = Command::new(bin)
        .args(["-a", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nats-server");
    let server = NatsServer { child, port };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nats-server did not listen on {port}");
}

type Heard = Arc<Mutex<Vec<String>>>;

fn node(t: &TestDb, url: &NatsUrl) -> (Bus, Heard) {
    let bus = Bus::new(&t.db, Some(url.clone()));
    let heard: Heard = Arc::default();
    let h = heard.clone();
    let on: Handler = Box::new(move |p: &str| h.lock().expect("lock").push(p.to_owned()));
    bus.start(
        &tokio::runtime::Handle::current(),
        vec![("schulhof_test", on)],
    );
    (bus, heard)
}

async fn until_heard(heard: &Heard, want: &str) {
    for _ in 0..200 {
        if heard.lock().expect("lock").iter().any(|p| p == want) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{want:?} not heard: {:?}", heard.lock().expect("lock"));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_nodes_hear_each_other_over_nats_and_survive_a_restart() {
    let server = nats_on(free_port()).await;
    let url: NatsUrl = format!("nats://127.0.0.1:{}", server.port)
        .parse()
        .expect("url");
    let t = TestDb::postgres().await;
    let (a, heard_a) = node(&t, &url);
    let (b, heard_b) = node(&t, &url);
    assert_eq!(a.carrier(), Carrier::Nats);
    for n in [&a, &b] {
        assert!(n.ready(Duration::from_secs(10)).await, "connected");
    }

    // Inside a transaction nothing goes out (no NOTIFY); after the commit, NATS.
    let mut tx = t.db.begin().await.expect("tx");
    a.within(&mut tx, "schulhof_test", "eins")
        .await
        .expect("within");
    tx.commit().await.expect("commit");
    assert!(
        a.committed("schulhof_test", "eins"),
        "the caller tells its own"
    );
    until_heard(&heard_b, "eins").await;
    assert!(b.now("schulhof_test", "zwei").await);
    until_heard(&heard_a, "zwei").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        *heard_a.lock().expect("lock"),
        ["zwei"],
        "no echo, no NOTIFY"
    );
    assert_eq!(
        *heard_b.lock().expect("lock"),
        ["eins"],
        "no echo, no NOTIFY"
    );

    // Many signals in a burst arrive complete and in order.
    for i in 0..2000 {
        a.committed("schulhof_test", &format!("s{i}"));
    }
    until_heard(&heard_b, "s1999").await;
    let got: Vec<String> = heard_b.lock().expect("lock")[1..].to_vec();
    let want: Vec<String> = (0..2000).map(|i| format!("s{i}")).collect();
    assert_eq!(got, want);

    // The server restarts: both nodes reconnect and subscribe again.
    let port = server.port;
    drop(server);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _server = nats_on(port).await;
    for n in [&a, &b] {
        assert!(n.ready(Duration::from_secs(15)).await, "reconnected");
    }
    a.committed("schulhof_test", "nach dem Neustart");
    until_heard(&heard_b, "nach dem Neustart").await;
    t.db.close().await;
}

#[tokio::test]
async fn sqlite_has_one_node_and_ignores_nats() {
    let t = TestDb::sqlite().await;
    let url: NatsUrl = "nats://127.0.0.1:1".parse().expect("url");
    let bus = Bus::new(&t.db, Some(url));
    assert_eq!(bus.carrier(), Carrier::Local);
    assert!(bus.committed("schulhof_test", "x"));
    assert!(bus.ready(Duration::from_millis(10)).await);
}
