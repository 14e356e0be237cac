// Reports waiting to be sent, kept in IndexedDB with their photos, so a dropped connection, a
// closed tab or a restarted phone loses nothing. Each draft gets its Idempotency-Key once, when
// it is saved; every retry sends the same key, so the server files it exactly once.
const DB_NAME = "ioc-report";
const STORE = "drafts";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request?.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Saves a new draft: {report, photos: [Blob]}; returns it with its id and idempotency key. */
export async function saveDraft({ report, photos }) {
  const draft = {
    id: newKey(),
    idempotencyKey: newKey(),
    report,
    photos: photos.map((file) => ({ blob: file, name: file.name || "photo.jpg", type: file.type })),
    state: "pending", // pending | sending | waiting | failed
    attempts: 0,
    error: null,
    savedAt: new Date().toISOString(),
  };
  await run("readwrite", (store) => store.put(draft));
  return draft;
}

export function updateDraft(draft) {
  return run("readwrite", (store) => store.put(draft));
}

export function deleteDraft(id) {
  return run("readwrite", (store) => store.delete(id));
}

export async function listDrafts() {
  const drafts = (await run("readonly", (store) => store.getAll())) || [];
  return drafts.sort((a, b) => a.savedAt.localeCompare(b.savedAt));
}
