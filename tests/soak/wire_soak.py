#!/usr/bin/python3
"""Mutated HTTP/1.1 over real sockets: rtproxy must never hang, crash or leak a connection.

usage: wire_soak.py --rtproxy BIN --validator PY --schema JSON [--seconds N] [--seed N] [--tls] [--upstream-tls] [--keep]

The codec's fuzzers test the parsers alone; this drives the whole proxy. Clients send
valid requests and mutations of them (bytes flipped, cut, repeated, framing tokens
inserted), in random pieces, to rtproxy in front of an upstream that answers with every
framing (Content-Length, chunked written in random pieces with trailers, close-delimited,
1 MiB) and now and then misbehaves (a reset before or during a response, a status line
that is not HTTP, a 103 first, a 503 that rtproxy drains and retries). Upgrade requests
mostly get a 101 and an echo, so the tunnel's two directions and half-closes run too.

Every connection must end: answered, or closed by rtproxy. When a client has sent all it
will send, it half-closes, and rtproxy then has a bounded time to finish with it. At the
end rtproxy must still be running, hold no client connection, exit 0 on SIGTERM with
`shutdown` as its last line, have written only schema-valid lines, and have printed
nothing on stderr (where AddressSanitizer and UBSan report). Exit 0 when all held.

With --tls the clients speak TLS to rtproxy (a throwaway self-signed certificate), and one
connection in ten sends its bytes in clear to the TLS listener instead. With --upstream-tls
the upstream speaks TLS (rtproxy dials `https://` and verifies it against the throwaway
certificate), so its resets, cut bodies and closes without close_notify reach rtproxy
through the TLS stream.

Found the spin on a chunked body cut inside its framing (fixed in 2b50ae1).
"""
import argparse
import json
import os
import random
import signal
import ssl
import socket
import subprocess
import sys
import tempfile
import threading
import time

BASE = [
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /big HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n",
    b"GET /chunked HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /close HTTP/1.1\r\nHost: a\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
    b"PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /chunked HTTP/1.1\r\nHost: a\r\n\r\nGET /close HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.0\r\n\r\n",
    b"HEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    b"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nbytes of the new protocol",
    b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET http://a/x?y HTTP/1.1\r\nHost: a\r\nTE: trailers\r\nConnection: keep-alive, TE\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
]
TOKENS = [b"\r\n", b"\n", b"\r", b" ", b":", b"\x00", b"\x7f", b"\xff", b"chunked", b"0x5", b"-1",
          b"Content-Length: ", b"Transfer-Encoding: ", b"Host: ", b"\t", b";", b"99999999999999999999",
          b"\r\n\r\n", b"Expect: 100-continue\r\n", b"Connection: close\r\n"]
ANSWER_WAIT = 2.5   # s a client waits for rtproxy before it half-closes
FINISH_WAIT = 15.0  # s rtproxy then has to close (read-header, response-header timeouts are 1-2 s)


def mutate(rnd, data):
    data = bytearray(data)
    for _ in range(rnd.randint(1, 4)):
        if not data:
            break
        i = rnd.randrange(len(data))
        op = rnd.randrange(5)
        if op == 0:
            data[i] = rnd.randrange(256)
        elif op == 1:
            data[i:i] = rnd.choice(TOKENS)
        elif op == 2:
            del data[i:i + rnd.randint(1, 8)]
        elif op == 3:
            del data[i:]
        else:
            j = rnd.randrange(len(data))
            data[i:i] = data[j:j + rnd.randint(1, 30)]
    return bytes(data)


def send_in_pieces(rnd, sock, data):
    i = 0
    while i < len(data):
        n = rnd.randint(1, 64)
        sock.sendall(data[i:i + n])
        i += n


# ----------------------------------------------------------------------------- upstream
class Ended(Exception):
    """The peer closed before the bytes a reader needed arrived."""


