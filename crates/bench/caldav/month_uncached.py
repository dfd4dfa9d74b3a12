"""The month query of dav_load.py with a different body on every request (a counter in an
XML comment), so no kept answer is ever used: what a query of a changed calendar costs.
--etag-only asks for getetag alone. --change PUTs one changed event (not timed) before each
query instead, with the same body every time: a query of a calendar that really changed since
its last answer (new sync token, one new text). Same arguments as dav_load.py (schulhof.sh
args); run after dav_load.py filled the calendar."""
import sys, time, argparse, multiprocessing as mp
sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))
import dav_load as d

def worker(args):
    home, user, pw, cal, secs, etag_only, change, wid = args
    c = d.Client(home, user, pw)
    body = d.month_query()
    if etag_only:
        body = body.replace(b"<C:calendar-data/>", b"")
    rnd = d.random.Random(wid)
    lat, n, end = [], 0, time.perf_counter() + secs
    while time.perf_counter() < end:
        if change:
            i = rnd.randrange(0, 10000)
            name, text = d.event(i, d.random.Random(i), f" (geändert {wid}-{n})")
            st, resp = c.request("PUT", cal + name, text,
                                 {"Content-Type": "text/calendar; charset=utf-8"})
            assert st in (201, 204), (st, resp[:200])
            b = body
        else:
            b = body + f"<!-- {wid}-{n} -->".encode()
        n += 1
        t = time.perf_counter()
        st, resp = c.request("REPORT", cal, b, {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
        lat.append(time.perf_counter() - t)
        assert st == 207, (st, resp[:200])
    return lat, len(d.RESPONSE.findall(resp)), len(resp)

p = argparse.ArgumentParser()
for a in ["--home", "--user", "--password", "--calendar"]:
    p.add_argument(a)
p.add_argument("--clients", type=int, default=2)
p.add_argument("--seconds", type=float, default=20)
p.add_argument("--etag-only", action="store_true")
p.add_argument("--change", action="store_true")
o = p.parse_args()
with mp.Pool(o.clients) as pool:
    res = pool.map(worker, [(o.home, o.user, o.password, o.calendar, o.seconds, o.etag_only, o.change, i) for i in range(o.clients)])
lat = sum((r[0] for r in res), [])
print("objects", res[0][1], "bytes", res[0][2], d.summary(lat, o.seconds, len(lat)))
