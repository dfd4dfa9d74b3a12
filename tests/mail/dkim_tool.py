"""dkimpy as a third-party DKIM implementation for crates/domain/tests/mail_auth.rs.

verify MESSAGE_FILE TXT_RECORD  -> exit 0 if dkimpy verifies the first signature against
                                   the record (given instead of DNS), else 1.
sign MESSAGE_FILE KEY_PEM_FILE DOMAIN SELECTOR -> prints the signed message to stdout.
"""
import sys

import dkim


def main():
    cmd = sys.argv[1]
    with open(sys.argv[2], "rb") as f:
        msg = f.read()
    if cmd == "verify":
        record = sys.argv[3].encode()
        ok = dkim.verify(msg, dnsfunc=lambda name, timeout=5: record)
        sys.exit(0 if ok else 1)
    if cmd == "sign":
        with open(sys.argv[3], "rb") as f:
            key = f.read()
        sig = dkim.sign(msg, sys.argv[5].encode(), sys.argv[4].encode(), key,
                        canonicalize=(b"relaxed", b"relaxed"),
                        include_headers=[b"from", b"to", b"subject"])
        sys.stdout.buffer.write(sig + msg)
        return
    sys.exit(2)


main()