def recv_until(conn, buf, enough):
    """`buf` and whatever arrives after it, once `enough` says it will do."""
    while not enough(buf):
        more = conn.recv(65536)
        if not more:
            raise Ended
        buf += more
    return buf


class Upstream:
    """Answers every request it can frame; the path picks how the response is framed."""

    def __init__(self, seed, tls=None):
        self.tls = tls  # a server-side ssl.SSLContext, or None for clear text
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.seed = seed
        self.stopping = False
        self.conns = set()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.accept_loop, daemon=True)
        self.thread.start()

    def accept_loop(self):
        n = 0
        while not self.stopping:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            n += 1
            with self.lock:
                self.conns.add(conn)
            threading.Thread(target=self.serve, args=(conn, random.Random(self.seed * 7919 + n)), daemon=True).start()

    def serve(self, conn, rnd):
        conn.settimeout(30)
        buf = b""
        try:
            if self.tls:
                # wrap_socket takes over the descriptor: track the TLS socket for stop().
                wrapped = self.tls.wrap_socket(conn, server_side=True)
                with self.lock:
                    self.conns.discard(conn)
                    self.conns.add(wrapped)
                conn = wrapped
            while True:
                buf = recv_until(conn, buf, lambda b: b"\r\n\r\n" in b)
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.split(b"\r\n")
                target = lines[0].split(b" ")[1] if len(lines[0].split(b" ")) > 1 else b"/"
                fields = {}
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    fields[name.strip().lower()] = value.strip()
                if fields.get(b"expect", b"").lower() == b"100-continue":
                    conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                if b"chunked" in fields.get(b"transfer-encoding", b"").lower():
                    buf = self.skip_chunked(conn, buf)
                elif fields.get(b"content-length", b"").isdigit():
                    need = int(fields[b"content-length"])
                    buf = recv_until(conn, buf, lambda b: len(b) >= need)[need:]
                if fields.get(b"upgrade") and rnd.random() < 0.7:
                    self.echo_after_switching(conn, buf)
                    return
                if not self.answer(conn, rnd, target, lines[0].startswith(b"HEAD ")):
                    return
        except (OSError, Ended):
            pass
        finally:
            with self.lock:
                self.conns.discard(conn)
            conn.close()

    @staticmethod
    def skip_chunked(conn, buf):
        """What follows a chunked body (rtproxy's own framing, so well-formed)."""
        while True:
            buf = recv_until(conn, buf, lambda b: b"\r\n" in b)
            line, buf = buf.split(b"\r\n", 1)
            size = int(line.split(b";")[0] or b"0", 16)
            if size == 0:  # trailer lines, then an empty one
                buf = recv_until(conn, b"\r\n" + buf, lambda b: b"\r\n\r\n" in b)
                return buf.split(b"\r\n\r\n", 1)[1]
            buf = recv_until(conn, buf, lambda b: len(b) >= size + 2)[size + 2:]

    @staticmethod
    def echo_after_switching(conn, early):
        """101, then the new protocol is an echo until the client's side ends (rtproxy
        passes the client's half-close on), then a close."""
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n" + early)
        while True:
            more = conn.recv(65536)
            if not more:
                return
            conn.sendall(more)

    @staticmethod
    def answer(conn, rnd, target, head_only):
        roll = rnd.random()
        if roll < 0.03:  # dies before answering
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            return False
        if roll < 0.06:  # not HTTP at all
            conn.sendall(b"HTTP/1.1 2OO NOT OK\r\n\r\n")
            return False
        if roll < 0.10:  # interim responses first (rtproxy relays them)
            conn.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n")
        if roll > 0.92:  # listed in --retry-on-status: rtproxy drains the body and retries
            send_in_pieces(rnd, conn, b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
                                      b"4\r\nbusy\r\n0\r\n\r\n")
            return True
        if roll > 0.89 and not head_only:  # cut mid-body, then reset
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            return False
        if b"big" in target:
            body = bytes(rnd.randrange(256) for _ in range(64)) * (1 << 14)  # 1 MiB
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + (b"" if head_only else body))
            return True
        if b"chunked" in target:
            wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
            if not head_only:
                for _ in range(rnd.randint(1, 6)):
                    piece = os.urandom(rnd.randint(1, 3000))
                    wire += b"%x\r\n" % len(piece) + piece + b"\r\n"
                wire += b"0\r\nX-Sum: 1\r\n\r\n"
            send_in_pieces(rnd, conn, wire)  # framing cut at random places
            return True
        if b"close" in target:
            conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + (b"" if head_only else b"until close\n"))
            return False
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n" + (b"" if head_only else b"ok\n"))
        return True

    def stop(self):
        self.stopping = True
        self.listener.close()
        with self.lock:
            for conn in list(self.conns):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


