//! A name server for the test: answers TXT queries from a fixed table over UDP, "no such
//! name" for everything else. Enough for SPF (`ip4:` mechanisms only) and DMARC.

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};

/// Starts the server on a loopback port; it runs until the test process ends.
pub fn start(records: &[(&str, &str)]) -> SocketAddr {
    let mut table: HashMap<String, Vec<String>> = HashMap::new();
    for (name, txt) in records {
        table
            .entry(name.trim_end_matches('.').to_ascii_lowercase())
            .or_default()
            .push((*txt).to_owned());
    }
    let socket = UdpSocket::bind("127.0.0.1:0").expect("udp");
    let addr = socket.local_addr().expect("addr");
    std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        loop {
            let Ok((n, from)) = socket.recv_from(&mut buf) else {
                return;
            };
            if let Some(answer) = answer(&buf[..n], &table) {
                let _ = socket.send_to(&answer, from);
            }
        }
    });
    addr
}

/// The response to one query, or `None` for something that is not one.
fn answer(q: &[u8], table: &HashMap<String, Vec<String>>) -> Option<Vec<u8>> {
    if q.len() < 12 {
        return None;
    }
    // The question: labels up to the root, then type and class.
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let len = *q.get(at)? as usize;
        at += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(q.get(at..at + len)?).to_ascii_lowercase());
        at += len;
    }
    let qtype = u16::from_be_bytes([*q.get(at)?, *q.get(at + 1)?]);
    let question = &q[12..at + 4];
    let name = labels.join(".");
    let txts: &[String] = match (table.get(&name), qtype) {
        (Some(t), 16) => t,
        _ => &[],
    };
    let rcode: u8 = if table.contains_key(&name) { 0 } else { 3 };
    let mut r = Vec::with_capacity(512);
    r.extend_from_slice(&q[0..2]);
    // QR, opcode 0, RD copied; RA; the response code.
    r.push(0x80 | (q[2] & 0x01));
    r.push(0x80 | rcode);
    r.extend_from_slice(&[0, 1]);
    r.extend_from_slice(&(txts.len() as u16).to_be_bytes());
    r.extend_from_slice(&[0, 0, 0, 0]);
    r.extend_from_slice(question);
    for t in txts {
        let mut rdata = Vec::new();
        for chunk in t.as_bytes().chunks(255) {
            rdata.push(chunk.len() as u8);
            rdata.extend_from_slice(chunk);
        }
        // Name: a pointer to the question's name at offset 12.
        r.extend_from_slice(&[0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0, 60]);
        r.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        r.extend_from_slice(&rdata);
    }
    Some(r)
}
