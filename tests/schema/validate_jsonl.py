#!/usr/bin/python3
"""Validate JSON-lines files against the rtproxy round-trip schema (Draft 2020-12).

usage: validate_jsonl.py [--allow-empty] SCHEMA FILE...

Prints `file:line: error` for each failure and exits 1, or `N lines valid` and exits 0.
"""
import argparse
import json
import sys

import jsonschema


def error_path(error):
    """Where in the line the error is, e.g. `$.attempts[0].timings.dns_ms`."""
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def explain(schema, validator, document):
    """The errors of an invalid line, as specific as possible.

    The root is a oneOf over the three events, whose own message is only "is not valid
    under any of the given schemas"; when "event" names one, validate against that branch
    alone so the message names the real field. The verdict itself always comes from the
    full schema.
    """
    event = document.get("event") if isinstance(document, dict) else None
    if event in ("listening", "round_trip", "shutdown"):
        branch = {k: v for k, v in schema.items() if k != "oneOf"}
        branch["$ref"] = f"#/$defs/{event}"
        errors = list(jsonschema.Draft202012Validator(branch).iter_errors(document))
        if errors:
            return errors
    return list(validator.iter_errors(document))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allow-empty", action="store_true", help="an empty file is not an error")
    parser.add_argument("schema")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)

    with open(args.schema, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    failures = 0
    valid = 0
    for name in args.files:
        try:
            with open(name, "rb") as f:
                data = f.read()
        except OSError as e:
            print(f"{name}:0: cannot read: {e.strerror}")
            failures += 1
            continue
        if not data:
            if not args.allow_empty:
                print(f"{name}:0: empty file")
                failures += 1
            continue
        lines = data.split(b"\n")
        if lines[-1]:
            print(f"{name}:{len(lines)}: last line is not newline-terminated")
            failures += 1
        else:
            lines.pop()
        for number, raw in enumerate(lines, 1):
            try:
                document = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as e:
                print(f"{name}:{number}: not UTF-8: {e}")
                failures += 1
                continue
            except ValueError as e:
                print(f"{name}:{number}: not JSON: {e}")
                failures += 1
                continue
            if validator.is_valid(document):
                valid += 1
                continue
            failures += 1
            for error in explain(schema, validator, document):
                print(f"{name}:{number}: {error_path(error)}: {error.message}")
    if failures:
        return 1
    print(f"{valid} lines valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