# ----------------------------------------------------------------------------- clients
class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {"connections": 0, "answered": 0, "closed_without_answer": 0, "refused": 0}
        self.hangs = []

    def add(self, key, data=None):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            if key == "hang":
                self.hangs.append(data)


def read_until_closed(sock, deadline):
    """Reads until rtproxy closes; returns (bytes, closed)."""
    got = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return got, False
        sock.settimeout(left)
        try:
            more = sock.recv(1 << 20)
        except socket.timeout:
            return got, False
        except OSError:  # ssl.SSLError included
            return got, True  # a reset or a broken TLS stream counts as closed
        if not more:
            return got, True
        got += more


def one_connection(rnd, port, tally, tls):
    data = rnd.choice(BASE)
    if rnd.random() < 0.85:
        data = mutate(rnd, data)
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError:
        tally.add("refused")
        return
    tally.add("connections")
    try:
        # Over TLS, one connection in ten skips the handshake and sends its bytes in clear.
        if tls and rnd.random() < 0.9:
            try:
                sock = tls.wrap_socket(sock)
            except (ssl.SSLError, OSError):
                tally.add("handshake_failed")
                return
        try:
            send_in_pieces(rnd, sock, data)
        except OSError:
            pass  # rtproxy may answer 400 and close before the rest is sent
        got, closed = read_until_closed(sock, time.monotonic() + ANSWER_WAIT)
        half_closed = not isinstance(sock, ssl.SSLSocket)
        if not closed:
            # Everything this client will send is sent: say so, and rtproxy has to finish.
            # TLS has no half-close; there rtproxy's own timeouts end all but a body or a
            # tunnel it still waits for, and the end-of-run checks catch a connection it
            # never lets go.
            if half_closed:
                try:
                    sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            more, closed = read_until_closed(sock, time.monotonic() + FINISH_WAIT)
            got += more
        if not closed:
            tally.add("hang" if half_closed else "left_open_by_client", data)
        elif got:
            tally.add("answered")
        else:
            tally.add("closed_without_answer")
    finally:
        sock.close()


