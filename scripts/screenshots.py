"""Screenshots of the running demo (`make run`) for the README, taken in
headless Chromium through the DevTools protocol.

    .../venv/bin/python scripts/screenshots.py [http://localhost:8069]
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8069"
PORT = int(os.environ.get("CDP_PORT", "9333"))
SHOTS = [
    # (path, file), as the demo agent; then CUSTOMER_SHOTS as the demo customer
    ("/odoo/action-spid_helpdesk.spid_team_action_dashboard", "overview.png"),
    ("/odoo/action-spid_helpdesk.spid_ticket_action", "tickets_list.png"),
    ("/odoo/action-spid_helpdesk.spid_ticket_action?view_type=kanban", "tickets_kanban.png"),
    ("/odoo/action-spid_helpdesk.spid_ticket_action/{vpn}", "ticket_form.png"),
]
CUSTOMER_SHOTS = [
    ("/my/tickets?filterby=all", "portal_tickets.png"),
    ("/my/tickets/{printer}", "portal_ticket.png"),
]
FINANCE_SHOTS = [
    ("/odoo/action-spid_helpdesk_invoicing.spid_ticket_invoice_wizard_action", "invoicing_wizard.png"),
    ("/odoo/action-spid_helpdesk_invoicing.spid_tariff_action", "tariffs.png"),
]


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp()
        self.proc = subprocess.Popen(
            [
                shutil.which("chromium") or "chromium",
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--remote-debugging-port={PORT}",
                f"--user-data-dir={self.profile}",
                "--window-size=1400,900",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _i in range(50):
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{PORT}/json", timeout=2))
                break
            except OSError:
                time.sleep(0.2)
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.msg_id = 0

    def send(self, method, **params):
        self.msg_id += 1
        self.ws.send(json.dumps({"id": self.msg_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.msg_id:
                return reply.get("result", {})

    def goto(self, url, wait=4):
        self.send("Page.navigate", url=url)
        time.sleep(wait)

    def js(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result.get("result", {}).get("value")

    def shot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))

    def close(self):
        self.proc.terminate()
        shutil.rmtree(self.profile, ignore_errors=True)


def login(browser, user):
    browser.goto(f"{BASE}/web/login", wait=2)
    browser.js(
        f"document.querySelector('#login').value='{user}';"
        f"document.querySelector('#password').value='{user}';"
        "document.querySelector('form.oe_login_form').submit();"
    )
    time.sleep(4)


def ticket_id(browser, name):
    return browser.js(
        "fetch('/web/dataset/call_kw', {method: 'POST', headers: {'Content-Type': "
        "'application/json'}, body: JSON.stringify({jsonrpc: '2.0', params: {model: 'spid.ticket', "
        f"method: 'search', args: [[['name', '=', '{name}']]], kwargs: {{}}}}}})}})"
        ".then(r => r.json()).then(r => r.result[0])"
    )


def main():
    browser = Browser()
    try:
        browser.send(
            "Emulation.setDeviceMetricsOverride", width=1400, height=900, deviceScaleFactor=1, mobile=False
        )
        login(browser, "agent")
        # the demo tickets shown in the form screenshots
        vpn = ticket_id(browser, "VPN drops every hour")
        browser.goto(BASE + SHOTS[0][0], wait=8)  # first load builds the assets
        for path, name in SHOTS:
            browser.goto(BASE + path.format(vpn=vpn), wait=5)
            browser.shot(f"docs/img/{name}")
            print("docs/img/" + name)
        browser.goto(f"{BASE}/web/session/logout", wait=2)
        login(browser, "customer")
        printer = ticket_id(browser, "Printer on the 2nd floor jams every morning")
        for path, name in CUSTOMER_SHOTS:
            browser.goto(BASE + path.format(printer=printer), wait=4)
            browser.shot(f"docs/img/{name}")
            print("docs/img/" + name)
        browser.goto(f"{BASE}/web/session/logout", wait=2)
        login(browser, "finance")
        for path, name in FINANCE_SHOTS:
            browser.goto(BASE + path, wait=6)
            browser.shot(f"docs/img/{name}")
            print("docs/img/" + name)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
