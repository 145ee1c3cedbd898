"""A small ActivityPub peer built on bovine (PyPI), for Kwartier's interop test.

Run by federation-tests/tests/interop.rs as

    peer.py http://localhost:NODEPORT moestuin@localhost:NODEPORT

It serves one actor on http://localhost:PORT (a free port it picks itself), then:

1. looks the initiative up by WebFinger (bovine's lookup_uri_with_webfinger);
2. fetches the initiative with a signed GET (bovine's BovineActor);
3. follows it and waits for the Accept, whose HTTP signature bovine verifies;
4. verifies both Announces of each story (Announce(Create(Article)) and
   Announce(article id), the latter dereferenced with a signed GET);
5. replies to the first story with a public, signed Create(Note).

Progress goes to stdout as one JSON object per line ({"event": ...}); the test reads
those. Anything unexpected is an {"event": "error"} line and a non-zero exit. Logs go to
stderr.
"""

import asyncio
import json
import logging
import socket
import sys
import uuid

from aiohttp import web

from bovine import BovineActor
from bovine.activitystreams.activity_factory import ActivityFactory
from bovine.activitystreams.object_factory import ObjectFactory
from bovine.clients import lookup_uri_with_webfinger
from bovine.crypto import build_validate_http_signature_raw, generate_rsa_public_private_key
from bovine.crypto.types import CryptographicIdentifier

AP_JSON = "application/activity+json"


def emit(event, **fields):
    """One progress line for the test."""
    print(json.dumps({"event": event, **fields}), flush=True)


def fail(message):
    emit("error", message=message)
    raise SystemExit(1)


