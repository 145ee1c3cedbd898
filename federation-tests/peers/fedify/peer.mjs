// A small ActivityPub peer built on Fedify 1.5.9 (npm), for Kwartier's interop test.
//
// Run by federation-tests/tests/interop.rs as
//
//     node peer.mjs http://localhost:NODEPORT moestuin@localhost:NODEPORT
//
// It serves one actor, `kat`, on http://localhost:PORT (a free port it picks itself), then:
//
// 1. looks the initiative up by WebFinger (Fedify's lookupWebFinger);
// 2. fetches the initiative with a signed GET (Fedify's authenticated document loader);
// 3. follows it and waits for the Accept (Fedify verifies the HTTP signature before any
//    inbox listener runs, fetching the node's key itself);
// 4. verifies both Announces of each story (Announce(Create(Article)) and
//    Announce(article id), the latter dereferenced with a signed GET);
// 5. replies to the first story with a public Create(Note), signed by Fedify.
//
// Progress goes to stdout as one JSON object per line ({"event": ...}); the test reads
// those. Anything unexpected is an {"event": "error"} line and a non-zero exit. Fedify's
// own logs go to stderr.

import http from "node:http";
import { randomUUID } from "node:crypto";
import { configure, defaultTextFormatter } from "@logtape/logtape";
import {
  Accept,
  Announce,
  Article,
  Create,
  Endpoints,
  Follow,
  MemoryKvStore,
  Note,
  PUBLIC_COLLECTION,
  Person,
  createFederation,
  generateCryptoKeyPair,
  lookupWebFinger,
} from "@fedify/fedify";

const [nodeArg, handle, ...flags] = process.argv.slice(2);
if (!nodeArg || !handle) {
  console.error("usage: node peer.mjs NODE_URL HANDLE [--public-key-array]");
  process.exit(2);
}
// With --public-key-array the actor lists all its keys under publicKey (an array), as
// Fedify's `publicKeys: keys.map(...)` makes it; by default only the RSA key, as the
// Fedify manual does it.
const publicKeyArray = flags.includes("--public-key-array");
const node = new URL(nodeArg);
const ME = "kat";

function emit(event, fields = {}) {
  process.stdout.write(JSON.stringify({ event, ...fields }) + "\n");
}

function fail(message) {
  emit("error", { message });
  process.exit(1);
}

// Fedify's logs on stderr, where the test shows them when it fails; for signatures the
// debug ones too, as they say why a signature did not verify.
await configure({
  sinks: { stderr: (record) => process.stderr.write(defaultTextFormatter(record)) },
  loggers: [
    { category: "fedify", sinks: ["stderr"], lowestLevel: "info" },
    { category: ["fedify", "sig"], sinks: ["stderr"], parentSinks: "override", lowestLevel: "debug" },
    { category: ["logtape", "meta"], sinks: ["stderr"], lowestLevel: "error" },
  ],
});

// Fedify 1.5.9 asks https://HOST/.well-known/webfinger for every acct: URI (RFC 7033
// requires https) and has no option to change that; the node under test speaks plain http
// in development mode. So WebFinger requests to that one node go over http. Nothing else
// is touched: actors, keys and inboxes are fetched at the http URLs the node publishes.
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.protocol === "https:" && url.host === node.host && url.pathname === "/.well-known/webfinger") {
    url.protocol = "http:";
    return realFetch(input instanceof Request ? new Request(url, input) : url, init);
  }
  return realFetch(input, init);
};

// ---- the federation: one actor, an inbox, the notes it writes -------------------------

// Two key pairs, as in the Fedify manual's actor example: RSA for HTTP signatures,
// Ed25519 for object integrity proofs (FEP-8b32), which Fedify adds to what it sends.
const keyPairs = [
  await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
  await generateCryptoKeyPair("Ed25519"),
];
const notes = new Map(); // id (last path segment) -> Note
let initiative = null; // the Group, once fetched
let followId = null;
let accepted;
const acceptedPromise = new Promise((resolve) => (accepted = resolve));
let storyReady;
const storyPromise = new Promise((resolve) => (storyReady = resolve));
const stories = new Map(); // article id -> Set of ways it arrived ("create", "object")

const federation = createFederation({ kv: new MemoryKvStore(), allowPrivateAddress: true });

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== ME) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify test peer",
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      ...(publicKeyArray
        ? { publicKeys: keys.map((k) => k.cryptographicKey) }
        : { publicKey: keys[0].cryptographicKey }),
      assertionMethods: keys.map((k) => k.multikey),
    });
  })
  .setKeyPairsDispatcher((_ctx, identifier) => (identifier === ME ? keyPairs : []));

federation.setObjectDispatcher(Note, "/notes/{id}", (_ctx, { id }) => notes.get(id) ?? null);

