// Timebank's service worker: the stylesheet, the icons and an offline page, nothing personal.
// Pages are always fetched from the network and never stored: a page with someone's hours or messages
// can never come back from a cache, and after sign-out there is nothing of hers left here.
const CACHE = "timebank-{{ version }}";
const OFFLINE = "{{ url_for('main.offline') }}";
const STATIC = {{ precache|tojson }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...STATIC, OFFLINE])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("message", (event) => {
  // The page in another language asks for the offline page in that language.
  if (event.data === "offline-page") {
    event.waitUntil(caches.open(CACHE).then((cache) => cache.add(OFFLINE)));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  const url = new URL(request.url);
  const kept = url.pathname + url.search;  // static addresses carry their file's hash (?v=…)
  if (STATIC.includes(kept)) {
    event.respondWith(caches.match(kept).then((hit) => hit || fetch(request)));
  }
});

// Phone notifications: a line saying who did what, and the page of the site to open on a tap.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  const title = data.title || "Timebank";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    icon: "{{ url_for('static', filename='img/icon-192.png') }}",
    data: { url: typeof data.url === "string" && data.url.startsWith("/") && !data.url.startsWith("//") ? data.url : "/notifications" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data && event.notification.data.url || "/notifications", self.location.origin);
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    for (const client of windows) {
      if (new URL(client.url).origin === target.origin && "navigate" in client) {
        return client.focus().then(() => client.navigate(target.href));
      }
    }
    return self.clients.openWindow(target.href);
  }));
});
