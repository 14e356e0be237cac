// Connects to an IOC namespace with the official Socket.IO client and prints each event as a
// line of JSON. Used by the Python test suite against a real gunicorn server:
//   node tests/listen.mjs URL NAMESPACE TOKEN [LAST_SEQ] [COUNT]
import { io } from "socket.io-client";

const [url, namespace, token, lastSeq, count = "1"] = process.argv.slice(2);
const wanted = Number(count);
let seen = 0;
const auth = { token };
if (lastSeq !== undefined && lastSeq !== "") auth.last_seq = Number(lastSeq);

const socket = io(url + namespace, { transports: ["websocket"], auth, reconnection: false });
socket.on("connect", () => console.log(JSON.stringify({ connected: true })));
socket.on("connect_error", (error) => {
  console.log(JSON.stringify({ connect_error: error.message, data: error.data ?? null }));
  process.exit(2);
});
socket.on("event", (event) => {
  console.log(JSON.stringify(event));
  seen += 1;
  if (seen >= wanted) {
    socket.close();
    process.exit(0);
  }
});
setTimeout(() => {
  console.log(JSON.stringify({ timeout: true }));
  process.exit(3);
}, 20000);