// Reports a story once both Announces brought it; the first one gets our reply.
function storyArrived(id, how) {
  const ways = stories.get(id) ?? new Set();
  if (ways.has(how)) return;
  ways.add(how);
  stories.set(id, ways);
  if (ways.has("create") && ways.has("object")) {
    emit("story", { id, via: [...ways].sort() });
    storyReady(id);
  }
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  // Listeners run only after Fedify has verified the request's HTTP signature and checked
  // that the signing key belongs to the activity's actor.
  .on(Accept, async (_ctx, accept) => {
    if (accept.objectId?.href === followId && accept.actorId?.href === initiative?.id?.href) {
      emit("accepted", { signer: accept.actorId.href, follow: followId });
      accepted();
    }
  })
  .on(Announce, async (ctx, announce) => {
    if (initiative == null || announce.actorId?.href !== initiative.id.href) return;
    // Objects named only by id are fetched, signed as us.
    const documentLoader = await ctx.getDocumentLoader({ identifier: ME });
    const object = await announce.getObject({ documentLoader });
    if (object instanceof Create) {
      const inner = await object.getObject({ documentLoader });
      if (inner instanceof Article) storyArrived(inner.id.href, "create");
      else if (inner instanceof Note) emit("reply-announced", { id: inner.id?.href, signer: announce.actorId.href });
    } else if (object instanceof Article) {
      storyArrived(object.id.href, "object");
    } else {
      emit("error", { message: `announced object ${announce.objectId?.href} is ${object?.constructor?.name}` });
    }
  })
  .onError((_ctx, error) => emit("error", { message: `inbox: ${error}` }));

// ---- a plain Node HTTP server in front of federation.fetch ----------------------------

let base; // http://localhost:PORT, known once the server listens
const server = http.createServer(async (req, res) => {
  try {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      for (const v of [value].flat()) headers.append(name, v);
    }
    const request = new Request(new URL(req.url, base), {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
    });
    const response = await federation.fetch(request, { contextData: undefined });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    console.error(error);
    res.writeHead(500).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = server.address().port;
base = `http://localhost:${port}`;
const ctx = federation.createContext(new URL(base), undefined);
emit("listening", { port, actor: ctx.getActorUri(ME).href });

async function main() {
  // ---- 1. WebFinger -----------------------------------------------------------------------

  const jrd = await lookupWebFinger(`acct:${handle}`, { allowPrivateAddress: true });
  const self = jrd?.links?.find((l) => l.rel === "self" && l.type === "application/activity+json");
  if (self?.href == null) fail(`WebFinger for acct:${handle} gave no self link: ${JSON.stringify(jrd)}`);
  emit("webfinger", { actor: self.href });

  // ---- 2. The initiative, fetched with a signed GET ---------------------------------------

  const signedLoader = await ctx.getDocumentLoader({ identifier: ME });
  initiative = await ctx.lookupObject(self.href, { documentLoader: signedLoader });
  if (initiative?.id?.href !== self.href || initiative.inboxId == null) {
    fail(`fetching ${self.href} gave ${initiative && JSON.stringify(await initiative.toJsonLd())}`);
  }
  emit("actor", { id: initiative.id.href, type: initiative.constructor.name, inbox: initiative.inboxId.href });

  // ---- 3. Follow; the Accept arrives in the inbox ----------------------------------------

  followId = `${base}/follows/${randomUUID()}`;
  await ctx.sendActivity(
    { identifier: ME },
    initiative,
    new Follow({ id: new URL(followId), actor: ctx.getActorUri(ME), object: initiative.id }),
    { immediate: true },
  );
  emit("followed", { id: followId });
  await acceptedPromise;

  // ---- 4. The test publishes a story now; wait for both Announces of it ----------------

  const storyId = await storyPromise;

  // ---- 5. A public reply, sent to the initiative's inbox ---------------------------------

  const noteKey = randomUUID();
  const note = new Note({
    id: ctx.getObjectUri(Note, { id: noteKey }),
    attribution: ctx.getActorUri(ME),
    content: "<p>Mooi verhaal! Groeten van Fedify.</p>",
    replyTarget: new URL(storyId),
    to: PUBLIC_COLLECTION,
    cc: initiative.id,
  });
  notes.set(noteKey, note);
  const create = new Create({
    id: new URL(`${base}/creates/${noteKey}`),
    actor: ctx.getActorUri(ME),
    object: note,
    to: PUBLIC_COLLECTION,
    cc: initiative.id,
  });
  await ctx.sendActivity({ identifier: ME }, initiative, create, { immediate: true });
  emit("replied", { id: note.id.href, activity: create.id.href });
  // Stay up: the node announces the reply back, and the test may fetch the note.
}

main().catch((error) => fail(String(error?.stack ?? error)));
