#!/usr/bin/env python3
"""One client script for the calendar benchmarks, run unchanged against Schulhof and Radicale.

    dav_load.py --home URL --user U --password P [--events 10000] [--clients 4]
                [--seconds 10] [--json FILE]

`--home` is the calendar home of the user (Schulhof: http://127.0.0.1:8080/dav/calendars/<login>/,
Radicale: http://127.0.0.1:5232/bench/). The script makes a fresh calendar there by MKCALENDAR
and measures, in this order:

  put        PUT of the first 1,000 events (C clients at once): requests per second, p50/p99;
             then the rest of the events are put (not measured)
  month      REPORT calendar-query for one month (December 2026) with calendar-data
  multiget   REPORT calendar-multiget of 100 random objects
  sync       one PUT changes an event, then REPORT sync-collection from the token before it
             (one client; only the REPORT is timed)

About a quarter of the events recur (weekly for a school year, some daily with a count); all
times are in Europe/Berlin with its VTIMEZONE. Only the standard library.
"""

import argparse
import base64
import http.client
import json
import multiprocessing as mp
import random
import re
import statistics
import time
import urllib.parse
import uuid

VTIMEZONE = """BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
TZNAME:CEST\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
TZNAME:CET\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
"""

SYNC_TOKEN = re.compile(rb"<[^>]*sync-token>([^<]+)</")
# Opening tags only, with or without a namespace prefix.
RESPONSE = re.compile(rb"<(?:[A-Za-z0-9_]+:)?response[ >]")


def event(i, rnd, summary_suffix=""):
    """The i-th event: spread over the school year 2026/27, every fourth one recurring."""
    day = rnd.randrange(0, 300)
    start = time.gmtime(time.mktime((2026, 9, 1, 0, 0, 0, 0, 0, 0)) + day * 86400)
    hour = 7 + rnd.randrange(0, 9)
    dtstart = f"{start.tm_year:04}{start.tm_mon:02}{start.tm_mday:02}T{hour:02}0000"
    dtend = f"{start.tm_year:04}{start.tm_mon:02}{start.tm_mday:02}T{hour:02}4500"
    uid = f"bench-{i}@schulhof.invalid"
    rrule = ""
    if i % 4 == 0:
        rrule = "RRULE:FREQ=WEEKLY;UNTIL=20270701T000000Z\r\n"
    elif i % 17 == 0:
        rrule = "RRULE:FREQ=DAILY;COUNT=20\r\n"
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//schulhof//dav_load//DE\r\n"
        + VTIMEZONE
        + "BEGIN:VEVENT\r\n"
        + f"UID:{uid}\r\nDTSTAMP:20261201T080000Z\r\n"
        + f"DTSTART;TZID=Europe/Berlin:{dtstart}\r\nDTEND;TZID=Europe/Berlin:{dtend}\r\n"
        + rrule
        + f"SUMMARY:Stunde {i}{summary_suffix}\r\nLOCATION:Raum {i % 40}\r\n"
        + "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    return f"bench-{i}.ics", text.encode()


class Client:
    """One keep-alive HTTP connection with Basic auth."""

    def __init__(self, home, user, password):
        u = urllib.parse.urlsplit(home)
        self.host, self.port = u.hostname, u.port or 80
        self.home = u.path if u.path.endswith("/") else u.path + "/"
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.auth = f"Basic {token}"
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(self, method, path, body=b"", headers=None):
        h = {"Authorization": self.auth}
        h.update(headers or {})
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def check(status, body, what, ok=(200, 201, 204, 207)):
    if status not in ok:
        raise SystemExit(f"{what}: HTTP {status}: {body[:300]!r}")


def month_query():
    return b"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="20261201T000000Z" end="20270101T000000Z"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""


def multiget(cal, hrefs):
    refs = "".join(f"<D:href>{cal}{h}</D:href>" for h in hrefs)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>{refs}
</C:calendar-multiget>""".encode()


def sync_query(token):
    return f"""<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token>
  <D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop>
