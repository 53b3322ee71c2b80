#!/usr/bin/env python3
"""A strict HTTP/1.1 chunked peer, for the differential test regtests/http/chunked_strict.vtc.

    python3 chunked_peer.py origin PORT READY_FILE  an origin server on 127.0.0.1:PORT
    python3 chunked_peer.py client HOST PORT        a client running every case through a proxy

Both sides decode chunked framing exactly as RFC 9112 7.1 writes it, with nothing lenient:
CRLF line ends only, chunk-size = 1*HEXDIG, extensions `;name[=token|quoted-string]` without
whitespace, trailer field lines, the final CRLF. Whatever the proxy forwards must decode to
what the proxy itself accepted: the test fails if the peer on the other side finds a framing
error, a different body, different extensions or trailers, or a desynchronised connection.

Request cases: the client sends each body (split into TCP segments in several ways) to
/echo/<case>; the origin answers with what it decoded (body, extensions, trailers). A valid
body must come back the same; a lenient one must be refused by the proxy with 400 and never
reach the origin (the origin lists what it received at /seen).
Response cases: the client asks /res/<case>; the origin sends that body; a valid one must
decode on the client to what the origin sent; a lenient one must give a 502 (framing in the
first segment) or a connection closed before any lenient byte (framing in a later segment).
Prints one line per case and "ALL OK" at the end when every case passed (exit status 0).
"""
import re
import signal
import socket
import sys
import threading
import time

TCHAR = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
EXT = re.compile(rb';([!#$%&\'*+.^_`|~0-9A-Za-z-]+)(?:=([!#$%&\'*+.^_`|~0-9A-Za-z-]+|'
                 rb'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"))?')
FIELD = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([\t \x21-\x7e\x80-\xff]*?)[ \t]*")


class FramingError(Exception):
    pass


