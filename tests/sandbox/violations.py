"""Lists the requests the strict sandbox refused as spec violations since its last reset, one per line, and exits 1
if there is any (0 otherwise). Run after each test tier: `python3 tests/sandbox/violations.py $SANDBOX_URL`.

A test that sends an invalid request on purpose takes its violation off the log right away
(`DELETE /__sandbox/violations?path=<prefix>`), so whatever is left was sent by the client under test.
"""
import json
import sys
import urllib.request


def main(argv):
    if len(argv) != 2:
        print("usage: violations.py SANDBOX_URL", file=sys.stderr)
        return 2
    with urllib.request.urlopen(argv[1].rstrip("/") + "/__sandbox/violations", timeout=10) as r:
        violations = json.loads(r.read())
    for v in violations:
        params = ", ".join(f"{p['name']} ({p['reason']})" for p in v.get("invalid_params", []))
        query = f"?{v['query']}" if v.get("query") else ""
        print(f"violation: {v.get('method')} {v.get('path')}{query} [{v.get('operation')}]: {params}")
    print(f"# {len(violations)} spec violation(s) logged by the sandbox")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
