//! The NATS publisher's flush against a real `nats-server` (started by the test on a free
//! port): once `flushed` answers, the server holds every signal published before, so a
//! command-line run that ends right after (its connection task gone with the process)
//! loses none of them.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use schulhof_store::events::NatsUrl;
use schulhof_store::events::nats;

struct NatsServer(Child);

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn nats_server() -> (NatsServer, NatsUrl) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
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
    let server = NatsServer(child);
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            let url = format!("nats://127.0.0.1:{port}").parse().expect("url");
            return (server, url);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nats-server did not listen on {port}");
}

#[tokio::test(flavor = "multi_thread")]
async fn flushed_signals_survive_the_end_of_the_publishing_run() {
    let (_server, url) = nats_server().await;
    // Another node, listening.
    let heard = Arc::new(AtomicUsize::new(0));
    let (listener, pending) = nats::channel(url.clone());
    let h = heard.clone();
    let on = move |_: usize, _: &[u8]| {
        h.fetch_add(1, Ordering::SeqCst);
    };
    let listening = tokio::spawn(pending.run(vec!["schulhof.flush_test".into()], on));
    assert!(listener.ready(Duration::from_secs(10)).await, "subscribed");
    // A command-line run: publishes before its connection is even up, flushes, ends.
    const SIGNALS: usize = 500;
    let (publisher, pending) = nats::channel(url);
    for i in 0..SIGNALS {
        publisher.publish("schulhof.flush_test", &format!("room {i} changed"));
    }
    let connection = tokio::spawn(pending.run(Vec::new(), |_, _| {}));
    assert!(publisher.flushed(Duration::from_secs(10)).await, "flushed");
    connection.abort();
    for _ in 0..500 {
        if heard.load(Ordering::SeqCst) == SIGNALS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(heard.load(Ordering::SeqCst), SIGNALS);
    // Without a connection a flush cannot succeed; it says so within its limit.
    let (orphan, _never_run) = nats::channel("nats://127.0.0.1:1".parse().expect("url"));
    orphan.publish("schulhof.flush_test", "lost");
    assert!(!orphan.flushed(Duration::from_millis(200)).await);
    drop(listener);
    listening.abort();
}