class Reader:
    """Buffered reads from a socket; lines must end with CRLF and hold no other CR or LF."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self):
        d = self.sock.recv(65536)
        if not d:
            raise EOFError("connection closed")
        self.buf += d

    def line(self):
        while b"\n" not in self.buf:
            if len(self.buf) > 65536:
                raise FramingError("line too long")
            self.fill()
        line, self.buf = self.buf.split(b"\n", 1)
        if not line.endswith(b"\r"):
            raise FramingError("bare LF ending %r" % line)
        line = line[:-1]
        if b"\r" in line:
            raise FramingError("bare CR in %r" % line)
        return line

    def exact(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d


def read_head(r):
    """Start line and header fields (names lower-cased)."""
    start = r.line()
    hdrs = {}
    while True:
        line = r.line()
        if not line:
            return start, hdrs
        m = FIELD.fullmatch(line)
        if not m:
            raise FramingError("bad header line %r" % line)
        hdrs[m.group(1).lower()] = m.group(2)


def read_chunked(r):
    """Decodes a chunked body strictly. Returns (body, chunk count, extensions, trailers)."""
    body, exts, trailers, n = b"", [], [], 0
    while True:
        line = r.line()
        m = re.match(rb"[0-9A-Fa-f]+", line)
        if not m:
            raise FramingError("bad chunk size line %r" % line)
        size = int(m.group(0), 16)
        rest = line[m.end():]
        here = [e.group(0) for e in EXT.finditer(rest)]
        if b"".join(here) != rest:  # anything between or after the extensions
            raise FramingError("bad chunk extension in %r" % line)
        exts += here
        if size == 0:
            break
        n += 1
        body += r.exact(size)
        if r.exact(2) != b"\r\n":
            raise FramingError("no CRLF after chunk data")
    while True:
        line = r.line()
        if not line:
            return body, n, exts, trailers
        if not FIELD.fullmatch(line):
            raise FramingError("bad trailer line %r" % line)
        trailers.append(line)


def read_body(r, hdrs):
    if hdrs.get(b"transfer-encoding", b"").lower() == b"chunked":
        return read_chunked(r)
    return r.exact(int(hdrs.get(b"content-length", b"0"))), 0, [], []


def chunked(pieces, exts=None, trailers=()):
    """Encodes a list of chunk payloads, the i-th chunk with exts[i] after its size."""
    out = b""
    for i, p in enumerate(pieces + [b""]):
        out += b"%x%s\r\n" % (len(p), exts[i] if exts and i < len(exts) else b"")
        if p:
            out += p + b"\r\n"
    return out + b"".join(t + b"\r\n" for t in trailers) + b"\r\n"


# ---- the cases ---------------------------------------------------------------------------

ALPHABET = bytes(range(256))
MANY = [ALPHABET[i:i + (i % 7) + 1] for i in range(0, 200, 3)]  # 67 chunks of 1-7 bytes
VALID = {
    # name: (pieces, extensions per chunk, trailers)
    "plain": ([b"hello", b" ", b"world"], None, []),
    "binary": ([ALPHABET, b"\r\n0\r\n\r\n", b"\n"], None, []),
    "many": (MANY, None, []),
    "ext": ([b"abc", b"de", b"f"], [b";a", b";a=b;c=\"q \\\" ;=\"", b";!#$%&'*+-.^_`|~=x", b";end"],
            []),
    "trailers": ([b"data"], None, [b"X-Sum: abc", b"X-Empty:", b"X-Obs: caf\xc3\xa9 \t x"]),
    "everything": (MANY[:20], [b";n=%d" % i for i in range(21)], [b"T: v"]),
    "upper": ([b"x" * 26, b"y" * 171], None, []),
    "zeros": ([b"z"], [b""], []),
}
# the encoded form of a valid case; "upper" and "zeros" spell their sizes in other ways
VALID_RAW = {k: chunked(*v) for k, v in VALID.items()}
VALID_RAW["upper"] = b"1A\r\n" + b"x" * 26 + b"\r\n0AB\r\n" + b"y" * 171 + b"\r\n0\r\n\r\n"
VALID_RAW["zeros"] = b"0000000000000001\r\nz\r\n0000\r\n\r\n"

# lenient framing that a strict peer reads differently or refuses: the proxy must refuse it
LENIENT = {
    "lf-size": b"3\nabc\r\n0\r\n\r\n",
    "lf-ext": b"3;a=b\nabc\r\n0\r\n\r\n",
    "lf-data": b"3\r\nabc\n0\r\n\r\n",
    "lf-last": b"3\r\nabc\r\n0\n\r\n",
    "lf-trailer": b"3\r\nabc\r\n0\r\nT: v\n\r\n",
    "lf-end": b"3\r\nabc\r\n0\r\n\n",
    "sp-size": b"3 \r\nabc\r\n0\r\n\r\n",
    "tab-size": b"3\t\r\nabc\r\n0\r\n\r\n",
    "sp-last": b"3\r\nabc\r\n0 \r\n\r\n",
    "bws-semi": b"3 ;a=b\r\nabc\r\n0\r\n\r\n",
    "bws-ext": b"3; a = b\r\nabc\r\n0\r\n\r\n",
    "bad-ext": b"3;a=b c\r\nabc\r\n0\r\n\r\n",
    # a bare-LF reader sees a second request in the body
    "smuggle": b"2;\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n0\r\n\r\n",
}


def expected(name):
    """What a strict reader decodes from the case's encoding."""
    r = Reader(None)
    r.buf = VALID_RAW[name]
    return read_chunked(r)


