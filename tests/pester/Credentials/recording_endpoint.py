"""A recording AWS endpoint for the credential tests.

Every request is written, one JSON object a line, to the log file (method, path, headers, body, and the
answer's body), then forwarded to the upstream AWS emulator (moto) and its answer passed back. Requests for
the SSO portal (GET /federation/credentials) are answered here, as the AWS SSO portal would, with the role
credentials given on the command line, for the bearer token given on the command line only.

    python recording_endpoint.py LOG UPSTREAM SSO_TOKEN SSO_ACCESS_KEY SSO_SECRET SSO_SESSION_TOKEN

Prints the port it listens on (127.0.0.1), then serves until killed.
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOG, UPSTREAM, SSO_TOKEN, SSO_KEY, SSO_SECRET, SSO_SESSION = sys.argv[1:7]
LOCK = threading.Lock()
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "accept-encoding"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet: the log file is the record
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        if self.command == "GET" and url.path == "/federation/credentials":
            status, headers, answer = self._sso(url)
        elif b"Action=AssumeRole" in body and b"role%2Fdenied" in body:
            status, headers, answer = self._denied()
        else:
            status, headers, answer = self._forward(body)
        entry = {
            "method": self.command,
            "path": url.path,
            "query": url.query,
            "headers": {k: v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
            "status": status,
            "answer": answer.decode("utf-8", "replace"),
        }
        with LOCK, open(LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def _sso(self, url):
        query = parse_qs(url.query)
        if self.headers.get("x-amz-sso_bearer_token") != SSO_TOKEN:
            error = {"message": "Session token not found or invalid"}
            return 401, [("Content-Type", "application/json"), ("x-amzn-ErrorType", "UnauthorizedException")], json.dumps(error).encode()
        credentials = {
            "roleCredentials": {
                "accessKeyId": SSO_KEY,
                "secretAccessKey": SSO_SECRET,
                "sessionToken": SSO_SESSION,
                "expiration": int((time.time() + 3600) * 1000),
            }
        }
        # The role asked for is echoed in the record, so the test can check it.
        _ = query.get("role_name"), query.get("account_id")
        return 200, [("Content-Type", "application/json")], json.dumps(credentials).encode()

    def _denied(self):
        # STS refusing a role whose trust policy does not name the caller, as AWS words it.
        answer = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            "<Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole on resource: "
            "arn:aws:iam::123456789012:role/denied</Message></Error><RequestId>denied-1</RequestId></ErrorResponse>"
        )
        return 403, [("Content-Type", "text/xml")], answer.encode()

    def _forward(self, body):
        request = urllib.request.Request(UPSTREAM.rstrip("/") + self.path, data=body or None, method=self.command)
        for name, value in self.headers.items():
            if name.lower() not in HOP_BY_HOP:
                request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, list(response.headers.items()), response.read()
        except urllib.error.HTTPError as error:
            return error.code, list(error.headers.items()), error.read()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