</D:sync-collection>""".encode()


def summary(lat, seconds, count):
    lat = sorted(lat)
    return {
        "requests": count,
        "per_second": round(count / seconds, 1) if seconds else 0,
        "p50_ms": round(statistics.median(lat) * 1000, 2) if lat else None,
        "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 2) if lat else None,
    }


def put_worker(args):
    home, user, password, cal, indices = args
    c, rnd, lat = Client(home, user, password), random.Random(indices[0] if indices else 0), []
    for i in indices:
        name, body = event(i, rnd)
        t = time.perf_counter()
        status, resp = c.request(
            "PUT", cal + name, body, {"Content-Type": "text/calendar; charset=utf-8",
                                      "If-None-Match": "*"})
        lat.append(time.perf_counter() - t)
        check(status, resp, f"PUT {name}")
    return lat


def put_all(opts, cal, indices, clients):
    chunks = [indices[k::clients] for k in range(clients)]
    t = time.perf_counter()
    with mp.Pool(clients) as pool:
        lats = pool.map(put_worker, [(opts.home, opts.user, opts.password, cal, ch) for ch in chunks])
    return sum(lats, []), time.perf_counter() - t


def loop_worker(args):
    home, user, password, kind, body, seconds, expect = args
    c, lat, end = Client(home, user, password), [], time.perf_counter() + seconds
    path = body[0]
    while time.perf_counter() < end:
        t = time.perf_counter()
        status, resp = c.request("REPORT", path, body[1],
                                 {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
        lat.append(time.perf_counter() - t)
        check(status, resp, kind)
        n = len(RESPONSE.findall(resp))
        if expect is not None and n != expect:
            raise SystemExit(f"{kind}: {n} responses, expected {expect}")
    return lat


def loop(opts, kind, path, body, expect):
    with mp.Pool(opts.clients) as pool:
        lats = pool.map(loop_worker, [(opts.home, opts.user, opts.password, kind, (path, body),
                                       opts.seconds, expect)] * opts.clients)
    lat = sum(lats, [])
    return summary(lat, opts.seconds, len(lat))


def sync_bench(opts, cal, rounds=200):
    c = Client(opts.home, opts.user, opts.password)
    status, resp = c.request("REPORT", cal, sync_query(""), {"Depth": "1",
                             "Content-Type": "application/xml; charset=utf-8"})
    check(status, resp, "initial sync-collection")
    token = SYNC_TOKEN.search(resp).group(1).decode()
    rnd, lat = random.Random(7), []
    t0 = time.perf_counter()
    for r in range(rounds):
        i = rnd.randrange(0, opts.events)
        name, body = event(i, random.Random(i), f" (geändert {r})")
        status, resp = c.request("PUT", cal + name, body,
                                 {"Content-Type": "text/calendar; charset=utf-8"})
        check(status, resp, f"PUT {name}")
        t = time.perf_counter()
        status, resp = c.request("REPORT", cal, sync_query(token), {"Depth": "1",
                                 "Content-Type": "application/xml; charset=utf-8"})
        lat.append(time.perf_counter() - t)
        check(status, resp, "sync-collection")
        if len(RESPONSE.findall(resp)) != 1:
            raise SystemExit(f"sync-collection after one change: {resp[:500]!r}")
        token = SYNC_TOKEN.search(resp).group(1).decode()
    return summary(lat, sum(lat), rounds) | {"wall_s": round(time.perf_counter() - t0, 2)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--home", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--events", type=int, default=10000)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--json")
    p.add_argument("--calendar", help="use this existing (empty) calendar path instead of MKCALENDAR")
    opts = p.parse_args()

    c = Client(opts.home, opts.user, opts.password)
    if opts.calendar:
        cal = opts.calendar if opts.calendar.endswith("/") else opts.calendar + "/"
    else:
        cal = c.home + f"bench-{uuid.uuid4().hex[:8]}/"
        status, resp = c.request("MKCALENDAR", cal)
        check(status, resp, "MKCALENDAR", ok=(200, 201))
    out = {"events": opts.events, "clients": opts.clients}

    lat, secs = put_all(opts, cal, list(range(min(1000, opts.events))), opts.clients)
    out["put"] = summary(lat, secs, len(lat))
    print("put 1000:", out["put"], flush=True)
    if opts.events > 1000:
        _, secs = put_all(opts, cal, list(range(1000, opts.events)), opts.clients)
        print(f"put the other {opts.events - 1000}: {secs:.1f} s", flush=True)

    # The month's result count must be the same on both servers; it is learned once here.
    status, resp = c.request("REPORT", cal, month_query(),
                             {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
    check(status, resp, "calendar-query")
    month_n = len(RESPONSE.findall(resp))
    out["month"] = loop(opts, "calendar-query", cal, month_query(), month_n) | {"objects": month_n}
    print("month query:", out["month"], flush=True)

    hrefs = [f"bench-{i}.ics" for i in random.Random(3).sample(range(opts.events), 100)]
    out["multiget"] = loop(opts, "calendar-multiget", cal, multiget(cal, hrefs), 100)
    print("multiget 100:", out["multiget"], flush=True)

    out["sync"] = sync_bench(opts, cal)
    print("sync after one change:", out["sync"], flush=True)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
