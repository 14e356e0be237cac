// Many screens on one Socket.IO namespace, with the official client (frontend/node_modules),
// for bench/fanout.py. One process holds CLIENTS connections spread over the URLs; it drops
// an event whose seq a client has already seen (as the pages do) and keeps, per applied event,
// its latency from the event's `bench_ms` (wall clock, same machine) in a 1-ms histogram.
//   node bench/fanout.mjs '{"urls": [...], "namespace": "/ops", "token": "...", "clients": 500}'
// On a "report" line on stdin it prints one JSON line {connected, received, duplicates,
// disconnects, connectErrors, histogram}; it exits on "quit" or at the end of its input.
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "frontend", "package.json"));
const { io } = require("socket.io-client");

const { urls, namespace, token, clients, openPerSecond } = JSON.parse(process.argv[2]);
const say = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const histogram = new Map(); // latency in whole ms ► count
let received = 0;
let duplicates = 0;
let disconnects = 0;
let connected = 0;
let connectErrors = 0;
const sockets = [];

function open(n) {
  const socket = io(urls[n % urls.length] + namespace, {
    transports: ["websocket"],
    forceNew: true,
    auth: { token },
  });
  let lastSeq = 0;
  socket.on("connect", () => {
    connected += 1;
  });
  socket.on("connect_error", () => {
    connectErrors += 1;
    // Refused by the server (not a network failure): the client will not retry by itself.
    if (!socket.active) setTimeout(() => socket.connect(), 500);
  });
  socket.on("disconnect", () => {
    connected -= 1;
    disconnects += 1;
  });
  socket.on("event", (event) => {
    if (event.seq <= lastSeq) {
      duplicates += 1;
      return;
    }
    lastSeq = event.seq;
    const sentAt = event.payload?.bench_ms;
    if (sentAt === undefined) return;
    received += 1;
    const ms = Math.max(0, Math.round(Date.now() - sentAt));
    histogram.set(ms, (histogram.get(ms) ?? 0) + 1);
  });
  sockets.push(socket);
}

// Open at a steady pace: this measures the steady state, not a storm of handshakes.
let next = 0;
const opener = setInterval(() => {
  for (let k = 0; k < openPerSecond / 10 && next < clients; k += 1) open(next++);
  if (next >= clients) clearInterval(opener);
}, 100);

createInterface({ input: process.stdin })
  .on("line", (line) => {
    if (line.trim() === "report") {
      const counts = { connected, received, duplicates, disconnects, connectErrors };
      say({ ...counts, histogram: [...histogram] });
    } else if (line.trim() === "quit") {
      process.exit(0);
    }
  })
  .on("close", () => process.exit(0));
