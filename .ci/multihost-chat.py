"""Chat across hosts for .ci/multihost: a client on each of two hosts joins one room;
each sends a message; each must receive the other's within the timeout, in order.
Usage: multihost-chat.py WS_URL_A WS_URL_B. Exits non-zero, saying what it saw, otherwise."""
import asyncio
import base64
import http.client
import json
import os
import sys
import urllib.parse
import uuid

import websockets


async def receive_texts(socket, wanted, timeout):
    seen = []
    async with asyncio.timeout(timeout):
        while len(seen) < len(wanted):
            message = json.loads(await socket.recv())
            if message.get("text") in wanted:
                seen.append(message["text"])
    return seen


async def main(url_a, url_b):
    tag = uuid.uuid4().hex[:8]
    async with websockets.connect(url_a) as a, websockets.connect(url_b) as b:
        for socket in (a, b):
            welcome = json.loads(await asyncio.wait_for(socket.recv(), 5))
            assert welcome.get("type") == "welcome", f"no welcome: {welcome}"
        # Both joined: let the joins reach the other host before sending.
        await asyncio.sleep(0.5)
        from_a = [f"a-{tag}-{i}" for i in range(3)]
        from_b = [f"b-{tag}-{i}" for i in range(3)]
        for text in from_a:
            await a.send(json.dumps({"text": text}))
        for text in from_b:
            await b.send(json.dumps({"text": text}))
        got_b, got_a = await asyncio.gather(receive_texts(b, from_a, 5), receive_texts(a, from_b, 5))
        assert got_b == from_a, f"host B got {got_b}, sent {from_a}"
        assert got_a == from_b, f"host A got {got_a}, sent {from_b}"
        print(f"chat: 3 messages each way between the two hosts, in order")


def handshake_answer(url):
    """What a plain upgrade request to `url` gets back: for a failure, the status
    and headers that refused or redirected the handshake."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=5)
    try:
        connection.request("GET", parts.path, headers={
            "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()})
        answer = connection.getresponse()
        return f"{url}: HTTP {answer.status}, headers {dict(answer.getheaders())}"
    except OSError as error:
        return f"{url}: {error!r}"
    finally:
        connection.close()


try:
    asyncio.run(main(sys.argv[1], sys.argv[2]))
except (AssertionError, TimeoutError, OSError, websockets.WebSocketException) as error:
    print(f"chat across hosts failed: {error!r}; " + "; ".join(handshake_answer(url) for url in sys.argv[1:3]))
    sys.exit(1)
