"""A real SMTP server on loopback for the mail tests: the smarthost or remote MX.

Usage: python smtp_sink.py DIR [--rcpt-answer "550 5.1.1 no such user"]

Listens on 127.0.0.1 on a free port and prints "PORT <n>" once it accepts connections.
Every message it takes is written to DIR as <n>.eml (the DATA exactly as received) and
<n>.json (envelope sender and recipients). With --rcpt-answer, every RCPT TO gets that
answer instead of 250 (a 4xx or 5xx to test retries and bounces).
"""

import argparse
import asyncio
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory, rcpt_answer):
        self.directory = directory
        self.rcpt_answer = rcpt_answer
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_answer:
            return self.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        # Written under a temporary name first: a reader never sees half a message.
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json.tmp", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        os.rename(base + ".eml.tmp", base + ".eml")
        os.rename(base + ".json.tmp", base + ".json")
        return "250 OK stored"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--rcpt-answer", default="")
    args = parser.parse_args()
    handler = Sink(args.directory, args.rcpt_answer)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, decode_data=False, enable_SMTPUTF8=True, hostname="sink.test"),
        host="127.0.0.1",
        port=0,
    )
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    # Ends when the test closes our standard input (or kills us).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
