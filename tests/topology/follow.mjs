// Follows an IOC namespace with the official Socket.IO client the way the pages do
// (frontend/src/lib/live.js): start from a snapshot's seq, send the newest seq seen on every
// reconnection, drop a seq already applied. Prints one JSON line per happening:
//   {"connected": true} · {"disconnected": REASON} · {"event": EVENT} (applied)
//   {"duplicate": SEQ} (dropped) · {"resync": DATA} · {"connect_error": MESSAGE}
// Used by tests/topology against nginx:  node follow.mjs URL NAMESPACE TOKEN LAST_SEQ
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "..", "frontend", "package.json"));
const { io } = require("socket.io-client");

const [url, namespace, token, first] = process.argv.slice(2);
let lastSeq = Number(first);
const say = (line) => console.log(JSON.stringify(line));

const socket = io(url + namespace, {
  transports: ["websocket"],
  auth: (send) => send({ token, last_seq: lastSeq }),
  reconnectionDelay: 200,
  reconnectionDelayMax: 1000,
});
socket.on("connect", () => say({ connected: true }));
socket.on("disconnect", (reason) => say({ disconnected: reason }));
socket.on("connect_error", (error) => say({ connect_error: error.message }));
socket.on("resync", (data) => say({ resync: data }));
socket.on("event", (event) => {
  if (event.seq <= lastSeq) {
    say({ duplicate: event.seq });
    return;
  }
  lastSeq = event.seq;
  say({ event });
});
