"""A local SMTP server that keeps every message Odoo sends, for the demo.

    python scripts/mailcatcher.py --port 8025 --dir .local/mail

Each message is written as one ``.eml`` file (readable with any mail client,
or ``less``) named after its arrival time and subject, and one line per
message is printed: time, sender, recipients, subject. Nothing is relayed:
the demo's customers are fictitious, and an evaluator sees in the folder
exactly what a customer would receive.
"""

import argparse
import asyncio
import email
import email.policy
import re
import signal
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class Catcher:
    """aiosmtpd handler: one file per message, never relayed."""

    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        subject = str(message.get("Subject", ""))
        slug = re.sub(r"[^\w-]+", "-", subject, flags=re.ASCII).strip("-")[:60] or "no-subject"
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{self.count:04d}-{slug}.eml"
        (self.folder / name).write_bytes(envelope.content)
        recipients = ", ".join(envelope.rcpt_tos)
        print(f"{time.strftime('%H:%M:%S')}  {envelope.mail_from} -> {recipients}  {subject}", flush=True)
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, required=True, help="folder that receives one .eml per message")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(Catcher(args.dir), hostname=args.host, port=args.port)
    controller.start()
    print(f"mail catcher: smtp://{args.host}:{args.port} -> {args.dir}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        loop.run_until_complete(stop.wait())
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
