"""A mail program's session against the IMAP server: imapclient (and imaplib under it).

Usage: client.py PORT_A PORT_B USER PASSWORD
PORT_B may be another node on the same database: IDLE on A sees an APPEND made on B.
"""
import sys

from imapclient import imapclient as special
from imapclient import IMAPClient

port_a, port_b, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]


def connect(port):
    c = IMAPClient("127.0.0.1", port=port, ssl=False, timeout=20)
    c.login(user, password)
    return c


MSG = (
    b"From: Anna Lehrer <lehrer@100000.nrw.schule>\r\n"
    b"To: eltern@example.org\r\n"
    b"Subject: Wandertag am Freitag\r\n"
    b"Date: Thu, 3 Dec 2026 10:00:00 +0100\r\n"
    b"Message-ID: <wandertag-1@100000.nrw.schule>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Liebe Eltern,\r\nbitte an feste Schuhe denken. Gr\xc3\xbc\xc3\x9fe\r\n"
)

c = connect(port_a)
caps = c.capabilities()
for cap in [b"IDLE", b"UIDPLUS", b"MOVE", b"SPECIAL-USE", b"CONDSTORE", b"QUOTA",
            b"NAMESPACE", b"LITERAL+", b"ID", b"ENABLE"]:
    assert cap in caps, (cap, caps)
ident = c.id_({"name": "mail_imap test"})
assert (b"name", b"Schulhof") in list(ident), ident
ns = c.namespace()
assert ns.personal[0][1] == "/", ns

# SPECIAL-USE, and folder names with umlauts (modified UTF-7 on the wire).
assert c.find_special_folder(special.SENT) == "Sent"
assert c.find_special_folder(special.TRASH) == "Trash"
assert c.find_special_folder(special.DRAFTS) == "Drafts"
assert c.find_special_folder(special.JUNK) == "Junk"
assert c.find_special_folder(special.ARCHIVE) == "Archive"
c.create_folder("Schüler-Briefe")
assert "Schüler-Briefe" in [n for _, _, n in c.list_folders()], c.list_folders()
c.rename_folder("Schüler-Briefe", "Elternbriefe")
assert c.folder_status("Elternbriefe", ["MESSAGES"])[b"MESSAGES"] == 0

# SELECT with CONDSTORE, APPEND and FETCH back byte for byte.
c.enable("CONDSTORE")
sel = c.select_folder("INBOX")
assert b"HIGHESTMODSEQ" in sel and sel[b"UIDVALIDITY"] > 0, sel
r = c.append("INBOX", MSG, flags=[b"$Elternbrief"])
assert b"APPENDUID" in r, r
uid = int(r.split(b"APPENDUID ")[1].split(b"]")[0].split()[1])
c.noop()
got = c.fetch([uid], ["BODY.PEEK[]", "RFC822.SIZE", "FLAGS", "ENVELOPE", "BODYSTRUCTURE", "MODSEQ"])[uid]
assert got[b"BODY[]"] == MSG, got[b"BODY[]"]
assert got[b"RFC822.SIZE"] == len(MSG)
assert b"$Elternbrief" in got[b"FLAGS"] and b"\\Seen" not in got[b"FLAGS"], got[b"FLAGS"]
assert got[b"ENVELOPE"].subject == b"Wandertag am Freitag", got[b"ENVELOPE"]
assert got[b"BODYSTRUCTURE"][0].lower() == b"text", got[b"BODYSTRUCTURE"]
modseq = got[b"MODSEQ"][0]

# STORE and SEARCH; CONDSTORE sees the change.
c.add_flags([uid], [b"\\Flagged"])
assert uid in c.search(["FLAGGED"])
assert uid in c.search(["SUBJECT", "wandertag"])
assert uid in c.search(["TEXT", "feste Schuhe"])
assert uid in c.search(["UNSEEN", "SINCE", "1-Jan-2020"])
changed = c.fetch("1:*", ["FLAGS"], modifiers=["CHANGEDSINCE %d" % modseq])
assert uid in changed and b"\\Flagged" in changed[uid][b"FLAGS"], changed
body = c.fetch([uid], ["BODY[TEXT]"])[uid]
assert b"feste Schuhe" in body[b"BODY[TEXT]"]
assert b"\\Seen" in c.get_flags([uid])[uid], "BODY[] without PEEK sets \\Seen"

# COPY and MOVE answer with COPYUID.
typ, dat = c._imap._simple_command("UID", "COPY", str(uid), "Elternbriefe")
assert typ == "OK" and b"COPYUID" in dat[0], dat
c.move([uid], "Archive")
assert uid not in c.search(["ALL"])
c.select_folder("Archive")
archived = c.search(["SUBJECT", "wandertag"])
assert archived, "moved into Archive"

# EXPUNGE.
c.select_folder("Elternbriefe")
copies = c.search(["ALL"])
assert len(copies) == 1, copies
c.delete_messages(copies)
c.expunge()
assert c.search(["ALL"]) == []
c.unselect_folder()
c.delete_folder("Elternbriefe")

# QUOTA.
roots, quotas = c.get_quota_root("INBOX")
assert quotas and quotas[0].resource == "STORAGE" and quotas[0].limit > 0, quotas

# IDLE: another connection (perhaps on another node) delivers; EXISTS arrives.
c.select_folder("INBOX")
c.idle()
other = connect(port_b)
other.append("INBOX", MSG.replace(b"Wandertag", b"Elternabend"))
events = c.idle_check(timeout=15)
c.idle_done()
assert any(e[1] == b"EXISTS" for e in events), events
other.logout()
c.logout()
print("imap client: OK")
