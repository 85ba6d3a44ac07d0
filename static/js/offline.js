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
  // How long a form sent with the network may take before it waits in the outbox instead
  // (a 240 KB removal at 2G's ~50 kbit/s takes about 40 s).
  var SEND_NOW_SECONDS = 60;

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

  // `later`: kept for a later send (no network now); else sent at once, the page's own form
  // token as its UUID, so that a send whose answer was lost is recognised when resent.
  async function entryOf(form, later) {
    var data = new FormData(form);
    var kind = form.dataset.outbox;
    var entry = {
      id: later ? uuid() : data.get("form_token"), user: user, kind: kind,
      url: form.getAttribute("action") || location.pathname,
      village: form.dataset.outboxVillage, back: form.dataset.outboxReturn,
      created: new Date().toISOString(), state: "pending", message: "", open: "",
      fields: [], files: [], signs: [], title: form.dataset.outboxTitle || "",
    };
    // Sent later, away from the wall: a photo in which the reader still sees the sign is
    // saved flagged for the reviewer (as with the job queue) rather than asked about.
    if (later && kind === "removal") data.set("save_anyway", "on");
    var skip = { csrfmiddlewaretoken: 1, form_token: 1 };
    for (var pair of data.entries()) {
      var name = pair[0], value = pair[1];
      if (skip[name]) continue;
      if (value instanceof Blob) {
        if (!value.size) continue;
        var copy = new Blob([await value.arrayBuffer()], { type: value.type });
        entry.files.push([name, copy, value.name || "photo.jpg"]);
      } else {
        entry.fields.push([name, value]);
      }
    }
    if (kind === "removal") entry.signs = [form.dataset.outboxSign];
    if (kind === "bulk") entry.signs = data.getAll("signboards");
    if (kind === "sign") entry.title = data.get("title") || "";
    if (kind === "bulk") entry.title = entry.signs.map(signTitle).join("、");
    entry.count = kind === "bulk" ? entry.signs.length : 1;
    return entry;
  }

  function onSubmit(event) {
    var form = event.target;
    if (!user || !form.matches("form[data-outbox]") || !form.elements.form_token) return;
    event.preventDefault();
    var button = event.submitter || form.querySelector("[type=submit]");
    if (button) button.disabled = true;
    var done = navigator.onLine === false ? keepForLater(form) : sendNow(form);
    done.catch(function () {
      if (button) button.disabled = false;
      window.alert(text.notKept);
    });
  }

  // No network: into the outbox, and back to the village page, which shows it as 待上传.
  async function keepForLater(form) {
    await put(await entryOf(form, true));
    await askToPersist();
    setFlash(text.kept, "info");
    leave(form);
  }

  // With a network (one bar of it, perhaps): the entry goes into the outbox first, so that a
  // send that fails or hangs loses nothing, and is sent at once. Saved: on to the server's
  // page. Refused: the form is sent as without this script, so that the server's page shows
  // why, as it always has (the errors on the form, the photo warning).
  async function sendNow(form) {
    var entry = await entryOf(form, false);
    entry.sendingSince = Date.now(); // the outbox's own rounds leave it to this send
    await put(entry);
    var answer;
    try {
      answer = await post(entry, SEND_NOW_SECONDS);
    } catch (error) {
      answer = { state: "retry" };
    }
    delete entry.sendingSince;
    if (answer.state === "saved") {
      await remove(entry.id);
      setFlash(answer.message, answer.level);
      location.href = answer.url;
    } else if (answer.state === "retry") {
      await put(entry);
      await askToPersist();
      setFlash(text.keptWeak, "warning");
      leave(form);
    } else if (answer.state === "signed_out") {
      entry.state = "signed_out";
      entry.message = answer.message;
      entry.open = answer.url;
      await put(entry);
      location.href = answer.url + "?next=" + encodeURIComponent(outboxUrl());
    } else {
      await remove(entry.id);
      form.submit(); // not through this handler: the browser posts it
    }
  }

  // To the village page: with a service worker it opens offline; without one (WeChat on an
  // iPhone) the form's page stays, and says what happened.
  function leave(form) {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      location.href = form.dataset.outboxReturn || location.href;
      return;
    }
    if (form.dataset.outbox !== "removal") {
      form.reset();
      form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = false; });
    }
    flash();
    show();
    window.scrollTo(0, 0);
  }

  function outboxUrl() {
    var badge = document.querySelector("[data-outbox-badge]");
    return badge ? badge.getAttribute("href") : "/";
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

  // One entry, one request (its photos with it): a failed send costs that entry only.
  function post(entry, seconds) {
    var form = new FormData();
    entry.fields.forEach(function (f) { form.append(f[0], f[1]); });
    form.append("form_token", entry.id);
    entry.files.forEach(function (f) { form.append(f[0], f[1], f[2]); });
    var options = {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "X-Outbox": "1", "X-CSRFToken": csrfToken() },
    };
    if (seconds && window.AbortSignal && AbortSignal.timeout) {
      options.signal = AbortSignal.timeout(seconds * 1000);
    }
    return fetch(entry.url, options).then(function (response) {
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
      if (Date.now() - (entry.sendingSince || 0) < (SEND_NOW_SECONDS + 10) * 1000) continue;
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
      setFlash(format(text.sent, { n: sent }), "success");
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

  // A word for the next page (the server's messages went into its JSON answer).
  function setFlash(said, level) {
    if (said) sessionStorage.setItem(FLASH_KEY, JSON.stringify({ text: said, level: level }));
  }

  function flash() {
    var said = JSON.parse(sessionStorage.getItem(FLASH_KEY) || "null");
    var place = document.querySelector("[data-outbox-flash]");
    if (!said || !place) return;
    sessionStorage.removeItem(FLASH_KEY);
    var level = { error: "danger", debug: "secondary" }[said.level] || said.level || "info";
    place.className = "alert alert-" + level;
    place.textContent = said.text;
    place.hidden = false;
  }

  // On a page kept for offline (a village, its forms): the service worker keeps this page
  // (when it did not take it itself: the first page after it was installed) and the pages it
  // links to for recording offline (the village's forms, the outbox); what it has already, it
  // does not fetch again. Other pages ask for nothing.
  function keepPages(registration) {
    if (!registration.active || !user || !body.hasAttribute("data-offline-page")) return;
    if (navigator.onLine === false) return;
    var urls = [location.pathname + location.search];
    document.querySelectorAll("a[data-offline-keep]").forEach(function (a) {
      urls.push(a.getAttribute("href"));
    });
    registration.active.postMessage({ type: "keep", urls: urls });
  }

  document.addEventListener("submit", onSubmit);
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
        if (sent) setFlash(format(text.sent, { n: sent }), "success");
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
