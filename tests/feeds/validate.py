"""Validates a school's feeds with third-party parsers.

Usage: validate.py BASE_URL SCHOOL_NUMBER
RSS 2.0 and Atom through feedparser (no bozo flag, entries present, absolute links), the
JSON Feed 1.1 against its published JSON Schema with jsonschema. Prints OK or raises.
"""

import json
import pathlib
import sys
import urllib.request

import feedparser
import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT7

HERE = pathlib.Path(__file__).parent


def fetch(url):
    with urllib.request.urlopen(url) as r:
        assert "set-cookie" not in {k.lower() for k in r.headers.keys()}, "no cookies"
        return r.read(), r.headers.get("content-type", "")


def check_xml(url, kind):
    body, ctype = fetch(url)
    f = feedparser.parse(body)
    assert not f.bozo, f"{kind}: bozo {f.get('bozo_exception')!r}"
    assert f.version.startswith(kind), f"{kind}: parsed as {f.version}"
    assert f.entries, f"{kind}: no entries"
    for e in f.entries:
        assert e.link.startswith("http"), f"{kind}: relative link {e.link}"
        assert e.id, f"{kind}: entry without id"
        assert e.id.startswith(("urn:uuid:", "tag:")), f"{kind}: unstable id {e.id}"
    return [e.title for e in f.entries]


def check_json(url):
    body, ctype = fetch(url)
    assert ctype.startswith("application/feed+json"), ctype
    doc = json.loads(body)
    one = json.loads((HERE / "feed-1.json").read_text())
    one_one = json.loads((HERE / "feed-1.1.json").read_text())
    registry = Registry().with_resources(
        [
            ("https://json.schemastore.org/feed-1", Resource(one, DRAFT4)),
            ("https://json.schemastore.org/feed.json", Resource(one_one, DRAFT7)),
        ]
    )
    validator = jsonschema.Draft7Validator(
        one_one, registry=registry, format_checker=jsonschema.FormatChecker()
    )
    errors = sorted(validator.iter_errors(doc), key=str)
    assert not errors, "json: " + "; ".join(e.message for e in errors)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    for item in doc["items"]:
        assert item["url"].startswith("http"), item["url"]
    return [i.get("title") for i in doc["items"]]


def main():
    base, school = sys.argv[1].rstrip("/"), sys.argv[2]
    rss = check_xml(f"{base}/schule/{school}/feed.rss", "rss20")
    atom = check_xml(f"{base}/schule/{school}/feed.atom", "atom")
    js = check_json(f"{base}/schule/{school}/feed.json")
    assert rss == atom == js, (rss, atom, js)
    print("OK", json.dumps(rss, ensure_ascii=False))


if __name__ == "__main__":
    main()