class Peer:
    def __init__(self, node, handle, port):
        self.node = node
        self.handle = handle
        self.base = f"http://localhost:{port}"
        self.actor_id = f"{self.base}/actor"
        self.key_id = f"{self.actor_id}#main-key"
        public_pem, self.private_pem = generate_rsa_public_private_key()
        self.actor = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.actor_id,
            "type": "Person",
            "preferredUsername": "koe",
            "name": "Bovine test peer",
            "inbox": f"{self.base}/inbox",
            "outbox": f"{self.base}/outbox",
            "followers": f"{self.base}/followers",
            "publicKey": {"id": self.key_id, "owner": self.actor_id, "publicKeyPem": public_pem},
        }
        self.objects = {self.actor_id: self.actor}  # what GET serves, by id
        self.client = None  # BovineActor: signs our GETs and POSTs
        self.initiative = None
        self.follow_id = None
        self.accepted = asyncio.Event()
        self.stories = {}  # article id -> set of ways it arrived ("create", "object")
        self.story_ready = asyncio.Event()
        self.story_id = None

    def new_id(self, kind):
        return f"{self.base}/{kind}/{uuid.uuid4()}"

    async def post(self, inbox, activity):
        """Delivers an activity, signed by bovine; a refusal ends the run with its reason."""
        response = await self.client.client.post(inbox, json.dumps(activity))
        if response.status >= 300:
            fail(f"POST {activity['type']} to {inbox}: {response.status} {await response.text()}")

    # ---- server side --------------------------------------------------------------

    async def get_object(self, request):
        found = self.objects.get(f"{self.base}{request.path}")
        if found is None:
            return web.Response(status=404)
        return web.Response(text=json.dumps(found), content_type=AP_JSON)

    async def fetch_key(self, key_id):
        """bovine's key retriever: the key's owner, fetched with our signed GET."""
        document = await self.client.get(key_id)
        if not document or "publicKey" not in document:
            return None
        key = document["publicKey"]
        if isinstance(key, list):
            key = next((k for k in key if k.get("id") == key_id), None)
        if key is None or key.get("id") != key_id:
            return None
        return CryptographicIdentifier.from_public_key(key)

    async def inbox(self, request):
        body = await request.read()
        verify = build_validate_http_signature_raw(self.fetch_key)

        async def read_body():
            return body

        signer = await verify(request.method, str(request.url), request.headers, read_body)
        try:
            activity = json.loads(body)
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if signer is None or signer != activity.get("actor"):
            emit("bad-signature", activity=activity.get("id"), signer=signer)
            return web.Response(status=401, text="signature does not verify")
        try:
            await self.receive(activity, signer)
        except Exception as e:  # a report, not a crash: the test shows it
            logging.exception("handling %s", activity.get("id"))
            emit("error", message=f"handling {activity.get('type')}: {e!r}")
            return web.Response(status=500)
        return web.Response(status=202)

    async def receive(self, activity, signer):
        kind = activity.get("type")
        obj = activity.get("object")
        if kind == "Accept":
            follow = obj.get("id") if isinstance(obj, dict) else obj
            if follow == self.follow_id and signer == self.initiative["id"]:
                emit("accepted", signer=signer, follow=follow)
                self.accepted.set()
        elif kind == "Announce" and signer == self.initiative["id"]:
            if isinstance(obj, dict) and obj.get("type") == "Create":
                inner = obj.get("object")
                if isinstance(inner, dict) and inner.get("type") == "Article":
                    self.story_arrived(inner["id"], "create")
                elif isinstance(inner, dict) and inner.get("type") == "Note":
                    emit("reply-announced", id=inner.get("id"), signer=signer)
            elif isinstance(obj, str):
                # Only an id: dereference it (signed), as a real server would.
                fetched = await self.client.get(obj)
                if fetched and fetched.get("type") == "Article" and fetched.get("id") == obj:
                    self.story_arrived(obj, "object")
                else:
                    emit("error", message=f"announced {obj} is not an Article: {fetched}")

    def story_arrived(self, article_id, how):
        """Reports a story once both Announces brought it; the first one gets our reply."""
        ways = self.stories.setdefault(article_id, set())
        if how in ways:
            return
        ways.add(how)
        if ways == {"create", "object"}:
            emit("story", id=article_id, via=sorted(ways))
            if self.story_id is None:
                self.story_id = article_id
                self.story_ready.set()

    # ---- client side --------------------------------------------------------------

    async def run(self):
        # 1. WebFinger. acct: lookups default to https; the node runs plain http in
        #    development, so we name the server to ask (a documented parameter).
        actor_id, _ = await lookup_uri_with_webfinger(
            self.client.session, f"acct:{self.handle}", domain=self.node
        )
        if not actor_id:
            fail(f"WebFinger found no actor for acct:{self.handle}")
        emit("webfinger", actor=actor_id)

        # 2. The initiative, fetched with a signed GET.
        self.initiative = await self.client.get(actor_id)
        if not self.initiative or self.initiative.get("id") != actor_id:
            fail(f"fetching {actor_id} gave {self.initiative}")
        if "inbox" not in self.initiative or "publicKey" not in self.initiative:
            fail(f"{actor_id} has no inbox or no publicKey: {self.initiative}")
        emit("actor", id=actor_id, type=self.initiative.get("type"), inbox=self.initiative["inbox"])

        # 3. Follow; the Accept arrives in our inbox.
        activities = ActivityFactory(self.actor, id_generator=lambda: self.new_id("activities"))
        follow = activities.follow(actor_id).build()
        self.follow_id = follow["id"]
        await self.post(self.initiative["inbox"], follow)
        emit("followed", id=self.follow_id)
        await self.accepted.wait()

        # 4. The test publishes a story now; wait for both Announces of it.
        await self.story_ready.wait()

        # 5. A public reply, signed, to the initiative's inbox.
        objects = ObjectFactory(
            actor_information=self.actor, id_generator=lambda: self.new_id("notes")
        )
        note = (
            objects.note(
                content="<p>Mooi verhaal! Groeten van bovine.</p>",
                in_reply_to=self.story_id,
                cc={self.initiative["id"]},
            )
            .as_public()  # to: as:Public, cc: our followers
            .build()
        )
        self.objects[note["id"]] = note
        create = activities.create(note).build()
        await self.post(self.initiative["inbox"], create)
        emit("replied", id=note["id"], activity=create["id"])

        # Stay up: the node announces our reply back, and the test may fetch our objects.
        await asyncio.Event().wait()


async def main():
    if len(sys.argv) != 3:
        sys.exit("usage: peer.py NODE_URL HANDLE")
    node, handle = sys.argv[1], sys.argv[2]
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    peer = Peer(node, handle, port)

    app = web.Application()
    app.router.add_post("/inbox", peer.inbox)
    app.router.add_get("/{path:.*}", peer.get_object)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()

    async with BovineActor(
        actor_id=peer.actor_id, public_key_url=peer.key_id, secret=peer.private_pem
    ) as client:
        peer.client = client
        emit("listening", port=port, actor=peer.actor_id)
        try:
            await peer.run()
        except Exception as e:
            logging.exception("the run failed")
            fail(repr(e))


if __name__ == "__main__":
    asyncio.run(main())
