#!/usr/bin/env python3
"""Writes libFuzzer seed inputs from tests/corpus/llhttp-cases.json.

usage: make_seeds.py CORPUS_JSON OUT_DIR   -> OUT_DIR/{request,response,body}/<n>
Each JSON string holds one code point per byte (above 255: its UTF-8 bytes, see the
corpus README). Body seeds are what follows the first empty line, behind a framing byte
(0: chunked, 2: close-delimited; see fuzz_body_decoder.cpp).
"""
import json
import os
import sys


def to_bytes(raw):
    return b"".join(bytes([ord(ch)]) if ord(ch) < 256 else ch.encode() for ch in raw)


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    for kind in ("request", "response", "body"):
        os.makedirs(os.path.join(out, kind), exist_ok=True)
    for n, case in enumerate(json.load(open(corpus, encoding="utf-8"))):
        raw = to_bytes(case["raw"])
        kind = "request" if case["type"].startswith("request") else "response"
        with open(os.path.join(out, kind, str(n)), "wb") as f:
            f.write(raw)
        head_end = raw.find(b"\r\n\r\n")
        if head_end >= 0 and head_end + 4 < len(raw):
            body = raw[head_end + 4:]
            with open(os.path.join(out, "body", str(n)), "wb") as f:
                f.write((b"\x00" if b"chunked" in raw[:head_end].lower() else b"\x02") + body)


if __name__ == "__main__":
    main()
