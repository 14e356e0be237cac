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

// Push notifications (Firebase Cloud Messaging web push): FCM hands the message's
// notification and data to this worker; a tap opens the report (data.link) in the page.
self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    return;
  }
  const notification = message.notification || {};
  const data = message.data || {};
  if (!notification.title) return;
  event.waitUntil(
    self.registration.showNotification(notification.title, {
      body: notification.body || "",
      icon: notification.icon || "/report/icons/icon-192.png",
      tag: data.ref || undefined,
      data: { link: data.link || (message.fcmOptions && message.fcmOptions.link) || "/report" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const link = new URL((event.notification.data && event.notification.data.link) || "/report", self.location.origin);
  // Only this site's own pages: a link elsewhere opens the citizen page instead.
  const target = link.origin === self.location.origin ? link.href : new URL("/report", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).pathname === "/report");
      return open ? open.navigate(target).then((w) => (w || open).focus()) : self.clients.openWindow(target);
    }),
  );
});
