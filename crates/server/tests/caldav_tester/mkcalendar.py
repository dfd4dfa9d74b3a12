"""Python `caldav` makes a personal calendar with MKCALENDAR at a URL of its choosing,
writes into it, finds it among the principal's calendars, cannot make it twice, deletes it.
Usage: mkcalendar.py URL USER PASSWORD. Prints "mkcalendar: OK"."""
import sys

import caldav
from caldav.lib import error

url, user, password = sys.argv[1:4]

EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//py//EN\r\nBEGIN:VEVENT\r\n"
    "UID:mk-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20301010T080000Z\r\n"
    "DTEND:20301010T090000Z\r\nSUMMARY:Projektwoche Start\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)

with caldav.DAVClient(url=url, username=user, password=password) as client:
    principal = client.principal()
    cal = principal.make_calendar(name="Projektwoche", cal_id="projektwoche")
    assert str(cal.url.path).endswith("/projektwoche/"), cal.url
    cal.save_event(EVENT)
    again = [c for c in principal.calendars() if str(c.url.path).endswith("/projektwoche/")]
    assert len(again) == 1, [str(c.url) for c in principal.calendars()]
    assert again[0].get_display_name() == "Projektwoche"
    assert "Projektwoche Start" in again[0].event_by_uid("mk-1").data
    try:
        principal.make_calendar(name="Doppelt", cal_id="projektwoche")
        raise AssertionError("a second calendar at the same URL was made")
    except error.DAVError:
        pass
    try:
        principal.make_calendar(name="Schule", cal_id="schule")
        raise AssertionError("the school calendar's URL was taken")
    except error.DAVError:
        pass
    again[0].delete()
    assert not [c for c in principal.calendars() if str(c.url.path).endswith("/projektwoche/")]

print("mkcalendar: OK")