# ----------------------------------------------------------------------------- checks
def client_connections(port):
    """Client connections rtproxy still holds: ESTABLISHED, or CLOSE_WAIT (the client has
    gone and rtproxy has not closed its side), on rtproxy's listening port."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] in ("01", "08"):
                        count += 1
        except FileNotFoundError:
            pass
    return count


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)  # polling a condition, bounded by the deadline
    return predicate()


def listening_port(log_path, proc):
    def read():
        try:
            with open(log_path) as f:
                first = f.readline()
            return json.loads(first)["listen"][0]["port"] if first.endswith("\n") else None
        except (OSError, ValueError, KeyError, IndexError):
            return None
    port = None
    def ready():
        nonlocal port
        port = read()
        return port is not None or proc.poll() is not None
    wait_for(ready, 20)
    return port


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtproxy", required=True)
    parser.add_argument("--validator", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--keep", action="store_true", help="keep the log and stderr even when all held")
    parser.add_argument("--tls", action="store_true", help="clients speak TLS to rtproxy (--tls-cert/--tls-key)")
    parser.add_argument("--upstream-tls", action="store_true",
                        help="the upstream speaks TLS (rtproxy dials https:// with --upstream-ca)")
    args = parser.parse_args()

    failures = []
    workdir = tempfile.mkdtemp(prefix="rtproxy-soak-")
    log_path = os.path.join(workdir, "events.jsonl")
    err_path = os.path.join(workdir, "stderr.txt")
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    if args.tls or args.upstream_tls:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
    tls = None
    tls_args = []
    if args.tls:
        tls_args = ["--tls-cert", cert, "--tls-key", key]
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE
    upstream_tls = None
    upstream_url = "127.0.0.1:{}"
    if args.upstream_tls:
        upstream_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        upstream_tls.load_cert_chain(cert, key)
        upstream_url = "https://127.0.0.1:{}"
        tls_args += ["--upstream-ca", cert]
    upstream = Upstream(args.seed, upstream_tls)
    with open(err_path, "wb") as err:
        proc = subprocess.Popen(
            [args.rtproxy, *tls_args, "--upstream", upstream_url.format(upstream.port), "--listen", "127.0.0.1:0",
             "--threads", "2", "--quiet", "--log-file", log_path,
             "--idle-timeout", "200ms", "--read-header-timeout", "500ms", "--read-body-timeout", "500ms",
             "--response-header-timeout", "2s",
             "--expect-timeout", "200ms", "--retries", "2", "--retry-on-status", "503", "--retry-backoff", "1ms"],
            stdout=subprocess.DEVNULL, stderr=err)
    try:
        port = listening_port(log_path, proc)
        if port is None:
            failures.append("rtproxy did not start")
            return report(failures, err_path, workdir)

        tally = Tally()
        end = time.monotonic() + args.seconds

        def client(k):
            rnd = random.Random(args.seed * 1000 + k)
            while time.monotonic() < end and proc.poll() is None:
                one_connection(rnd, port, tally, tls)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        if proc.poll() is not None:
            failures.append(f"rtproxy exited during the soak with {proc.returncode}")
        for data in tally.hangs[:5]:
            failures.append(f"connection neither answered nor closed {FINISH_WAIT:.0f} s after the client half-closed; it sent {data!r}")
        if len(tally.hangs) > 5:
            failures.append(f"... {len(tally.hangs) - 5} more such connections")
        if proc.poll() is None and not wait_for(lambda: client_connections(port) == 0, 10):
            failures.append(f"{client_connections(port)} client connections still open 10 s after every client closed")

        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(20)
                if code != 0:
                    failures.append(f"rtproxy exited with {code} on SIGTERM")
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                failures.append("rtproxy did not exit within 20 s of SIGTERM")
        with open(log_path) as f:
            lines = f.read().splitlines()
        if not lines or '"event":"shutdown"' not in lines[-1]:
            failures.append("the log does not end with a shutdown event")
        checked = subprocess.run([args.validator, args.schema, log_path], capture_output=True, text=True)
        if checked.returncode != 0:
            failures.append("schema: " + checked.stdout.strip()[:2000])
        outcomes = {}
        if checked.returncode == 0:  # every line is JSON
            for event in map(json.loads, lines):
                if event["event"] == "round_trip":
                    outcomes[event["outcome"]] = outcomes.get(event["outcome"], 0) + 1
        print("wire soak:", dict(tally.counts, round_trips=sum(outcomes.values()), seconds=args.seconds, seed=args.seed))
        print("outcomes:", outcomes)
        return report(failures, err_path, workdir, args.keep)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        upstream.stop()


def report(failures, err_path, workdir, keep=False):
    with open(err_path, errors="replace") as f:
        err = f.read()
    if err.strip():
        failures.append("rtproxy wrote on stderr:\n" + err[:4000])
    for failure in failures:
        print("FAIL:", failure)
    if failures or keep:
        print("kept for inspection:", workdir)
        return 1 if failures else 0
    for name in os.listdir(workdir):
        os.unlink(os.path.join(workdir, name))
    os.rmdir(workdir)
    print("wire soak: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
