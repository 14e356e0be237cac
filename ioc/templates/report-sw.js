// Service worker of the citizen page (/report): keeps the app shell so the page opens with no
// connection. Reports themselves wait in the page's IndexedDB outbox, not here; the API is
// never cached except the category list, which the form needs to open offline.
const CACHE = "ioc-report-{{ version }}";
const SHELL = {{ shell | tojson }};
const CATEGORIES = "/api/mobile/v1/categories";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // The category list is a bonus: the shell installs even if it cannot be fetched now.
      .then((cache) => cache.addAll(SHELL).then(() => cache.add(CATEGORIES).catch(() => {})))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("ioc-report-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, fallbackUrl) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(fallbackUrl || request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(fallbackUrl || request);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  return cached || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === "/report") {
    event.respondWith(networkFirst(request, "/report"));
  } else if (url.pathname.startsWith("/assets/app/") || url.pathname.startsWith("/report/icons/")) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname === CATEGORIES) {
    event.respondWith(networkFirst(request));
  }
});
