#!/usr/bin/env python3
"""One client script for the mail benchmarks, run unchanged against Schulhof and Dovecot.

Subcommands (all print a human summary and, with --json FILE, write the figures):

  accounts-schulhof  create N teacher accounts in the demo school through the JSON API and
                     write an accounts file (IMAP login, password, mail address)
  accounts-file      write an accounts file for a list of plain users (Dovecot passwd-file)
  imap               N concurrent IMAP clients (one process each), every one in its own
                     mailbox (or shared when there are fewer accounts than clients), loop of
                     SELECT / UID FETCH (FLAGS ENVELOPE BODY.PEEK[]) / UID STORE / SEARCH /
                     APPEND / UID STORE \\Deleted / EXPUNGE for a fixed time: commands per second
  deliver            the same message delivered over SMTP or LMTP by C concurrent connections,
                     R recipients per transaction: mailbox deliveries per second; with
                     --proto submission each connection logs in as an account and sends
                     from its address to R other accounts
  idle-hold          K connections logged in, INBOX selected, in IDLE; RSS of the server
                     process(es) before and while they are held
  idle-latency       one client in IDLE, another delivers; time until "* n EXISTS" arrives

Only the standard library: imaplib, smtplib, multiprocessing, asyncio.
"""

import argparse
import asyncio
import imaplib
import json
import multiprocessing as mp
import os
import random
import re
import resource
import smtplib
import socket
import statistics
import threading
import time
import urllib.request

APPENDUID = re.compile(rb"APPENDUID \d+ (\d+)")


# ---------------------------------------------------------------- helpers

