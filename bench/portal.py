"""The portal's pages over HTTP for bench.py: a real Odoo server per
database (threaded, no cron), a logged-in portal session on each, requests
interleaved; medians, p90 and the servers' own query counts."""

import os
import re
import statistics
import subprocess
import sys
import time
from typing import NamedTuple

import requests

ODOO_DIR = os.environ.get("ODOO_DIR", os.path.expanduser("~/.cache/spid-helpdesk/odoo"))


class Page(NamedTuple):
    """One portal page over HTTP: times in ms, the server's query count."""

    median_ms: float
    p90_ms: float
    queries: float | None


class Server:
    def __init__(self, conf, db, port, logfile):
        self.port = port
        self.logfile = logfile
        self.url = f"http://127.0.0.1:{port}"
        venv_python = sys.executable
        cmd = [
            venv_python, os.path.join(ODOO_DIR, "odoo-bin"), "-c", conf, "-d", db, f"--db-filter=^{db}$",
            f"--http-port={port}", "--max-cron-threads=0", "--log-level=warn",
            "--log-handler=werkzeug:INFO", f"--logfile={logfile}",
        ]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _attempt in range(240):
            try:
                requests.get(self.url + "/web/login", timeout=5)
                return
            except (requests.ConnectionError, requests.Timeout):  # still loading
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"Odoo did not answer on {self.url}; see {logfile}")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)

    def session(self, login, password):
        session = requests.Session()
        page = session.get(self.url + "/web/login", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = session.post(
            self.url + "/web/login",
            data={"login": login, "password": password, "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 303, f"login refused on {self.url}"
        return session

    def queries_of(self, path):
        """Median query count of the logged requests to path (werkzeug's
        access log line ends with: queries, query time, other time)."""
        counts = []
        with open(self.logfile, encoding="utf-8") as handle:
            for line in handle:
                match = re.search(r'"GET (\S+) HTTP/1.1" 200 - (\d+) [\d.]+ [\d.]+', line)
                if match and match.group(1) == path:
                    counts.append(int(match.group(2)))
        return statistics.median(counts) if counts else None


def http_pages(ours_server, peer_server, ours_db, peer_db, requests_count):
    """{label: [Page ours, Page of the peer]}: median and p90 (ms) of the
    customer's pages, ours and the peer's requests interleaved; plus the
    median query count of each."""
    with ours_db.env(commit=False) as env:
        ours_ticket = (
            env["spid.ticket"].search([("partner_id", "=", ours_db.ids["customer_contact"])], limit=1).id
        )
    with peer_db.env(commit=False) as env:
        peer_ticket = (
            env["helpdesk.ticket"].search([("partner_id", "=", peer_db.ids["customer_contact"])], limit=1).id
        )
    ours_session = ours_server.session("bench_customer", "bench_customer")
    peer_session = peer_server.session("bench_customer", "bench_customer")
    pages = {
        "Portal `/my/tickets` (customer with 1,000 tickets)": (
            (ours_server, ours_session, "/my/tickets"),
            (peer_server, peer_session, "/my/tickets"),
        ),
        "Portal ticket page": (
            (ours_server, ours_session, f"/my/tickets/{ours_ticket}"),
            (peer_server, peer_session, f"/my/ticket/{peer_ticket}"),
        ),
    }
    results = {}
    for label, sides in pages.items():
        timings = ([], [])
        for i in range(requests_count + 5):
            for side, (server, session, path) in enumerate(sides):
                start = time.perf_counter()
                response = session.get(server.url + path, timeout=60)
                elapsed = time.perf_counter() - start
                assert response.status_code == 200, f"{server.url}{path}: {response.status_code}"
                if i >= 5:  # warm-up
                    timings[side].append(elapsed * 1000)
        results[label] = [
            Page(statistics.median(t), percentile(t, 90), server.queries_of(path))
            for t, (server, _session, path) in zip(timings, sides)
        ]
    return results


def percentile(values, pct):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure_pages(args, ours, peer, stage, count):
    """The customer's portal pages, over HTTP, one server per database."""
    log_dir = os.path.join(args.state, "bench")
    os.makedirs(log_dir, exist_ok=True)
    servers = []
    try:
        servers.append(
            Server(args.conf, ours.name, args.http_port, os.path.join(log_dir, f"ours-{stage}.log"))
        )
        servers.append(
            Server(args.conf, peer.name, args.peer_http_port, os.path.join(log_dir, f"peer-{stage}.log"))
        )
        for server in servers:
            open(server.logfile, "w").close()  # keep only the measured requests
        return http_pages(servers[0], servers[1], ours, peer, count)
    finally:
        for server in servers:
            server.stop()
