{% autoescape off %}// The service worker of 横州摘牌台账 (utilities/offline.py serves it at /sw.js; docs/offline.md).
// - Static files: from the cache at once, refreshed in the background.
// - Pages a staffer may read offline (their answer carries X-Offline-Page: <user id>): from the
//   network, else (no signal, or none within 4 s) as last kept. Kept for one user only: an
//   answer for another user, or signing out, empties the kept pages first.
// - Any other page with no network: the offline page.
// Writes are not queued here: the pages' outbox (static/js/offline.js) keeps and sends them.
"use strict";
importScripts({{ workbox_sw }});
const MODULES = {{ modules }};
workbox.setConfig({ debug: false, modulePathCb: (name) => MODULES[name] });

const SHELL = {{ shell }};
const OFFLINE_URL = {{ offline_url }};
const STATIC_PREFIX = {{ static_prefix }};
const PAGE_HEADER = {{ page_header }};
const STATIC_CACHE = "hz-static";
const PAGE_CACHE = "hz-pages";
const OWNER_KEY = "/__offline-owner__";
const NETWORK_WAIT_SECONDS = 4;
// {{ version }}: the page script this worker goes with; a new one installs a new worker.

const { registerRoute, setCatchHandler } = workbox.routing;
const { NetworkFirst, StaleWhileRevalidate } = workbox.strategies;
const { ExpirationPlugin } = workbox.expiration;
const { CacheableResponsePlugin } = workbox.cacheableResponse;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(STATIC_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// The kept pages belong to one user: keeping a page for another empties them first.
async function pageCacheFor(user) {
  let cache = await caches.open(PAGE_CACHE);
  const owner = await cache.match(OWNER_KEY);
  if (owner && (await owner.text()) === user) return cache;
  await caches.delete(PAGE_CACHE);
  cache = await caches.open(PAGE_CACHE);
  await cache.put(OWNER_KEY, new Response(user));
  return cache;
}

const keepOwnPages = {
  cacheWillUpdate: async ({ response }) => {
    const user = response && response.status === 200 && response.headers.get(PAGE_HEADER);
    if (!user) return null;
    await pageCacheFor(user);
    return response;
  },
};

registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.startsWith(STATIC_PREFIX),
  new StaleWhileRevalidate({
    cacheName: STATIC_CACHE,
    plugins: [
      new CacheableResponsePlugin({ statuses: [200] }),
      new ExpirationPlugin({ maxEntries: 200, maxAgeSeconds: 90 * 24 * 3600 }),
    ],
  })
);

registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.origin === self.location.origin,
  new NetworkFirst({
    cacheName: PAGE_CACHE,
    networkTimeoutSeconds: NETWORK_WAIT_SECONDS,
    // Django's pages vary on the cookie and the language; kept for one user, in one language.
    matchOptions: { ignoreVary: true },
    plugins: [keepOwnPages, new ExpirationPlugin({ maxEntries: 500, maxAgeSeconds: 30 * 24 * 3600 })],
  })
);

setCatchHandler(async ({ request }) => {
  if (request.mode === "navigate") {
    return (await caches.match(OFFLINE_URL, { ignoreVary: true })) || Response.error();
  }
  return Response.error();
});

// From the pages: keep these pages (a village's forms, to record offline), or forget them all.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "keep") {
    const done = () => event.source && event.source.postMessage({ type: "kept" });
    event.waitUntil(keep(data.urls || []).then(done));
  }
  if (data.type === "forget") event.waitUntil(caches.delete(PAGE_CACHE));
});

async function keep(urls) {
  for (const url of urls) {
    const kept = await caches.open(PAGE_CACHE).then((cache) => cache.match(url, { ignoreVary: true }));
    if (kept) continue;
    let response;
    try {
      // Not following a redirect: signed out meanwhile, the login page it leads to would set
      // a new CSRF cookie under a login form open in a tab.
      response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
    } catch (error) {
      return; // no network: the next page opened online asks again
    }
    if (response.type === "opaqueredirect") return;
    const user = response.ok && response.headers.get(PAGE_HEADER);
    if (user) await (await pageCacheFor(user)).put(url, response);
  }
}
{% endautoescape %}
