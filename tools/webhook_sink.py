#!/usr/bin/env python3
"""A webhook receiver for trying incidentd's paging by hand: prints every POST it gets and, given the channel's
secret, checks the X-Incidentd-Signature header. Answers 200 (or --status N to see retries).

    python3 tools/webhook_sink.py [--port 9090] [--secret S] [--status 200]
"""
import argparse
import hashlib
import hmac
import http.server
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=9090)
    ap.add_argument("--secret", default="")
    ap.add_argument("--status", type=int, default=200)
    args = ap.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            line = f"{self.command} {self.path} key={self.headers.get('Idempotency-Key', '-')}"
            if args.secret:
                ts = self.headers.get("X-Incidentd-Timestamp", "")
                want = "sha256=" + hmac.new(args.secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
                got = self.headers.get("X-Incidentd-Signature", "")
                line += " signature=" + ("ok" if hmac.compare_digest(want, got) else "BAD")
            print(line, flush=True)
            try:
                print(json.dumps(json.loads(body), indent=2), flush=True)
            except ValueError:
                print(body.decode(errors="replace"), flush=True)
            self.send_response(args.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"listening on http://127.0.0.1:{args.port}/", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
