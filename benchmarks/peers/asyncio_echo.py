"""Echo server for benchmarks/peers: CPython asyncio (or uvloop with --uvloop), streams or protocol style.

    /usr/bin/python3 asyncio_echo.py --port 0 --style protocol [--uvloop]

Prints "listening on 127.0.0.1:PORT ..." once it listens; serves until SIGINT/SIGTERM.
"""
import argparse
import asyncio
import os
import signal


class EchoProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)

    def pause_writing(self):
        self.transport.pause_reading()

    def resume_writing(self):
        self.transport.resume_reading()


async def echo_stream(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main(args):
    loop = asyncio.get_running_loop()
    if args.style == "streams":
        server = await asyncio.start_server(echo_stream, args.host, args.port, backlog=1024)
    else:
        server = await loop.create_server(EchoProtocol, args.host, args.port, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    impl = "uvloop" if args.uvloop else "asyncio"
    print(f"listening on {args.host}:{port} style={args.style} impl={impl} pid={os.getpid()}", flush=True)
    stop = loop.create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set_result, None)
    await stop
    server.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8888)
    p.add_argument("--style", choices=["streams", "protocol"], default="protocol")
    p.add_argument("--uvloop", action="store_true")
    a = p.parse_args()
    if a.uvloop:
        import uvloop
        uvloop.install()
    asyncio.run(main(a))
