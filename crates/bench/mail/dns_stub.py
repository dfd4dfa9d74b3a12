#!/usr/bin/env python3
"""A name server for the mail benchmarks: answers TXT queries from a fixed table over UDP on
loopback, "no such name" for everything else (A, MX, PTR, ...), so the inbound checks of
`schulhof serve --dns-server` (SPF, DKIM, DMARC) finish at once instead of waiting for the
internet. The same idea as crates/server/tests/mail_dmarc/dns.rs.

  dns_stub.py --port 5353 [--txt NAME=TEXT ...]

Default table: SPF for example.org allowing 127.0.0.1 and a DMARC record (p=none), the
sender domain of imap_load.py's messages. Runs until killed.
"""

import argparse
import socket
import struct

DEFAULT = [
    ("example.org", "v=spf1 ip4:127.0.0.1 -all"),
    ("_dmarc.example.org", "v=DMARC1; p=none"),
]


def answer(q, table):
    """The response to one query, or None for something that is not one."""
    if len(q) < 12:
        return None
    at, labels = 12, []
    while True:
        if at >= len(q):
            return None
        n = q[at]
        at += 1
        if n == 0:
            break
        labels.append(q[at:at + n].decode("ascii", "replace").lower())
        at += n
    if at + 4 > len(q):
        return None
    qtype = struct.unpack(">H", q[at:at + 2])[0]
    question = q[12:at + 4]
    name = ".".join(labels)
    known = name in table
    txts = table.get(name, []) if qtype == 16 else []
    head = q[0:2] + bytes([0x80 | (q[2] & 0x01), 0x80 | (0 if known else 3)])
    head += struct.pack(">HHHH", 1, len(txts), 0, 0)
    body = b""
    for t in txts:
        raw = t.encode()
        rdata = b"".join(bytes([len(c)]) + c for c in (raw[i:i + 255] for i in range(0, len(raw), 255)))
        body += b"\xc0\x0c" + struct.pack(">HHIH", 16, 1, 60, len(rdata)) + rdata
    return head + question + body


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--port", type=int, default=5353)
    p.add_argument("--txt", action="append", default=[], help="NAME=TEXT (repeatable)")
    args = p.parse_args()
    table = {}
    for name, txt in DEFAULT + [tuple(x.split("=", 1)) for x in args.txt]:
        table.setdefault(name.rstrip(".").lower(), []).append(txt)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", args.port))
    while True:
        q, peer = s.recvfrom(1500)
        r = answer(q, table)
        if r is not None:
            s.sendto(r, peer)


if __name__ == "__main__":
    main()
