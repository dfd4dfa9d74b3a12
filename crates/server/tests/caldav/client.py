"""Python `caldav` against the real server with the demo school: discovery through
/.well-known/caldav, an event in the teacher's personal calendar, a time-range search, a UID
lookup, sync-collection after a change. Usage: client.py PORT USER PASSWORD.
Prints "caldav server: OK"."""
import sys
from datetime import datetime, timezone

import caldav

port, user, password = sys.argv[1:4]
url = f"http://127.0.0.1:{port}/.well-known/caldav"


def ev(uid, start, end, summary):
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//py//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\n"
        f"SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


with caldav.DAVClient(url=url, username=user, password=password) as client:
    principal = client.principal()
    cals = principal.calendars()
    paths = sorted(str(c.url.path) for c in cals)
    assert any(p.endswith("/personal/") for p in paths), paths
    assert any(p.endswith("/schule/") for p in paths), paths
    cal = [c for c in cals if str(c.url.path).endswith("/personal/")][0]

    objs = cal.get_objects_by_sync_token(load_objects=False, disable_fallback=True)
    before = len(list(objs))
    token = objs.sync_token

    cal.save_event(ev("srv-1", "20300110T100000Z", "20300110T110000Z", "Elternabend"))
    cal.save_event(ev("srv-2", "20300220T100000Z", "20300220T110000Z", "Zeugniskonferenz"))
    found = cal.search(
        start=datetime(2030, 1, 1, tzinfo=timezone.utc),
        end=datetime(2030, 2, 1, tzinfo=timezone.utc),
        event=True,
    )
    uids = sorted(str(e.icalendar_component["uid"]) for e in found)
    # The demo's weekly office hour recurs without end, so it is in January 2030 too.
    assert "srv-1" in uids and "srv-2" not in uids, uids
    assert "sprechstunde@demo.schulhof" in uids, uids
    one = cal.event_by_uid("srv-2")
    assert "Zeugniskonferenz" in one.data, one.data

    changed, deleted = objs.sync()
    assert len(changed) == 2 and len(deleted) == 0, (changed, deleted)
    assert objs.sync_token != token
    one.delete()
    changed, deleted = objs.sync()
    assert len(changed) == 0 and len(deleted) == 1, (changed, deleted)
    again = cal.get_objects_by_sync_token(load_objects=False, disable_fallback=True)
    assert len(list(again)) == before + 1, (before, list(again))

print("caldav server: OK")
