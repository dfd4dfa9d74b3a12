"""Runs `caldav-server-tester` (PyPI) against the server and prints the features it found
deviating from full support, one `feature<TAB>support` a line, between BEGIN/END markers.
Usage: tester.py URL USER PASSWORD."""
import json
import subprocess
import sys

url, user, password = sys.argv[1:4]
exe = sys.executable.rsplit("/", 1)[0] + "/caldav-server-tester"
out = subprocess.run(
    [exe, "--caldav-url", url, "--caldav-username", user, "--caldav-password", password,
     "--format", "json"],
    capture_output=True, text=True, timeout=600,
)
start = out.stdout.find("{")
if out.returncode != 0 or start < 0:
    print(out.stdout, out.stderr, file=sys.stderr)
    sys.exit(1)
report = json.loads(out.stdout[start:])
print("BEGIN")
for feature, info in sorted(report["features"].items()):
    support = info.get("support", "full") if isinstance(info, dict) else str(info)
    if support != "full":
        print(f"{feature}\t{support}")
        print(f"{feature}: {info}", file=sys.stderr)
print("END")
