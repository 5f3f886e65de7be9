"""Live updates under --workers (#20), checked by hand on a built database:
starts a second Odoo with two HTTP workers and its gevent websocket process
on free ports, logs in, subscribes a websocket to the lists' channel,
changes an open ticket's priority over JSON-RPC (then puts it back) and
prints how long the list notification took to arrive through PostgreSQL's
NOTIFY and the gevent process. The server is stopped afterwards.

    cd REPO && eval "$(bash scripts/pg.sh env)" && \\
      ~/.cache/spid-helpdesk/venv-py3.11/bin/python scripts/live_workers_check.py [DB [LOGIN [PASSWORD]]]
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import requests
import websocket

DEFAULTS = ["spid_test", "admin", "admin"]
DB, LOGIN, PASSWORD = (sys.argv[1:] + DEFAULTS[len(sys.argv) - 1 :])[:3]
ODOO = os.path.expanduser("~/.cache/spid-helpdesk/odoo")
PYTHON = os.path.expanduser("~/.cache/spid-helpdesk/venv-py3.11/bin/python")
WS_VERSION = "18.0-5"  # bus/websocket.py WebsocketConnectionHandler._VERSION


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    http_port, gevent_port = free_port(), free_port()
    command = [PYTHON, f"{ODOO}/odoo-bin", "-c", ".local/odoo.conf", "-d", DB, f"--db-filter=^{DB}$"]
    command += [
        "--workers=2",
        "--max-cron-threads=0",
        f"--http-port={http_port}",
        f"--gevent-port={gevent_port}",
    ]
    with open("/tmp/live_workers.log", "w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{http_port}"
        for _attempt in range(120):
            try:
                requests.get(base + "/web/login", timeout=10)
                break
            except requests.RequestException:
                time.sleep(1)
        http = requests.Session()
        params = {"db": DB, "login": LOGIN, "password": PASSWORD}
        http.post(base + "/web/session/authenticate", json={"jsonrpc": "2.0", "params": params}, timeout=30)

        def call(method, args):
            params = {"model": "spid.ticket", "method": method, "args": args, "kwargs": {}}
            url = f"{base}/web/dataset/call_kw/spid.ticket/{method}"
            return http.post(url, json={"jsonrpc": "2.0", "params": params}, timeout=30).json()["result"]

        ws = websocket.create_connection(
            f"ws://127.0.0.1:{gevent_port}/websocket?version={WS_VERSION}",
            cookie=f"session_id={http.cookies['session_id']}",
            origin=base,
            timeout=15,
        )
        ws.send(json.dumps({"event_name": "subscribe", "data": {"channels": ["spid_live_list"], "last": 0}}))
        time.sleep(1.5)
        ids = call("search", [[("is_closed", "=", False)]])[:1]
        old = call("read", [ids, ["priority"]])[0]["priority"]
        start = time.time()
        call("write", [ids, {"priority": "1" if old != "1" else "2"}])
        written = time.time() - start
        arrived = None
        while arrived is None and time.time() - start < 15:
            for notification in json.loads(ws.recv()):
                message = notification["message"]
                if message["type"] == "spid.ticket/live_changed" and ids[0] in message["payload"]["ids"]:
                    arrived = time.time() - start
        call("write", [ids, {"priority": old}])
        ws.close()
        if arrived is None:
            sys.exit("NOT RECEIVED")
        print(f"ticket {ids[0]}: write answered in {written:.3f}s, list notification in {arrived:.3f}s")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
