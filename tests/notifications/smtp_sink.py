"""A tiny SMTP server in a thread: what a worker process sends lands in ``messages``.

``delay`` holds every MAIL command that long before answering, so a test can kill a worker
while it is in the middle of a send (before the message was handed over).
"""

import email
import email.policy
import socketserver
import threading
import time


class SMTPSink:
    def __init__(self, delay=0.0):
        self.delay = delay
        self.messages = []
        self.lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                try:
                    sink._session(self.rfile, self.wfile)
                except (ConnectionError, OSError):
                    pass  # the client went away (a killed worker)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def recipients(self):
        with self.lock:
            return [m["To"] for m in self.messages]

    def wait_for(self, count, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return True
            time.sleep(0.05)
        return False

    def _session(self, rfile, wfile):
        def reply(line):
            wfile.write(line.encode() + b"\r\n")
            wfile.flush()

        reply("220 sink ready")
        while True:
            line = rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                reply("250 sink")
            elif command.startswith("MAIL"):
                time.sleep(self.delay)
                reply("250 OK")
            elif command.startswith(("RCPT", "RSET", "NOOP")):
                reply("250 OK")
            elif command == "DATA":
                reply("354 end with .")
                data = []
                while (chunk := rfile.readline()) not in (b".\r\n", b".\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                with self.lock:
                    self.messages.append(email.message_from_bytes(b"".join(data), policy=email.policy.default))
                reply("250 queued")
            elif command == "QUIT":
                reply("221 bye")
                return
            else:
                reply("502 not implemented")
