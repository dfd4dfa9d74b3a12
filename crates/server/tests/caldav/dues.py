"""Python `caldav` sees the read-only calendar "Fälligkeiten" of the demo student: listed in
the home, the demo assignment found by a time-range search and by listing, a write refused,
and a sync with the returned token reporting nothing new.
Usage: dues.py PORT USER PASSWORD. Prints "dues: OK"."""
import sys
from datetime import datetime, timedelta, timezone

import caldav
from caldav.lib import error

port, user, password = sys.argv[1:4]
url = f"http://127.0.0.1:{port}/.well-known/caldav"

with caldav.DAVClient(url=url, username=user, password=password) as client:
    cals = client.principal().calendars()
    dues = [c for c in cals if str(c.url.path).endswith("/faelligkeiten/")]
    assert len(dues) == 1, [str(c.url.path) for c in cals]
    cal = dues[0]
    assert cal.get_display_name() == "Fälligkeiten", cal.get_display_name()

    now = datetime.now(timezone.utc)
    found = cal.search(start=now, end=now + timedelta(days=30), event=True)
    summaries = [str(e.icalendar_component.get("summary")) for e in found]
    assert any("Brüche kürzen erklären" in s for s in summaries), summaries
    past = cal.search(start=now - timedelta(days=30), end=now, event=True)
    assert not any("Brüche kürzen erklären" in str(e.icalendar_component.get("summary"))
                   for e in past), "the range is honoured"
    assert len(cal.events()) >= 1

    ev = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//py//EN\r\nBEGIN:VEVENT\r\n"
        "UID:nope-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20300110T100000Z\r\n"
        "SUMMARY:Nope\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    try:
        cal.save_event(ev)
        raise AssertionError("a due date calendar took a write")
    except (error.PutError, error.AuthorizationError):
        pass

    objs = cal.get_objects_by_sync_token(load_objects=False, disable_fallback=True)
    assert len(list(objs)) >= 1
    again = cal.get_objects_by_sync_token(
        sync_token=objs.sync_token, load_objects=False, disable_fallback=True
    )
    assert len(list(again)) == 0, "nothing changed"

print("dues: OK")
