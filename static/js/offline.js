// The app with no network (docs/offline.md), on every page:
// - registers the service worker (/sw.js), which keeps the static files and the pages a staffer
//   has opened, and asks it to keep a village's forms, so that they open offline too;
// - the outbox: a form marked data-outbox, submitted with no network, is kept in IndexedDB
//   (through idb) under a new UUID, for the signed-in user only; the page then shows it as
//   待上传 and the navigation bar counts what waits;
// - sends the outbox when the network comes back, when a page opens, and on 立即上传: each
//   entry is posted, one request each, to the view the online form posts to, with its UUID as
//   the form token (the server's idempotency key) and X-Outbox: 1, which makes the server
//   answer in JSON (utilities/offline.py). An entry leaves the outbox only once the server
//   confirmed it; a refusal stays, with the server's message, until retried or discarded.
(function () {
  "use strict";
  var body = document.body;
  var user = body.dataset.user || "";
  var text = JSON.parse(document.getElementById("offline-text").textContent);
  var STORE = "entries";
  var FLASH_KEY = "hz-outbox-flash";

  if ("serviceWorker" in navigator && body.dataset.serviceWorker) {
    navigator.serviceWorker.register(body.dataset.serviceWorker, { scope: "/" }).catch(noop);
  }
  if (!window.idb || !window.indexedDB) return;
  var database = null;

  function noop() {}

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function db() {
    database = database || window.idb.openDB("hz-outbox", 1, {
      upgrade: function (upgrade) {
        upgrade.createObjectStore(STORE, { keyPath: "id" }).createIndex("user", "user");
      },
    });
    return database;
  }

  // This user's entries, oldest first: nobody else's are shown or sent from this page.
  function mine() {
    if (!user) return Promise.resolve([]);
    return db()
      .then(function (d) { return d.getAllFromIndex(STORE, "user", user); })
      .then(function (entries) {
        return entries.sort(function (a, b) { return a.created < b.created ? -1 : 1; });
      });
  }

  function put(entry) { return db().then(function (d) { return d.put(STORE, entry); }); }
  function remove(id) { return db().then(function (d) { return d.delete(STORE, id); }); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); });
    return [h.slice(0, 4), h.slice(4, 6), h.slice(6, 8), h.slice(8, 10), h.slice(10)]
      .map(function (part) { return part.join(""); }).join("-");
  }

  // ---- Keeping a form offline -------------------------------------------------------------

  function signTitle(id) {
    var node = document.querySelector('[data-sign-id="' + id + '"] [data-sign-title]');
    return node ? node.textContent.trim() : "";
  }

  async function entryOf(form) {
    var data = new FormData(form);
    var kind = form.dataset.outbox;
    var entry = {
      id: uuid(), user: user, kind: kind, url: form.getAttribute("action") || location.pathname,
      village: form.dataset.outboxVillage, back: form.dataset.outboxReturn,
      created: new Date().toISOString(), state: "pending", message: "", open: "",
      fields: [], files: [], signs: [], title: form.dataset.outboxTitle || "", bytes: 0,
    };
    // The outbox is sent later, away from the wall: a photo in which the reader still sees the
    // sign is saved flagged for the reviewer (as with the job queue) rather than asked about.
    if (kind === "removal") data.set("save_anyway", "on");
    var skip = { csrfmiddlewaretoken: 1, form_token: 1 };
    for (var pair of data.entries()) {
      var name = pair[0], value = pair[1];
      if (skip[name]) continue;
      if (value instanceof Blob) {
        if (!value.size) continue;
        var copy = new Blob([await value.arrayBuffer()], { type: value.type });
        entry.files.push([name, copy, value.name || "photo.jpg"]);
        entry.bytes += copy.size;
      } else {
        entry.fields.push([name, value]);
        entry.bytes += value.length;
      }
    }
    if (kind === "removal") entry.signs = [form.dataset.outboxSign];
    if (kind === "bulk") entry.signs = data.getAll("signboards");
    if (kind === "sign") entry.title = data.get("title") || "";
    if (kind === "bulk") entry.title = entry.signs.map(signTitle).join("、");
    entry.count = kind === "bulk" ? entry.signs.length : 1;
    return entry;
  }

  function keepOffline(event) {
    var form = event.target;
    if (!user || navigator.onLine !== false || !form.matches("form[data-outbox]")) return;
    event.preventDefault();
    entryOf(form)
      .then(put)
      .then(askToPersist)
      .then(function () {
        sessionStorage.setItem(FLASH_KEY, text.kept);
        // With a service worker the village page opens offline; without one (WeChat on an
        // iPhone) the page stays, and says so.
        if (navigator.serviceWorker && navigator.serviceWorker.controller) {
          location.href = form.dataset.outboxReturn || location.href;
        } else {
          if (form.dataset.outbox === "removal") {
            form.querySelector("[type=submit]").disabled = true; // kept once is enough
          } else {
            form.reset();
          }
          flash();
          show();
          window.scrollTo(0, 0);
        }
      })
      .catch(function () { window.alert(text.notKept); });
  }

  function askToPersist() {
    if (navigator.storage && navigator.storage.persist) {
      return navigator.storage.persist().catch(noop);
    }
  }

  // ---- Sending ----------------------------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function post(entry) {
    var form = new FormData();
    entry.fields.forEach(function (f) { form.append(f[0], f[1]); });
    form.append("form_token", entry.id);
    entry.files.forEach(function (f) { form.append(f[0], f[1], f[2]); });
    return fetch(entry.url, {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "X-Outbox": "1", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      return response.json().catch(function () { return { state: "retry" }; });
    });
  }

  var sending = null;

  function send(options) {
    if (!user || sending) return sending || Promise.resolve();
    var run = function () { return sendAll(options || {}); };
    sending = (navigator.locks ? navigator.locks.request("hz-outbox-" + user, run) : run())
      .catch(noop)
      .then(function (sent) { sending = null; return sent; });
    return sending;
  }

  // Each entry in turn; a conflict waits for the user (unless `retry`), a lost session or a
  // lost network stops the round: the next round starts where this one stopped.
  async function sendAll(options) {
    var sent = 0;
    var entries = await mine();
    for (var entry of entries) {
      if (entry.state === "conflict" && !options.retry) continue;
      var answer;
      try {
        answer = await post(entry);
      } catch (error) {
        entry.state = "pending";
        entry.message = text.networkLost;
        await put(entry);
        break;
      }
      if (answer.state === "saved") {
        await remove(entry.id);
        sent += entry.count;
        continue;
      }
      entry.message = answer.message || "";
      entry.open = answer.url || "";
      entry.state = answer.state === "retry" ? "pending" : answer.state;
      await put(entry);
      if (answer.state === "signed_out" || answer.state === "retry") break;
    }
    return sent;
  }

  // A round that stopped on the network is tried again after a while, longer each time.
  var RETRY_SECONDS = [3, 10, 30, 60];
  var retries = 0;
  var retryTimer = null;

  function retryLater(entries) {
    clearTimeout(retryTimer);
    if (!entries.some(function (e) { return e.state === "pending"; })) {
      retries = 0;
      return;
    }
    var wait = RETRY_SECONDS[Math.min(retries, RETRY_SECONDS.length - 1)];
    retries += 1;
    retryTimer = setTimeout(sendOnOpen, wait * 1000);
  }

  // Signed out entries go as soon as their user is signed in again.
  async function sendOnOpen() {
    if (!user || navigator.onLine === false) return;
    var entries = await mine();
    entries.forEach(function (e) { if (e.state === "signed_out") e.state = "pending"; });
    await Promise.all(entries.map(put));
    var sent = await send();
    if (sent) {
      sessionStorage.setItem(FLASH_KEY, format(text.sent, { n: sent }));
      location.reload();
      return;
    }
    show();
    retryLater(await mine());
  }

  // ---- Showing ----------------------------------------------------------------------------

  function count(entries) {
    return entries.reduce(function (n, e) { return n + e.count; }, 0);
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }

  function stateBadge(entry) {
    var waiting = entry.state === "pending";
    var badge = element("span", "badge " + (waiting ? "text-bg-info" : "text-bg-danger"),
      waiting ? text.pending : text.failed);
    badge.dataset.testid = "outbox-state";
    return badge;
  }

  function showBadge(entries) {
    var badge = document.querySelector("[data-outbox-badge]");
    if (!badge) return;
    var n = count(entries);
    badge.hidden = n === 0;
    badge.textContent = format(text.badge, { n: n });
    var failed = entries.some(function (e) { return e.state !== "pending"; });
    badge.classList.toggle("btn-warning", failed);
    badge.classList.toggle("btn-info", !failed);
  }

  // On a village page: the entries' signs say 待上传, and cannot be ticked or opened again.
  function showOnVillage(entries) {
    var village = body.dataset.village;
    if (!village) return;
    var added = document.querySelector("[data-outbox-new-signs]");
    if (added) added.replaceChildren();
    entries.filter(function (e) { return e.village === village; }).forEach(function (entry) {
      entry.signs.forEach(function (id) {
        var row = document.querySelector('[data-sign-id="' + id + '"]');
        if (!row || row.querySelector("[data-testid=outbox-state]")) return;
        row.querySelectorAll("input[name=signboards]").forEach(function (box) {
          box.checked = false;
          box.disabled = true;
        });
        row.querySelectorAll("[data-offline-keep]").forEach(function (link) { link.hidden = true; });
        row.querySelector(".text-end").prepend(stateBadge(entry));
      });
      if (entry.kind === "sign" && added) {
        var item = element("li", "list-group-item px-2 py-2 d-flex gap-2 align-items-start");
        item.dataset.testid = "outbox-new-sign";
        item.append(element("span", "flex-grow-1 text-break", entry.title), stateBadge(entry));
        added.append(item);
        added.closest("[data-outbox-new-card]").hidden = false;
      }
    });
  }

  function button(label, className, action) {
    var node = element("button", "btn btn-sm " + className, label);
    node.type = "button";
    node.addEventListener("click", action);
    return node;
  }

  function link(label, href) {
    var node = element("a", "btn btn-sm btn-outline-primary", label);
    node.href = href;
    return node;
  }

  function kindLabel(entry) {
    return format(text.kinds[entry.kind] || "", { n: entry.count });
  }

  function showOutbox(entries) {
    var list = document.querySelector("[data-outbox-list]");
    if (!list) return;
    list.replaceChildren();
    document.querySelector("[data-outbox-empty]").hidden = entries.length > 0;
    entries.forEach(function (entry) {
      var item = element("li", "list-group-item");
      item.dataset.testid = "outbox-entry";
      item.dataset.state = entry.state;
      var head = element("div", "d-flex gap-2 align-items-start");
      var what = element("div", "flex-grow-1 text-break");
      what.append(element("div", "fw-semibold", entry.title || kindLabel(entry)),
        element("div", "small text-muted",
          kindLabel(entry) + " · " + new Date(entry.created).toLocaleString()));
      head.append(what, stateBadge(entry));
      item.append(head);
      if (entry.message) {
        var why = element("div", "small mt-1 " + (entry.state === "pending" ? "text-muted" : "text-danger"),
          entry.message);
        why.dataset.testid = "outbox-message";
        item.append(why);
      }
      var actions = element("div", "d-flex flex-wrap gap-2 mt-2");
      if (entry.state === "signed_out") {
        actions.append(link(text.signIn, entry.open + "?next=" + encodeURIComponent(location.pathname)));
      } else if (entry.state === "conflict") {
        actions.append(link(text.open, entry.open || entry.back));
        actions.append(button(text.retry, "btn-outline-primary", function () {
          send({ retry: true }).then(show);
        }));
      }
      if (entry.state !== "pending") {
        actions.append(button(text.discard, "btn-outline-danger", function () {
          if (window.confirm(text.confirmDiscard)) remove(entry.id).then(show);
        }));
      }
      if (actions.childElementCount) item.append(actions);
      list.append(item);
    });
    var warning = document.querySelector("[data-outbox-not-persisted]");
    if (warning && navigator.storage && navigator.storage.persisted) {
      navigator.storage.persisted().then(function (kept) { warning.hidden = kept || !entries.length; });
    }
  }

  function show() {
    return mine().then(function (entries) {
      showBadge(entries);
      showOnVillage(entries);
      showOutbox(entries);
    });
  }

  function flash() {
    var said = sessionStorage.getItem(FLASH_KEY);
    var place = document.querySelector("[data-outbox-flash]");
    if (!said || !place) return;
    sessionStorage.removeItem(FLASH_KEY);
    place.textContent = said;
    place.hidden = false;
  }

  // The service worker keeps this page and the village's forms, to open them offline (also
  // when it does not control this page yet: the first page after it was installed).
  function keepPages(registration) {
    if (!registration.active || !user || navigator.onLine === false) return;
    var urls = [location.pathname + location.search];
    document.querySelectorAll("a[data-offline-keep]").forEach(function (a) {
      urls.push(a.getAttribute("href"));
    });
    registration.active.postMessage({ type: "keep", urls: urls });
  }

  document.addEventListener("submit", keepOffline);
  document.querySelectorAll("form[data-forget-offline]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
      if (worker) worker.postMessage({ type: "forget" });
    });
  });
  document.querySelectorAll("[data-outbox-send]").forEach(function (node) {
    node.addEventListener("click", function () {
      node.disabled = true;
      send({ retry: true }).then(function (sent) {
        node.disabled = false;
        if (sent) sessionStorage.setItem(FLASH_KEY, format(text.sent, { n: sent }));
        flash();
        return show();
      });
    });
  });
  window.addEventListener("online", sendOnOpen);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if ((event.data || {}).type === "kept") body.dataset.offlineKept = "1";
    });
    navigator.serviceWorker.ready.then(keepPages);
  }
  flash();
  show().then(sendOnOpen);
})();
