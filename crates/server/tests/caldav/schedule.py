"""Scheduling (RFC 6638) with the Python caldav client: the organiser saves an event with an
invitation, the attendee finds the copy in its own calendar and accepts it from its client,
the organiser's copy shows the answer; a free/busy request to the outbox answers busy
times only, and nothing for an address outside the school.

usage: schedule.py PORT ORGANISER ATTENDEE PASSWORD
"""

import sys
from datetime import datetime, timedelta, timezone

import caldav
import icalendar

port, org_user, att_user, pw = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
url = f"http://127.0.0.1:{port}/dav/"


def client(user):
    c = caldav.DAVClient(url=url, username=user, password=pw)
    return c, c.principal()


def personal(principal):
    for c in principal.calendars():
        if str(c.url).rstrip("/").endswith("/personal"):
            return c
    raise AssertionError("no personal calendar")


def mailto(principal):
    return [a for a in principal.calendar_user_address_set() if a.lower().startswith("mailto:")][0]


oc, op = client(org_user)
ac, ap = client(att_user)
att_addr = mailto(ap)
assert str(ap.schedule_inbox().url).endswith("/inbox/"), ap.schedule_inbox().url
outbox = op.schedule_outbox()
assert str(outbox.url).endswith("/outbox/"), outbox.url

start = datetime(2031, 3, 4, 9, 0, tzinfo=timezone.utc)
ical = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
    "UID:sched-1\r\nDTSTAMP:20310101T000000Z\r\nDTSTART:20310304T090000Z\r\n"
    "DTEND:20310304T100000Z\r\nSUMMARY:Elterngespraech\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
personal(op).save_with_invites(ical, [att_addr])

# The attendee's client finds the invitation in its own calendar and accepts it there.
acal = personal(ap)
found = [e for e in acal.search(event=True, start=start - timedelta(hours=1), end=start + timedelta(hours=2))
         if "sched-1" in e.data]
assert len(found) == 1, [e.data for e in found]
copy = found[0]
assert "NEEDS-ACTION" in copy.data.replace("\r\n ", ""), copy.data
copy.change_attendee_status(partstat="ACCEPTED")
copy.save()

# The organiser's copy has the answer.
ocal = personal(op)
master = [e for e in ocal.search(event=True, start=start - timedelta(hours=1), end=start + timedelta(hours=2))
          if "sched-1" in e.data][0]
parsed = icalendar.Calendar.from_ical(master.data)
states = {
    str(a).lower(): a.params.get("PARTSTAT")
    for ev in parsed.walk("VEVENT")
    for a in (ev.get("attendee") if isinstance(ev.get("attendee"), list) else [ev.get("attendee")])
    if a is not None
}
assert states.get(att_addr.lower()) == "ACCEPTED", states

# Free/busy: busy times of the attendee, none for an address outside the school.
fb = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n"
    f"UID:fb-1\r\nDTSTAMP:20310101T000000Z\r\nDTSTART:20310304T000000Z\r\nDTEND:20310305T000000Z\r\n"
    f"ORGANIZER:{mailto(op)}\r\nATTENDEE:{att_addr}\r\nATTENDEE:mailto:jemand@anderswo.example\r\n"
    "END:VFREEBUSY\r\nEND:VCALENDAR\r\n"
)
resp = oc.post(str(outbox.url), fb, headers={"Content-Type": "text/calendar; charset=utf-8"})
body = resp.raw if isinstance(resp.raw, str) else resp.raw.decode()
assert resp.status == 200, (resp.status, body)
assert "2.0;Success" in body and "FREEBUSY;FBTYPE=BUSY:20310304T090000Z/20310304T100000Z" in body, body
assert "3.7;Invalid calendar user" in body and "Elterngespraech" not in body, body

# The organiser cancels: the attendee's copy says so.
master.delete()
copy = [e for e in acal.search(event=True, start=start - timedelta(hours=1), end=start + timedelta(hours=2))
        if "sched-1" in e.data]
assert not copy or "STATUS:CANCELLED" in copy[0].data, copy[0].data
print("caldav scheduling: OK")