def splits(raw):
    """Ways to cut raw into TCP segments: whole, in two at a few places, byte by byte."""
    yield [raw]
    for cut in sorted({1, 2, 3, len(raw) // 2, len(raw) - 2, len(raw) - 1}):
        if 0 < cut < len(raw):
            yield [raw[:cut], raw[cut:]]
    yield [raw[i:i + 1] for i in range(len(raw))]


# ---- origin --------------------------------------------------------------------------------

seen = []


def origin_conn(c):
    r = Reader(c)
    try:
        while True:
            start, hdrs = read_head(r)
            target = start.split(b" ")[1].decode()
            seen.append(target)
            try:
                body, n, exts, trailers = read_body(r, hdrs)
            except FramingError as e:
                msg = ("framing error: %s" % e).encode()
                c.sendall(b"HTTP/1.1 400 Bad\r\nx-origin-error: yes\r\nconnection: close\r\n"
                          b"content-length: %d\r\n\r\n%s" % (len(msg), msg))
                return
            if target.startswith("/echo/"):
                c.sendall(b"HTTP/1.1 200 OK\r\nx-chunks: %d\r\nx-ext: %s\r\nx-trailers: %s\r\n"
                          b"content-length: %d\r\n\r\n%s" % (
                              n, b"|".join(exts).hex().encode(),
                              b"|".join(trailers).hex().encode(), len(body), body))
            elif target == "/seen":
                s = " ".join(seen).encode()
                c.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(s), s))
            elif target.startswith("/res/"):
                origin_res(c, target[5:])
            else:
                c.sendall(b"HTTP/1.1 404 No\r\ncontent-length: 0\r\n\r\n")
    except (EOFError, FramingError, OSError):
        pass
    finally:
        c.close()


def origin_res(c, spec):
    """/res/<valid case>/<split index> or /res/lenient/<case>/<head|later>"""
    head = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
    parts = spec.split("/")
    if parts[0] == "lenient":
        raw = LENIENT[parts[1]]
        if parts[2] == "head":
            c.sendall(head + raw)
        else:  # a valid first chunk, then the lenient framing in another segment
            c.sendall(head + b"4\r\nGOOD\r\n")
            time.sleep(0.2)
            c.sendall(raw)
        time.sleep(0.5)  # then wait to be closed
        raise EOFError
    raw = VALID_RAW[parts[0]]
    segs = list(splits(raw))[int(parts[1])]
    c.sendall(head)
    for s in segs:
        c.sendall(s)
        if len(segs) > 1:
            time.sleep(0.0005 if len(segs) > 8 else 0.02)


