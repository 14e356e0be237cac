// Sends the saved drafts, oldest first, and keeps trying while the connection is down: when
// the browser says it is back online, on a timer with backoff, and when the page opens. A
// refusal of the report itself (4xx other than 429) stops the retries and tells the citizen.
import { citizenApi } from "./auth.js";
import { deleteDraft, listDrafts, updateDraft } from "./drafts.js";

const BACKOFF_MS = [2_000, 5_000, 10_000, 30_000, 60_000];

function retriable(error) {
  return error.status === 0 || error.status === 429 || error.status >= 500;
}

function formData(draft) {
  const body = new FormData();
  body.append("report", JSON.stringify(draft.report));
  for (const photo of draft.photos) body.append("photos", photo.blob, photo.name);
  return body;
}

export function createSender({ onChange, onSent }) {
  let running = null;
  let timer = null;
  let attempt = 0;

  async function sendOne(draft) {
    draft.state = "sending";
    draft.attempts += 1;
    await updateDraft(draft);
    onChange();
    try {
      const report = await citizenApi("/api/mobile/v1/reports", {
        method: "POST",
        body: formData(draft),
        headers: { "Idempotency-Key": draft.idempotencyKey },
      });
      await deleteDraft(draft.id);
      onSent(report, draft);
      return true;
    } catch (error) {
      draft.state = retriable(error) ? "waiting" : "failed";
      draft.error = error.message;
      await updateDraft(draft);
      onChange();
      return draft.state === "failed";
    }
  }

  async function flush() {
    window.clearTimeout(timer);
    const drafts = (await listDrafts()).filter((d) => d.state !== "failed");
    let waiting = false;
    for (const draft of drafts) {
      if (!(await sendOne(draft))) waiting = true;
    }
    if (waiting) {
      const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
      attempt += 1;
      timer = window.setTimeout(send, delay);
    } else {
      attempt = 0;
    }
  }

  /** Send what is waiting (one run at a time; a call during a run is served by it). */
  function send() {
    if (!running) running = flush().finally(() => (running = null));
    return running;
  }

  window.addEventListener("online", () => {
    attempt = 0;
    send();
  });
  return { send };
}
