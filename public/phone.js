// Leadline on a phone, the parts a browser gives only to JavaScript:
// - the outbox: logged calls kept in IndexedDB until the server has confirmed them, so a reload,
//   a closed tab or a dead signal loses nothing (the app sends and forgets them; see
//   src/ui/components/outbox.rs);
// - the service worker (/sw.js), which keeps the queue readable offline;
// - system notifications, with the rep's permission, for a lead that arrives in the background.
(() => {
  'use strict';

  const DB = 'leadline';
  const STORE = 'outbox';
  // What the outbox holds, mirrored here so leaving the page can send it at once.
  const mirror = new Map();
  // Who is signed in on this page: leaving sends only their calls.
  let owner = null;
  let opening = null;

  function database() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'key' });
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return opening;
  }

  async function within(mode, work) {
    const db = await database();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  window.leadlineOutbox = {
    /** The signed-in user's id (the queue says so each time it is shown). */
    owner(user) {
      owner = user;
      // A queue reached without a full page load through the worker (just signed in, or
      // opened from another screen): ask the worker to keep a copy for offline reading.
      if (location.pathname === '/queue' && !(loadedPath === '/queue' && controlledAtLoad)) {
        keepQueue();
      }
    },
    /** Keeps one parcel (JSON text with at least `key`). */
    put(json) {
      const parcel = JSON.parse(json);
      mirror.set(parcel.key, parcel);
      return within('readwrite', (store) => store.put(parcel)).then(() => undefined);
    },
    /** Forgets a parcel the server has, or the rep took back. */
    remove(key) {
      mirror.delete(key);
      return within('readwrite', (store) => store.delete(key)).then(() => undefined);
    },
    /** Every kept parcel, as JSON text. */
    list() {
      return within('readonly', (store) => store.getAll()).then((all) => {
        for (const parcel of all) mirror.set(parcel.key, parcel);
        return JSON.stringify(all);
      });
    },
  };

  // Leaving the page (reload, tab closed): what is kept goes now. It stays kept until the app,
  // opened again, sends it once more and hears it arrived: its key makes a repeat harmless.
  addEventListener('pagehide', () => {
    for (const parcel of mirror.values()) {
      if (parcel.user !== owner) continue;
      // The whole call: sent later with the same key, a repeat changes nothing.
      const body = new URLSearchParams({
        lead_id: parcel.lead_id,
        outcome: parcel.outcome,
        key: parcel.key,
      });
      if (parcel.note) body.set('note', parcel.note);
      if (parcel.callback) body.set('callback', parcel.callback);
      fetch('/api/queue/log-call', {
        method: 'POST',
        body,
        keepalive: true,
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      }).catch(() => {});
    }
  });

  // How this document was loaded: a queue loaded through the worker is already kept.
  const loadedPath = location.pathname;
  const controlledAtLoad = 'serviceWorker' in navigator && Boolean(navigator.serviceWorker.controller);

  function keepQueue() {
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker.ready
      .then((registration) => {
        if (registration.active) registration.active.postMessage({ keep: [], page: true });
      })
      .catch(() => {});
  }

  // The service worker: the queue and the app's files kept for offline reading.
  if ('serviceWorker' in navigator) {
    // Whether this page came from the network without the worker (a first visit).
    const uncontrolled = !controlledAtLoad;
    addEventListener('load', () => {
      navigator.serviceWorker
        .register('/sw.js')
        .then(() => navigator.serviceWorker.ready)
        .then((registration) => {
          // Tell it which of the app's files this page loaded (their names change with each
          // build), so an offline visit finds them; and, for a queue opened before the worker
          // was there, to keep a copy of the queue too.
          const keep = (page) => {
            const files = performance
              .getEntriesByType('resource')
              .map((entry) => entry.name)
              .filter((name) => new URL(name).pathname.startsWith('/pkg/'));
            if (registration.active) registration.active.postMessage({ keep: files, page });
          };
          keep(uncontrolled && location.pathname === '/queue');
          // The lead page's part arrives a little later.
          setTimeout(() => keep(false), 8000);
        })
        .catch(() => {});
    });
  }

  window.leadlineNotify = {
    /** Asks for permission to notify (call it from a tap). */
    ask() {
      if (!('Notification' in window) || Notification.permission !== 'default') return;
      Notification.requestPermission().catch(() => {});
    },
    /** A system notification, only while the page is out of sight and the rep allowed it. */
    show(title, body, url) {
      if (document.visibilityState !== 'hidden') return false;
      if (!('Notification' in window) || Notification.permission !== 'granted') return false;
      if (!('serviceWorker' in navigator)) return false;
      navigator.serviceWorker.ready
        .then((registration) =>
          registration.showNotification(title, { body, tag: url, data: { url }, icon: '/icon-192.png' }),
        )
        .catch(() => {});
      return true;
    },
    /** A short beep and a buzz, for a new lead while the page is in sight. */
    beep() {
      if (navigator.vibrate) navigator.vibrate(300);
      try {
        const audio = new AudioContext();
        const tone = audio.createOscillator();
        tone.frequency.value = 880;
        tone.connect(audio.destination);
        tone.start();
        tone.stop(audio.currentTime + 0.25);
      } catch (e) {
        // No sound on this phone: the buzz and the notification still tell.
      }
    },
  };

  // When the queue was last read from the server, for the offline line.
  const READ_AT = 'leadline.queue.read-at';
  window.leadlineFreshness = {
    /** The queue was just read from the server. */
    readNow() {
      try {
        localStorage.setItem(READ_AT, String(Date.now()));
      } catch (e) {
        // Storage full or refused: the offline line then shows no time.
      }
    },
    /** "14:05" (or "24/11/2026, 14:05" on another day), in the phone's time; '' if never. */
    lastRead() {
      let at;
      try {
        at = Number(localStorage.getItem(READ_AT));
      } catch (e) {
        return '';
      }
      if (!at) return '';
      const then = new Date(at);
      const pad = (n) => String(n).padStart(2, '0');
      const time = `${pad(then.getHours())}:${pad(then.getMinutes())}`;
      if (then.toDateString() === new Date().toDateString()) return time;
      return `${then.getDate()}/${then.getMonth() + 1}/${then.getFullYear()}, ${time}`;
    },
  };

  // The queue works before the app does (its cards are plain forms): what happened there before
  // the app took the page over (src/ui/pages/queue/calls.rs). Fields are sent ending with a NUL,
  // so a field's own NULs (nothing a person types) are taken out.
  const bare = (text) => String(text).replace(/\0/g, '');
  window.leadlineBeforeApp = {
    /** The notices the queue shows (what a call posted before the app did, in the server's
     * words), for the app to keep as it takes the page over: each ends with a NUL. */
    notices() {
      const shown = document.querySelectorAll('main.queue [data-testid="call-notice"] .notice-text');
      return Array.from(shown, (text) => `${bare(text.textContent)}\0`).join('');
    },
    /** The cards a rep started on, four fields each, each ending with a NUL: lead id, '1' if
     * its "Log call" panel is open, the note typed, the callback time picked. */
    cards() {
      let started = '';
      for (const card of document.querySelectorAll('main.queue li[data-lead-id]')) {
        const panel = card.querySelector('details.log-call');
        const open = panel && panel.open ? '1' : '';
        const typed = (name) => {
          const field = card.querySelector(`input[name="${name}"]`);
          return field ? bare(field.value) : '';
        };
        const [note, callback] = [typed('note'), typed('callback')];
        if (open || note || callback) {
          started += [card.dataset.leadId, open, note, callback].map((f) => `${bare(f)}\0`).join('');
        }
      }
      return started;
    },
  };

  // A call a queue card's form posts itself (before the app works) is kept for the page the
  // server answers with: a refusal then gives the rep their words back, on the card (if the
  // lead is still theirs) and in the notice, with the lead's name. (Once the app works it
  // sends calls itself, and these forms are never submitted.)
  const POSTED = 'leadline-posted-call';
  const LOG_CALL = '/api/queue/log-call';
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.getAttribute('action') !== LOG_CALL) return;
    const card = form.closest('li[data-lead-id]');
    const data = new FormData(form);
    const name = card && card.querySelector('[data-testid="lead-link"]');
    const posted = {
      lead: card ? card.dataset.leadId : '',
      name: name ? name.textContent : '',
      outcome: event.submitter ? event.submitter.textContent.trim() : '',
      note: String(data.get('note') || ''),
      callback: String(data.get('callback') || ''),
    };
    try {
      sessionStorage.setItem(POSTED, JSON.stringify(posted));
    } catch (e) {
      // No storage: the refusal is still told, without the words.
    }
  });

  function answerPostedCall() {
    let posted = null;
    try {
      posted = JSON.parse(sessionStorage.getItem(POSTED) || 'null');
      sessionStorage.removeItem(POSTED);
    } catch (e) {
      posted = null;
    }
    const query = new URLSearchParams(location.search);
    if (location.pathname !== '/queue' || query.get('__path') !== LOG_CALL) return;
    if (posted && query.has('__err')) {
      const card = Array.from(document.querySelectorAll('main.queue li[data-lead-id]')).find(
        (li) => li.dataset.leadId === posted.lead,
      );
      if (card) {
        const put = (name, value) => {
          const field = card.querySelector(`input[name="${name}"]`);
          if (field && value) field.value = value;
        };
        put('note', posted.note);
        put('callback', posted.callback);
        const panel = card.querySelector('details.log-call');
        if (panel) panel.open = true;
      }
      const notice = document.querySelector('main.queue [data-testid="call-notice"] .notice-text');
      if (notice) {
        let more = posted.name ? ` (${posted.outcome} for ${posted.name})` : '';
        if (posted.note.trim()) more += ` Your note: “${posted.note.trim()}”`;
        notice.textContent += more;
      }
    }
    // Told once: a reload shows the queue as it is, not the answer again.
    for (const name of ['__path', '__err', '__saved', '__until', '__sig']) query.delete(name);
    const rest = query.toString();
    history.replaceState(history.state, '', `/queue${rest ? `?${rest}` : ''}${location.hash}`);
  }
  answerPostedCall();

  // Before the app works, "OK" on a notice takes it away all the same (the app, taking the
  // page over, keeps the notices it finds).
  document.addEventListener('click', (event) => {
    if (document.body.dataset.hydrated) return;
    const ok = event.target instanceof Element && event.target.closest('main.queue [data-testid="call-notice"] button');
    if (ok) ok.closest('li').remove();
  });
})();