def origin(port, ready):
    """Listens on 127.0.0.1:port, a port that a varnishtest server reserved and is giving up:
    retries until it is free, then creates the file `ready`."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    for i in range(5000):
        try:
            ls.bind(("127.0.0.1", port))
            break
        except OSError:
            time.sleep(0.001)
    ls.listen(64)
    open(ready, "w").close()
    while True:
        c, _ = ls.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=origin_conn, args=(c,), daemon=True).start()


# ---- client --------------------------------------------------------------------------------

class Client:
    def __init__(self, host, port):
        self.addr = (host, port)
        self.sock = None

    def connect(self):
        self.close()
        self.sock = socket.create_connection(self.addr, timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.r = Reader(self.sock)

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    def send(self, segs):
        for s in segs:
            self.sock.sendall(s)
            if len(segs) > 1:
                time.sleep(0.0005 if len(segs) > 8 else 0.02)

    def response(self):
        start, hdrs = read_head(self.r)
        status = int(start.split(b" ")[1])
        return status, hdrs, read_body(self.r, hdrs)

    def closed(self):
        """The proxy closes the connection (after what it already sent)."""
        try:
            while True:
                self.r.fill()
        except EOFError:
            return True
        except socket.timeout:
            return False


failures = []
T0 = time.time()


def check(cond, what):
    print("%s %.2f %s" % ("ok  " if cond else "FAIL", time.time() - T0, what), flush=True)
    if not cond:
        failures.append(what)


def client(host, port):
    cl = Client(host, port)
    post = b"POST /echo/%s HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"

    # requests with valid framing, several on one connection, in segments cut in many ways
    for name in VALID:
        want = expected(name)
        cl.connect()
        for i, segs in enumerate(splits(post % name.encode() + VALID_RAW[name])):
            what = "request %s, split %d" % (name, i)
            try:
                cl.send(segs)
                status, hdrs, got = cl.response()
                check(status == 200 and got[0] == want[0] and
                      int(hdrs[b"x-chunks"]) == want[1] and
                      bytes.fromhex(hdrs[b"x-ext"].decode()) == b"|".join(want[2]) and
                      bytes.fromhex(hdrs[b"x-trailers"].decode()) == b"|".join(want[3]),
                      "%s: the origin decoded what was sent (status %d)" % (what, status))
            except (EOFError, FramingError, OSError) as e:
                check(False, "%s: %s" % (what, e))
                cl.connect()
    # requests with lenient framing: refused, never seen by the origin
    for name, raw in LENIENT.items():
        what = "lenient request %s" % name
        cl.connect()
        try:
            cl.send([post % ("bad-" + name).encode() + raw])
            status, hdrs, got = cl.response()
            check(status == 400 and b"x-origin-error" not in hdrs and cl.closed(),
                  "%s: 400 from the proxy and closed (got %d%s)" % (
                      what, status, ", " + got[0].decode() if b"x-origin-error" in hdrs else ""))
        except (EOFError, FramingError, OSError) as e:
            check(False, "%s: %s" % (what, e))
    cl.connect()
    cl.send([b"GET /seen HTTP/1.1\r\nhost: x\r\n\r\n"])
    status, hdrs, got = cl.response()
    leaked = [t for t in got[0].decode().split() if "bad-" in t or "smuggled" in t]
    check(status == 200 and not leaked, "no lenient request reached the origin %s" % leaked)

    # responses with valid framing, split in segments by the origin, several on one connection
    for name in VALID:
        want = expected(name)
        cl.connect()
        for i in range(len(list(splits(VALID_RAW[name])))):
            what = "response %s, split %d" % (name, i)
            try:
                cl.send([b"GET /res/%s/%d HTTP/1.1\r\nhost: x\r\n\r\n" % (name.encode(), i)])
                status, hdrs, got = cl.response()
                check(status == 200 and got == want, "%s: the client decoded what the origin sent"
                      % what)
            except (EOFError, FramingError, OSError) as e:
                check(False, "%s: %s" % (what, e))
                cl.connect()
    # responses with lenient framing: 502, or a cut before any lenient byte
    for name in LENIENT:
        for where in ("head", "later"):
            what = "lenient response %s (%s)" % (name, where)
            cl.connect()
            try:
                cl.send([b"GET /res/lenient/%s/%s HTTP/1.1\r\nhost: x\r\n\r\n" % (
                    name.encode(), where.encode())])
                if where == "head":
                    status, hdrs, got = cl.response()
                    check(status == 502, "%s: 502 (got %d)" % (what, status))
                    if b"close" in hdrs.get(b"connection", b"").lower():
                        check(cl.closed(), "%s: closed after the 502" % what)
                        continue
                    # kept alive: the next response on the connection must be intact
                    cl.send([b"GET /res/plain/0 HTTP/1.1\r\nhost: x\r\n\r\n"])
                    status, hdrs, got = cl.response()
                    check(status == 200 and got == expected("plain"),
                          "%s: the next response on the connection is intact" % what)
                    continue
                start, hdrs = read_head(cl.r)
                try:
                    read_chunked(cl.r)
                    check(False, "%s: the client read a whole body" % what)
                except EOFError:
                    check(True, "%s: cut before any lenient byte" % what)
            except (EOFError, FramingError, OSError) as e:
                check(False, "%s: %s" % (what, e))
    cl.close()
    if failures:
        print("%d FAILED" % len(failures))
        sys.exit(1)
    print("ALL OK")


if __name__ == "__main__":
    if sys.argv[1] == "origin":
        origin(int(sys.argv[2]), sys.argv[3])
    else:
        signal.alarm(60)  # bounded whatever the proxy does
        client(sys.argv[2], int(sys.argv[3]))
