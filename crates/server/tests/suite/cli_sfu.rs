//! The conference media engine's settings of `schulhof serve`: flags with their environment
//! variables; a wrong value stops the start with the setting's name, a right one serves.

use crate::cli_support;
use cli_support::*;

#[test]
fn a_wrong_media_setting_stops_serve_and_names_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8 path");
    let listen = format!("127.0.0.1:{}", free_port());
    let serve = ["serve", "--listen", listen.as_str(), "--demo"];
    let flag = [&serve[..], &["--sfu-tcp-bind", "udp-only"]].concat();
    let out = run(&flag, &["--data", data], None);
    assert!(!out.status.success());
    let said = text(&out);
    assert!(
        said.contains("--sfu-tcp-bind") && said.contains("SCHULHOF_SFU_TCP_BIND"),
        "{said}"
    );
    assert!(said.contains("udp-only"), "{said}");
    // The environment variable alone is checked the same way.
    let out = bin()
        .args(["--data", data])
        .args(serve)
        .env("SCHULHOF_SFU_LAST_N", "0")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let said = text(&out);
    assert!(
        said.contains("--sfu-last-n (SCHULHOF_SFU_LAST_N)"),
        "{said}"
    );
    // Right values (flags, and a blank variable as unset): it serves.
    let server = bin()
        .args(["--data", data])
        .args(serve)
        .args([
            "--sfu-bind",
            "127.0.0.1:0",
            "--sfu-last-n",
            "4",
            "--node-id",
            "node-a",
        ])
        .env("SCHULHOF_SFU_PUBLIC_IP", "")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    let port: u16 = listen
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let server = Server(server, port);
    let mut up = false;
    for _ in 0..300 {
        if http(port, "GET", "/healthz", "").is_some_and(|(s, _)| s == 200) {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(up, "serves with right media settings");
    drop(server);
}
