"""A real IMAP client (Python's imaplib) against delegated mailboxes.

usage: client.py PORT PASSWORD STEP
  holder   lehrer holds the confidential mailbox `lehrerrat` (read and write)
  reader   personal was given lehrer's mailbox for reading only
  revoked  personal's delegation was taken back
Prints "delegation client: OK" when every check held.
"""

import imaplib
import sys

PORT, PW, STEP = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def conn(user):
    c = imaplib.IMAP4("127.0.0.1", PORT)
    c.login(user, PW)
    return c


def listed(c):
    typ, data = c.list('""', "*")
    assert typ == "OK", data
    return "\n".join(d.decode() for d in data if d)


def other_namespace(c):
    typ, data = c.namespace()
    assert typ == "OK", data
    text = data[0].decode()
    assert '(("Andere/" "/"))' in text, text
    return text


def holder():
    c = conn("lehrer@100000")
    other_namespace(c)
    names = listed(c)
    assert "Andere/lehrerrat/INBOX" in names, names
    parents = [l for l in names.splitlines() if l.rstrip('"').endswith(" Andere") or l.endswith('"Andere"')]
    assert parents and "\\Noselect" in parents[0], names
    typ, data = c.select("Andere/lehrerrat/INBOX")
    assert typ == "OK", data
    typ, data = c.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK" and b"Sitzung des Lehrerrats" in data[0][1], data
    typ, data = c.store("1", "+FLAGS", "\\Flagged")
    assert typ == "OK", data
    c.logout()


def reader():
    c = conn("personal@100000")
    other_namespace(c)
    names = listed(c)
    assert "Andere/lehrer/INBOX" in names, names
    # One level only: what lehrer was given is not passed on.
    assert "lehrerrat" not in names, names
    try:
        c.select("Andere/lehrer/INBOX")
        raise AssertionError("a read-only delegation selected read-write")
    except imaplib.IMAP4.readonly:
        pass  # the server answered [READ-ONLY]
    # Ask the server itself (imaplib would refuse locally on a read-only mailbox).
    c.untagged_responses.pop("READ-ONLY", None)
    c.is_readonly = False
    typ, data = c.store("1", "+FLAGS", "\\Deleted")
    assert typ == "NO", (typ, data)
    typ, data = c.append("Andere/lehrer/INBOX", None, None, b"Subject: x\r\n\r\ny\r\n")
    assert typ == "NO", (typ, data)
    typ, data = c.select("Andere/lehrerrat/INBOX")
    assert typ == "NO", (typ, data)
    c.logout()


def revoked():
    c = conn("personal@100000")
    names = listed(c)
    assert "Andere/" not in names, names
    typ, data = c.select("Andere/lehrer/INBOX")
    assert typ == "NO", (typ, data)
    c.logout()


{"holder": holder, "reader": reader, "revoked": revoked}[STEP]()
print("delegation client: OK")
