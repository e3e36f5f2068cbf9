"""A real SMTP server (aiosmtpd) that accepts every message and counts them, for
bench/notification-email.sh: the count is rewritten to COUNT_FILE after each message."""
import asyncio
import sys

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self, path):
        self.path = path
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        with open(self.path, "w") as f:
            f.write(str(self.count))
        return "250 OK"


async def main(port, path):
    controller = Controller(Counter(path), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
