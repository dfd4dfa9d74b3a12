"""Python `caldav` (PyPI) against the CalDAV front-end: discovery, MKCALENDAR, PUT,
time-range search, multiget via sync, sync-collection after a change and a deletion,
If-None-Match conflicts. Usage: client.py URL USER PASSWORD. Prints "caldav client: OK"."""
import sys
from datetime import datetime, timezone

import caldav
from caldav.lib import error

url, user, password = sys.argv[1:4]


def ev(uid, start, end, summary):
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//py//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\n"
        f"SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


with caldav.DAVClient(url=url, username=user, password=password) as client:
    principal = client.principal()
    names = sorted(c.get_display_name() for c in principal.calendars())
    assert "Persönlich" in names and "Schulkalender" in names, names
    cal = principal.make_calendar(name="Python", cal_id="python")
    assert cal.get_display_name() == "Python"
    for i in range(1, 6):
        cal.save_event(ev(f"py-{i}", f"202601{i:02d}T100000Z", f"202601{i:02d}T110000Z", f"Termin {i}"))
    cal.save_event(ev("py-feb", "20260215T100000Z", "20260215T110000Z", "Februar"))
    found = cal.search(
        start=datetime(2026, 1, 2, tzinfo=timezone.utc),
        end=datetime(2026, 1, 4, tzinfo=timezone.utc),
        event=True,
    )
    uids = sorted(str(e.icalendar_component["uid"]) for e in found)
    assert uids == ["py-2", "py-3"], uids
    one = cal.event_by_uid("py-feb")
    assert "Februar" in one.data, one.data

    objs = cal.get_objects_by_sync_token(load_objects=True, disable_fallback=True)
    assert len(list(objs)) == 6, list(objs)
    token = objs.sync_token
    ev1 = cal.event_by_uid("py-1")
    ev1.delete()
    cal.save_event(ev("py-new", "20260120T100000Z", "20260120T110000Z", "Neu"))
    changed, deleted = objs.sync()
    assert len(changed) == 1 and len(deleted) == 1, (changed, deleted)
    assert objs.sync_token != token
    stale = cal.get_objects_by_sync_token(sync_token=token, disable_fallback=True)
    assert len(list(stale)) == 2, list(stale)  # one new, one gone

    try:
        cal.save_event(ev("py-2", "20260301T100000Z", "20260301T110000Z", "Doppelt"), no_overwrite=True)
        raise AssertionError("a second object with the same UID was taken")
    except (error.ConsistencyError, error.PutError, error.AuthorizationError) as e:
        print("refused as expected:", type(e).__name__)

    school = [c for c in principal.calendars() if c.get_display_name() == "Schulkalender"][0]
    try:
        school.save_event(ev("nope", "20260301T100000Z", "20260301T110000Z", "x"))
        raise AssertionError("wrote into a read-only calendar")
    except (error.PutError, error.AuthorizationError):
        pass
    cal.delete()
print("caldav client: OK")
