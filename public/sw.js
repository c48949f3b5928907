// Leadline's service worker. It keeps what a rep needs to read their queue with no signal:
// - the app's files (/pkg/…, named by their content, so a kept copy never goes stale, and the
//   few with fixed names, such as /phone.js, refreshed whenever the network answers);
// - the last queue page the rep loaded, shown when the network fails (the page then says it is
//   offline and since when);
// and a short offline page for anything else. Signing out or in forgets the kept queue.
'use strict';

const FILES = 'leadline-files-v1';
const PAGES = 'leadline-pages-v1';
const QUEUE = '/queue';

// Files with fixed names the page needs offline: fetched fresh when possible, kept for when not.
const SHELL = ['/phone.js', '/manifest.webmanifest', '/icon.svg', '/icon-192.png', '/favicon.ico'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(FILES)
      .then((cache) => cache.addAll(SHELL))
      .catch(() => {})
      .then(() => self.skipWaiting()),
  );
});
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// A page names the app files it loaded: keep them.
self.addEventListener('message', (event) => {
  const files = event.data && Array.isArray(event.data.keep) ? event.data.keep : [];
  const ours = files.filter((name) => {
    const url = new URL(name, self.location.origin);
    return url.origin === self.location.origin && url.pathname.startsWith('/pkg/');
  });
  event.waitUntil(
    caches.open(FILES).then(async (cache) => {
      for (const name of ours) {
        if (!(await cache.match(name))) {
          await cache.add(name).catch(() => {});
        }
      }
      // The queue was opened before this worker was there to keep a copy: fetch one now.
      if (event.data && event.data.page === true) {
        await keepQueue(await fetch(QUEUE, { credentials: 'same-origin' }).catch(() => null));
      }
    }),
  );
});

/** Keeps `answer` as the queue to show offline, or forgets the kept one if it is not the queue
 * (signed out: sent to sign in). */
async function keepQueue(answer) {
  if (!answer) return;
  const cache = await caches.open(PAGES);
  const landed = new URL(answer.url || QUEUE, self.location.origin).pathname;
  if (answer.ok && landed === QUEUE) {
    await cache.put(QUEUE, answer.clone()).catch(() => {});
  } else {
    await cache.delete(QUEUE);
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Signing out, or anyone signing in: the kept queue was someone's, and goes.
  if (request.method === 'POST' && ['/api/auth/logout', '/api/auth/login'].includes(url.pathname)) {
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (request.method !== 'GET') return;
  if (url.pathname.startsWith('/pkg/')) {
    event.respondWith(fromCacheFirst(request));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(fromNetworkFirst(request));
  } else if (request.mode === 'navigate') {
    event.respondWith(page(request, url));
  }
});

async function fromCacheFirst(request) {
  const cache = await caches.open(FILES);
  const kept = await cache.match(request, { ignoreVary: true });
  if (kept) return kept;
  const answer = await fetch(request);
  if (answer.ok) await cache.put(request, answer.clone()).catch(() => {});
  return answer;
}

async function fromNetworkFirst(request) {
  const cache = await caches.open(FILES);
  try {
    const answer = await fetch(request);
    if (answer.ok) await cache.put(request, answer.clone()).catch(() => {});
    return answer;
  } catch (offline) {
    const kept = await cache.match(request, { ignoreVary: true, ignoreSearch: true });
    if (kept) return kept;
    throw offline;
  }
}

async function page(request, url) {
  try {
    const answer = await fetch(request);
    if (url.pathname === QUEUE) await keepQueue(answer);
    return answer;
  } catch (offline) {
    const kept = await caches.match(QUEUE, { cacheName: PAGES });
    if (kept && url.pathname === QUEUE) return kept;
    return offlinePage(Boolean(kept));
  }
}

function offlinePage(queueKept) {
  const link = queueKept ? '<p><a href="/queue">Open your queue as it was last loaded</a></p>' : '';
  const html =
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Offline · Leadline</title></head><body><main>' +
    '<h1>You are offline</h1><p>This page needs a connection. Calls you log on the queue are ' +
    'kept on this phone and sent when the connection is back.</p>' +
    link +
    '</main></body></html>';
  return new Response(html, {
    status: 503,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

// A notification opens the lead it is about, in the app's window if one is open.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = (event.notification.data && event.notification.data.url) || QUEUE;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if ('navigate' in client) {
          return client.navigate(target).then((opened) => (opened || client).focus());
        }
      }
      return self.clients.openWindow(target);
    }),
  );
});