def message(i, size=3000, to="bench@example.org", sender="absender@example.org"):
    """A small plain-text message of about `size` bytes (CRLF line ends)."""
    line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n"
    body = line * max(1, size // len(line))
    head = (
        f"From: Bench Absender <{sender}>\r\nTo: <{to}>\r\n"
        f"Subject: Bench-Nachricht {i}\r\n"
        f"Date: Thu, 03 Dec 2026 10:00:00 +0100\r\n"
        f"Message-ID: <bench-{i}-{os.getpid()}-{time.monotonic_ns():x}@example.org>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    return (head + body).encode()


def pct(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def lat_summary(xs):
    ms = [x * 1000 for x in xs]
    return {
        "count": len(ms),
        "p50_ms": round(pct(ms, 50), 2),
        "p90_ms": round(pct(ms, 90), 2),
        "p99_ms": round(pct(ms, 99), 2),
        "max_ms": round(max(ms), 2) if ms else 0.0,
        "mean_ms": round(statistics.fmean(ms), 2) if ms else 0.0,
    }


def load_accounts(path):
    with open(path) as f:
        return json.load(f)


def emit(args, result):
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


def cpu_times():
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


def cores_busy(before, after):
    busy = after[0] - before[0]
    total = after[1] - before[1]
    return round(os.cpu_count() * busy / total, 2) if total else 0.0


def tree(pids):
    """The given processes and all their descendants."""
    seen, todo = [], list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.append(pid)
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except FileNotFoundError:
            pass
    return seen


def cpu_seconds(pids):
    """User + system CPU seconds used so far by these processes and their descendants."""
    total = 0
    for pid in tree(pids):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            # Own time plus that of reaped children (Dovecot's short-lived processes).
            total += sum(int(x) for x in fields[11:15])
        except (FileNotFoundError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


class Meter:
    """Cores used over a window: the whole machine, the server (--pid) and this client."""

    def __init__(self, server_pids):
        self.server = [int(p) for p in server_pids or []]
        self.t = time.monotonic()
        self.machine = cpu_times()
        self.srv = cpu_seconds(self.server) if self.server else 0.0
        self.me = cpu_seconds([os.getpid()])

    def stop(self):
        """The machine's and the server's share; the client's follows in `client`."""
        self.secs = time.monotonic() - self.t
        out = {"machine_cores_busy": cores_busy(self.machine, cpu_times())}
        if self.server:
            out["server_cores"] = round((cpu_seconds(self.server) - self.srv) / self.secs, 2)
        return out

    def client(self, out):
        """After the workers are joined (their time is then in our children's counters)."""
        out["client_cores"] = round((cpu_seconds([os.getpid()]) - self.me) / self.secs, 2)
        out["other_cores"] = round(
            out["machine_cores_busy"] - out["client_cores"] - out.get("server_cores", 0), 2)


def rss_mib(pids):
    """VmRSS summed over the given processes and all their descendants, in MiB."""
    total, procs = 0, tree(pids)
    for pid in procs:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return round(total / 1024, 1), len(procs)


# ---------------------------------------------------------------- accounts

def http_json(opener, base, path, body):
    req = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), method="POST",
        headers={"content-type": "application/json", "origin": base},
    )
    with opener.open(req) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def web_session(base, school, login, password):
    """A logged-in opener whose user has accepted the terms (mail programs need that too)."""
    import http.cookiejar
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    http_json(opener, base, "/api/v1/session",
              {"instance": school, "login": login, "password": password})
    http_json(opener, base, "/api/v1/consent", {"terms": True, "privacy": True})
    return opener


def cmd_accounts_schulhof(args):
    base = args.http.rstrip("/")
    admin = web_session(base, args.school, "admin", args.admin_password)
    out = []
    for i in range(args.count):
        login = f"{args.prefix}{i:02d}"
        created = http_json(admin, base, "/api/v1/users", {
            "first_name": "Mail", "last_name": f"Last{i:02d}", "account_type": "lehrer",
            "login": login, "password": args.password, "groups": [],
        })
        web_session(base, args.school, login, args.password)
        out.append({"user": f"{login}@{args.school}", "password": args.password,
                    "rcpt": created["mail"]})
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
    print(f"{len(out)} accounts written to {args.out}")


def cmd_accounts_file(args):
    out = [{"user": u, "password": args.password, "rcpt": u if not args.domain else f"{u}@{args.domain}"}
           for u in args.users]
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)


# ---------------------------------------------------------------- imap load

def imap_client(idx, args, accounts, barrier, results):
    acc = accounts[idx % len(accounts)]
    rnd = random.Random(idx)
    m = imaplib.IMAP4(args.host, args.port)
    m.login(acc["user"], acc["password"])
    typ, data = m.select(args.mailbox)
    exists = int(data[0])
    # Seeding is shared work when accounts are shared: only the first client per account.
    if idx < len(accounts):
        for i in range(exists, args.seed):
            m.append(args.mailbox, None, None, message(i, args.size))
    barrier.wait()
    m.select(args.mailbox)
    typ, data = m.uid("SEARCH", None, "ALL")
    seeds = [int(u) for u in data[0].split()][: args.seed]
    counts, lats, errors = {}, {}, {}
    warm_until = time.monotonic() + args.warmup
    stop_at = warm_until + args.duration
    seen_flag = False
    n = 0

    def run(name, fn):
        t = time.perf_counter()
        try:
            typ, data = fn()
        except imaplib.IMAP4.error as e:
            typ, data = "ERR", [str(e).encode()]
        dt = time.perf_counter() - t
        if time.monotonic() >= warm_until:
            if typ == "OK":
                counts[name] = counts.get(name, 0) + 1
                lats.setdefault(name, []).append(dt)
            else:
                errors[name] = errors.get(name, 0) + 1
        return typ, data

    while time.monotonic() < stop_at:
        n += 1
        uid = str(rnd.choice(seeds))
        run("SELECT", lambda: m.select(args.mailbox))
        run("FETCH", lambda: m.uid("FETCH", uid, "(FLAGS ENVELOPE BODY.PEEK[])"))
        seen_flag = not seen_flag
        op = "+FLAGS" if seen_flag else "-FLAGS"
        run("STORE", lambda: m.uid("STORE", uid, op, "(\\Seen)"))
        run("SEARCH", lambda: m.search(None, args.search))
        typ, data = run("APPEND", lambda: m.append(
            args.mailbox, None, None, message(100000 + idx * 100000 + n, args.size)))
        got = APPENDUID.search(data[0] or b"") if typ == "OK" and data else None
        if got:
            new = got.group(1).decode()
            run("STORE", lambda: m.uid("STORE", new, "+FLAGS.SILENT", "(\\Deleted)"))
            run("EXPUNGE", lambda: m.expunge())
    try:
        m.logout()
    except Exception:
        pass
    results.put({"counts": counts, "lats": lats, "errors": errors})


def cmd_imap(args):
    accounts = load_accounts(args.accounts)
    barrier = mp.Barrier(args.clients + 1)
    results = mp.Queue()
    procs = [mp.Process(target=imap_client, args=(i, args, accounts, barrier, results))
             for i in range(args.clients)]
    for p in procs:
        p.start()
    barrier.wait(timeout=600)
    time.sleep(args.warmup)
    meter = Meter(args.pid)
    time.sleep(args.duration)
    cpu = meter.stop()
    got = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join()
    meter.client(cpu)
    counts, lats, errors = {}, {}, {}
    for g in got:
        for k, v in g["counts"].items():
            counts[k] = counts.get(k, 0) + v
        for k, v in g["lats"].items():
            lats.setdefault(k, []).extend(v)
        for k, v in g["errors"].items():
            errors[k] = errors.get(k, 0) + v
    total = sum(counts.values())
    result = {
        "scenario": "imap", "label": args.label, "clients": args.clients,
        "accounts": len(accounts), "seed": args.seed, "search": args.search,
        "duration_s": args.duration,
        "commands_per_s": round(total / args.duration, 1),
        "commands": counts, "errors": errors, "cpu": cpu,
        "server_cpu_ms_per_command": round(
            1000 * cpu.get("server_cores", 0) * args.duration / max(total, 1), 3),
        "latency": {k: lat_summary(v) for k, v in sorted(lats.items())},
    }
    emit(args, result)


# ---------------------------------------------------------------- delivery

def deliver_worker(idx, args, accounts, barrier, results):
    rnd = random.Random(idx)
    cls = smtplib.LMTP if args.proto == "lmtp" else smtplib.SMTP
    # Submission: each connection logs in as one account and sends as it (plain AUTH on
    # loopback, as the server allows there without TLS).
    me = accounts[idx % len(accounts)]
    sender = me["rcpt"] if args.proto == "submission" else args.sender

    def connect():
        c = cls(args.host, args.port, local_hostname="bench.example.org", timeout=60)
        c.ehlo_or_helo_if_needed()
        if args.proto == "submission":
            c.login(me["user"], me["password"])
        return c

    s = connect()
    body = message(idx, args.size, to="klasse@example.org", sender=sender)
    barrier.wait()
    warm_until = time.monotonic() + args.warmup
    stop_at = warm_until + args.duration
    delivered, lats, errors = 0, [], 0
    while time.monotonic() < stop_at:
        rcpts = [a["rcpt"] for a in rnd.sample(accounts, args.rcpts)]
        t = time.perf_counter()
        ok = 0
        try:
            code, _ = s.mail(sender)
            good = [r for r in rcpts if s.rcpt(r)[0] in (250, 251)]
            if code == 250 and good:
                code, _ = s.data(body)
                ok += code == 250
                # LMTP answers DATA once per accepted recipient (smtplib reads only one).
                if args.proto == "lmtp":
                    for _ in good[1:]:
                        ok += s.getreply()[0] == 250
                else:
                    ok = len(good) if code == 250 else 0
            else:
                s.rset()
        except smtplib.SMTPException:
            s.close()
            s = connect()
        dt = time.perf_counter() - t
        if time.monotonic() >= warm_until:
            delivered += ok
            errors += len(rcpts) - ok
            lats.append(dt)
    try:
        s.quit()
    except Exception:
        pass
    results.put({"delivered": delivered, "lats": lats, "errors": errors})


def cmd_deliver(args):
    accounts = load_accounts(args.accounts)
    barrier = mp.Barrier(args.clients + 1)
    results = mp.Queue()
    procs = [mp.Process(target=deliver_worker, args=(i, args, accounts, barrier, results))
             for i in range(args.clients)]
    for p in procs:
        p.start()
    barrier.wait(timeout=120)
    time.sleep(args.warmup)
    meter = Meter(args.pid)
    time.sleep(args.duration)
    cpu = meter.stop()
    got = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join()
    meter.client(cpu)
    delivered = sum(g["delivered"] for g in got)
    lats = [x for g in got for x in g["lats"]]
    result = {
        "scenario": "deliver", "label": args.label, "proto": args.proto,
        "connections": args.clients, "rcpts_per_message": args.rcpts,
        "message_bytes": len(message(0, args.size)), "duration_s": args.duration,
        "mailbox_deliveries_per_s": round(delivered / args.duration, 1),
        "transactions_per_s": round(len(lats) / args.duration, 1),
        "failed_rcpts": sum(g["errors"] for g in got), "cpu": cpu,
        "server_cpu_ms_per_delivery": round(
            1000 * cpu.get("server_cores", 0) * args.duration / max(delivered, 1), 3),
        "transaction_latency": lat_summary(lats),
    }
    emit(args, result)


# ---------------------------------------------------------------- idle

async def read_tagged(reader, tag):
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("closed")
        if line.startswith(tag + b" "):
            if not line.startswith(tag + b" OK"):
                raise RuntimeError(line.decode(errors="replace").strip())
            return


async def one_idle(args, acc, sem, held):
    async with sem:
        reader, writer = await asyncio.open_connection(args.host, args.port, limit=1 << 20)
        await reader.readline()
        writer.write(f'a LOGIN "{acc["user"]}" "{acc["password"]}"\r\n'.encode())
        await read_tagged(reader, b"a")
        writer.write(b"b SELECT INBOX\r\n")
        await read_tagged(reader, b"b")
        writer.write(b"c IDLE\r\n")
        while True:
            line = await reader.readline()
            if not line:
                raise ConnectionError("closed during IDLE")
            if line.startswith(b"+"):
                break
    held.append((reader, writer))


async def idle_hold(args):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.connections + 1000), hard))
    accounts = load_accounts(args.accounts)
    pids = [int(p) for p in args.pid]
    before, procs_before = rss_mib(pids)
    sem = asyncio.Semaphore(args.parallel)
    held = []
    t0 = time.monotonic()
    outcomes = await asyncio.gather(
        *(one_idle(args, accounts[i % len(accounts)], sem, held) for i in range(args.connections)),
        return_exceptions=True,
    )
    setup_s = time.monotonic() - t0
    failed = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    await asyncio.sleep(args.hold)
    during, procs_during = rss_mib(pids)
    # Still alive? One NOOP-free check: nothing should have been closed by the server.
    closed = sum(1 for r, _ in held if r.at_eof())
    for _, w in held:
        w.write(b"DONE\r\nz LOGOUT\r\n")
    await asyncio.sleep(1)
    for _, w in held:
        w.close()
    await asyncio.sleep(args.settle)
    after, _ = rss_mib(pids)
    return {
        "scenario": "idle-hold", "label": args.label, "connections": args.connections,
        "held": len(held), "failed": len(failed), "failures": failed[:5],
        "closed_by_server": closed, "setup_s": round(setup_s, 1),
        "rss_before_mib": before, "rss_during_mib": during, "rss_after_mib": after,
        "processes_before": procs_before, "processes_during": procs_during,
        "rss_growth_mib": round(during - before, 1),
    }


