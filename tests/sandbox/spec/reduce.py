#!/usr/bin/env python3
"""Reduces CareCloud's bundled openapi.yaml (both interfaces) to the customer interface.

Writes customer-interface.json beside it: the operations a customer-interface client may call, i.e. every operation
except those whose description, or whose tag's description, says it is "available only in Enterprise API"; the
per-path `servers` (which point at the enterprise interface) and the PHP `x-codeSamples` dropped; one server, the
customer interface. The sandbox validates requests against this file, the TypeScript types are generated from it,
and the fuzz run reads it. `--check` exits 1 when the checked-in file is not what this script would write.
"""
import json
import pathlib
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE / "openapi.yaml"
TARGET = HERE / "customer-interface.json"
ENTERPRISE_ONLY = "available only in Enterprise API"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def reduce(spec):
    enterprise_tags = {t["name"] for t in spec.get("tags", []) if ENTERPRISE_ONLY in (t.get("description") or "")}
    paths = {}
    for path, item in spec["paths"].items():
        kept = {}
        for key, value in item.items():
            if key == "servers":
                continue
            if key in METHODS:
                if ENTERPRISE_ONLY in (value.get("description") or ""):
                    continue
                if enterprise_tags.intersection(value.get("tags", [])):
                    continue
                value = {k: v for k, v in value.items() if k != "x-codeSamples"}
            kept[key] = value
        if any(k in METHODS for k in kept):
            paths[path] = kept
    out = {k: v for k, v in spec.items() if k not in ("paths", "servers")}
    out["servers"] = [{
        "url": "https://{project_url}/webservice/rest-api/customer-interface/v1.0",
        "variables": {"project_url": {"default": "sandbox.crmcarecloud.com"}},
    }]
    out["tags"] = [t for t in spec.get("tags", []) if t["name"] not in enterprise_tags]
    out["paths"] = paths
    return out


def main():
    spec = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    text = json.dumps(reduce(spec), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    ops = sum(1 for item in json.loads(text)["paths"].values() for k in item if k in METHODS)
    if "--check" in sys.argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.name} is stale: run python3 {pathlib.Path(__file__).name}", file=sys.stderr)
            sys.exit(1)
        print(f"{TARGET.name} is current ({ops} operations)")
        return
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.name}: {len(json.loads(text)['paths'])} paths, {ops} operations")


if __name__ == "__main__":
    main()
