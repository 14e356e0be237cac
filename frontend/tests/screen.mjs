// A screen as the pages run it (src/lib/livefeed.js: snapshot, resume, prev/heartbeat gaps,
// seq dedup) under Node with the official Socket.IO client. Prints one JSON line per applied
// event ({"seq", "type", "ref"}) and per status change; exits on SIGTERM or a "quit" line.
//   node tests/screen.mjs URL NAMESPACE TOKEN SNAPSHOT_PATH
import { createInterface } from "node:readline";
import { followLive } from "../src/lib/livefeed.js";

const [url, namespace, token, snapshotPath] = process.argv.slice(2);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

async function fetchSnapshot() {
  const answer = await fetch(url + snapshotPath, { headers: { Authorization: `Bearer ${token}` } });
  if (!answer.ok) throw new Error(`snapshot answered ${answer.status}`);
  return answer.json();
}

const live = followLive({
  url,
  namespace,
  token,
  fetchSnapshot,
  onSnapshot: (snapshot) => print({ snapshot: snapshot.seq }),
  onEvent: (event) => print({ seq: event.seq, type: event.type, ref: event.payload?.ref ?? null }),
});
live.onStatus((status) => print({ status }));

function quit() {
  live.close();
  print({ done: true, lastSeq: live.lastSeq });
  process.exit(0);
}
process.on("SIGTERM", quit);
createInterface({ input: process.stdin }).on("line", (line) => line.trim() === "quit" && quit());
