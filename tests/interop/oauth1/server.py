"""An OAuth 1.0a resource for baton's integration tests: oauthlib (not baton) checks each
request's signature (RFC 5849), so what baton signs is judged by an implementation nobody
here wrote.

Any path answers (`/hop` redirects to `/landed` when the signature holds). 200 with JSON (the client key, the token, the signature method and the
request's own parameters) when the signature holds; 401 with JSON otherwise. One consumer
and one token are known (below); a nonce is accepted once per client and timestamp.

Run with the venv of tests/interop/dot (oauthlib is pinned there). Listens on 127.0.0.1,
port $PORT (0: any free one), prints `READY http://127.0.0.1:PORT`, and exits when its stdin
closes (so it never outlives the test process that started it; IGNORE_STDIN=1 to run it by
hand).
"""

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

CONSUMER_KEY = "batonconsumer"
CONSUMER_SECRET = "consumer s3cret&+/="
TOKEN = "batontoken"
TOKEN_SECRET = "token s3cret!*'()"

SEEN = set()
SEEN_LOCK = threading.Lock()


class Validator(RequestValidator):
    """One client, one token; nonces remembered for the life of the process."""

    enforce_ssl = False
    client_key_length = (3, 64)
    access_token_length = (3, 64)
    nonce_length = (8, 64)
    dummy_client = "dummyclient"
    dummy_access_token = "dummytoken"

    @property
    def allowed_signature_methods(self):
        return ("HMAC-SHA1", "HMAC-SHA256", "PLAINTEXT")

    def validate_client_key(self, client_key, request):
        return client_key == CONSUMER_KEY

    def get_client_secret(self, client_key, request):
        return CONSUMER_SECRET if client_key == CONSUMER_KEY else "dummy"

    def validate_access_token(self, client_key, token, request):
        return token == TOKEN

    def get_access_token_secret(self, client_key, token, request):
        return TOKEN_SECRET if token == TOKEN else "dummy"

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request,
                                     request_token=None, access_token=None):
        key = (client_key, timestamp, nonce)
        with SEEN_LOCK:
            if key in SEEN:
                return False
            SEEN.add(key)
        return True


ENDPOINT = SignatureOnlyEndpoint(Validator())


class Handler(BaseHTTPRequestHandler):
    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else None
        uri = "http://%s%s" % (self.headers.get("Host"), self.path)
        headers = {k: v for k, v in self.headers.items()}
        valid, request = ENDPOINT.validate_request(uri, self.command, body, headers)
        token = getattr(request, "resource_owner_key", None) if request else None
        if valid and token is not None and token != TOKEN:
            valid = False
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        ctype = self.headers.get("Content-Type") or ""
        if body and ctype.startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body, keep_blank_values=True))
        params = {k: v for k, v in params.items() if not k.startswith("oauth_")}
        if valid:
            status, doc = 200, {
                "ok": True,
                "client_key": request.client_key,
                "token": token,
                "signature_method": request.signature_method,
                "params": params,
            }
        else:
            status, doc = 401, {"ok": False, "error": "invalid OAuth 1.0a signature"}
        if valid and urlsplit(self.path).path == "/hop":
            # A redirect: the next request must be signed afresh (a new nonce, its own URL).
            self.send_response(302)
            self.send_header("Location", "/landed?after=hop")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps(doc).encode()
        self.send_response(status)
        if status == 401:
            self.send_header("WWW-Authenticate", 'OAuth realm="baton-interop"')
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "0"))), Handler)
    server.daemon_threads = True
    print("READY http://127.0.0.1:%d" % server.server_address[1], flush=True)
    if os.environ.get("IGNORE_STDIN") != "1":
        def watch():
            sys.stdin.read()
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