def cmd_idle_hold(args):
    emit(args, asyncio.run(idle_hold(args)))


class IdleWatcher(threading.Thread):
    """Reads one IDLE connection and timestamps every "* n EXISTS"."""

    def __init__(self, file):
        super().__init__(daemon=True)
        self.file = file
        self.cond = threading.Condition()
        self.exists = []

    def run(self):
        for line in self.file:
            if line.startswith(b"* ") and line.rstrip().endswith(b" EXISTS"):
                now = time.perf_counter()
                with self.cond:
                    self.exists.append((now, int(line.split()[1])))
                    self.cond.notify_all()

    def wait_for(self, count, timeout):
        deadline = time.perf_counter() + timeout
        with self.cond:
            while not self.exists or self.exists[-1][1] < count:
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.exists[-1][0]


def cmd_idle_latency(args):
    acc = load_accounts(args.accounts)[0]
    sock = socket.create_connection((args.host, args.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = sock.makefile("rb")
    f.readline()

    def command(line, tag):
        sock.sendall(line)
        exists = 0
        while True:
            got = f.readline()
            if got.rstrip().endswith(b" EXISTS"):
                exists = int(got.split()[1])
            if got.startswith(tag):
                return exists

    command(f'a LOGIN "{acc["user"]}" "{acc["password"]}"\r\n'.encode(), b"a ")
    exists = command(b"b SELECT INBOX\r\n", b"b ")
    sock.sendall(b"c IDLE\r\n")
    while not f.readline().startswith(b"+"):
        pass
    watcher = IdleWatcher(f)
    watcher.start()
    cls = smtplib.LMTP if args.proto == "lmtp" else smtplib.SMTP
    s = cls(args.deliver_host, args.deliver_port, local_hostname="bench.example.org")
    s.ehlo_or_helo_if_needed()
    from_send, from_ok, missed = [], [], 0
    for i in range(args.rounds):
        body = message(i, 2000, to=acc["rcpt"], sender=args.sender)
        t0 = time.perf_counter()
        s.sendmail(args.sender, [acc["rcpt"]], body)
        t1 = time.perf_counter()
        exists += 1
        got = watcher.wait_for(exists, 5.0)
        if got is None:
            missed += 1
            exists = watcher.exists[-1][1] if watcher.exists else exists
        else:
            from_send.append(got - t0)
            from_ok.append(max(0.0, got - t1))
        time.sleep(args.pause)
    s.quit()
    sock.sendall(b"DONE\r\nz LOGOUT\r\n")
    emit(args, {
        "scenario": "idle-latency", "label": args.label, "proto": args.proto,
        "rounds": args.rounds, "missed": missed,
        "send_start_to_exists": lat_summary(from_send),
        "delivery_ack_to_exists": lat_summary(from_ok),
    })


# ---------------------------------------------------------------- one big folder

def fill_worker(lane, args, acc):
    m = imaplib.IMAP4(args.host, args.port)
    m.login(acc["user"], acc["password"])
    for i in range(lane, args.fill, args.fill_clients):
        flags = "(\\Seen)" if i % 10 else None
        m.append(args.mailbox, flags, None, message(i, 900, to=acc["rcpt"]))
    m.logout()


class Raw:
    """One IMAP connection read in large pieces: the client costs little next to the server."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.n = 0
        self.read_until(b"\r\n")

    def read_until(self, end):
        """Everything up to and including `end`; searches only what is new (plus overlap)."""
        buf = bytearray(self.buf)
        start = 0
        while True:
            i = buf.find(end, start)
            if i >= 0:
                i += len(end)
                got, self.buf = bytes(buf[:i]), bytes(buf[i:])
                return got
            start = max(0, len(buf) - len(end) + 1)
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk

    def command(self, text):
        """Sends a command; returns its untagged responses once the tagged OK arrived."""
        self.n += 1
        tag = f"r{self.n}".encode()
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        # A line break in front, so a tagged answer with nothing before it is found too.
        self.buf = b"\r\n" + self.buf
        got = self.read_until(b"\r\n" + tag + b" ")
        status = self.read_until(b"\r\n")
        if not status.startswith(b"OK"):
            raise RuntimeError(status.decode(errors="replace"))
        return got


def cmd_bigfolder(args):
    acc = load_accounts(args.accounts)[0]
    if args.fill:
        t = time.monotonic()
        procs = [mp.Process(target=fill_worker, args=(i, args, acc))
                 for i in range(args.fill_clients)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        fill_s = time.monotonic() - t
    r = Raw(args.host, args.port)
    r.command(f'LOGIN "{acc["user"]}" "{acc["password"]}"')
    exists = int(re.search(rb"\* (\d+) EXISTS", r.command(f"SELECT {args.mailbox}")).group(1))
    sel, fetch, size = [], [], 0
    for i in range(args.samples + 2):
        t = time.perf_counter()
        r.command(f"SELECT {args.mailbox}")
        t1 = time.perf_counter()
        got = r.command("UID FETCH 1:* (FLAGS)")
        t2 = time.perf_counter()
        if i >= 2:
            sel.append(t1 - t)
            fetch.append(t2 - t1)
            size = len(got)
    emit(args, {
        "scenario": "bigfolder", "label": args.label, "exists": exists,
        "fill_messages_per_s": round(args.fill / fill_s, 1) if args.fill else None,
        "select": lat_summary(sel), "uid_fetch_all_flags": lat_summary(fetch),
        "fetch_response_bytes": size,
    })


# ---------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    a = sub.add_parser("accounts-schulhof")
    a.add_argument("--http", default="http://127.0.0.1:8080")
    a.add_argument("--school", default="100000")
    a.add_argument("--admin-password", default="schulhof-demo")
    a.add_argument("--password", default="bench-passwort-1")
    a.add_argument("--prefix", default="imapbench")
    a.add_argument("--count", type=int, default=20)
    a.add_argument("--out", required=True)

    a = sub.add_parser("accounts-file")
    a.add_argument("--password", required=True)
    a.add_argument("--domain", default="")
    a.add_argument("--out", required=True)
    a.add_argument("users", nargs="+")

    def common(a, port):
        a.add_argument("--host", default="127.0.0.1")
        a.add_argument("--port", type=int, default=port)
        a.add_argument("--accounts", required=True)
        a.add_argument("--label", default="")
        a.add_argument("--json")

    a = sub.add_parser("imap")
    common(a, 1143)
    a.add_argument("--pid", action="append", help="server pid, for its CPU (repeatable)")
    a.add_argument("--clients", type=int, default=20)
    a.add_argument("--duration", type=float, default=30)
    a.add_argument("--warmup", type=float, default=3)
    a.add_argument("--seed", type=int, default=200, help="messages in each mailbox first")
    a.add_argument("--size", type=int, default=3000, help="bytes per message")
    a.add_argument("--mailbox", default="INBOX")
    a.add_argument("--search", default="UNSEEN")

    a = sub.add_parser("deliver")
    common(a, 2525)
    a.add_argument("--pid", action="append", help="server pid, for its CPU (repeatable)")
    a.add_argument("--proto", choices=["smtp", "lmtp", "submission"], default="smtp")
    a.add_argument("--clients", type=int, default=4)
    a.add_argument("--rcpts", type=int, default=1)
    a.add_argument("--duration", type=float, default=20)
    a.add_argument("--warmup", type=float, default=2)
    a.add_argument("--size", type=int, default=3000)
    a.add_argument("--sender", default="absender@example.org")

    a = sub.add_parser("idle-hold")
    common(a, 1143)
    a.add_argument("--connections", type=int, default=2000)
    a.add_argument("--parallel", type=int, default=50, help="logins in flight")
    a.add_argument("--hold", type=float, default=10)
    a.add_argument("--settle", type=float, default=3)
    a.add_argument("--pid", action="append", required=True, help="server pid (repeatable)")

    a = sub.add_parser("idle-latency")
    common(a, 1143)
    a.add_argument("--proto", choices=["smtp", "lmtp"], default="smtp")
    a.add_argument("--deliver-host", default="127.0.0.1")
    a.add_argument("--deliver-port", type=int, default=2525)
    a.add_argument("--rounds", type=int, default=50)
    a.add_argument("--pause", type=float, default=0.2)
    a.add_argument("--sender", default="absender@example.org")

    a = sub.add_parser("bigfolder")
    common(a, 1143)
    a.add_argument("--fill", type=int, default=0, help="APPEND this many messages first")
    a.add_argument("--fill-clients", type=int, default=8)
    a.add_argument("--mailbox", default="INBOX")
    a.add_argument("--samples", type=int, default=20)

    args = p.parse_args()
    {
        "accounts-schulhof": cmd_accounts_schulhof, "accounts-file": cmd_accounts_file,
        "imap": cmd_imap, "deliver": cmd_deliver, "idle-hold": cmd_idle_hold,
        "idle-latency": cmd_idle_latency, "bigfolder": cmd_bigfolder,
    }[args.cmd](args)


if __name__ == "__main__":
    main()
