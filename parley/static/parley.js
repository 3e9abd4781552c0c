// Parley works without this file. With it, a form opened inline by htmx takes the keyboard focus
// (its error summary when the form came back with errors), so that screen-reader and keyboard
// users land on what they asked for.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;
  if (!target) return;
  var focus = target.querySelector("#error-summary, [data-focus-first]") || target.querySelector("[data-focus], h2, h3");
  if (focus) {
    if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
    focus.focus();
  }
});

// The print view's Print button (hidden without JavaScript: the browser's own Print does the same).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-now");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});

// The complaint page's actions open their forms in one panel. The action whose form is open is
// marked (aria-current), and opening another one while the open form has unsaved entries asks first,
// instead of dropping what was typed.
function parleyFormChanged(form) {
  for (var i = 0; i < form.elements.length; i++) {
    var el = form.elements[i];
    if (el.type === "hidden" || el.type === "submit" || el.type === "button") continue;
    if (el.type === "checkbox" || el.type === "radio") {
      if (el.checked !== el.defaultChecked) return true;
    } else if (el.tagName === "SELECT") {
      for (var j = 0; j < el.options.length; j++) {
        if (el.options[j].selected !== el.options[j].defaultSelected) return true;
      }
    } else if (el.value !== el.defaultValue) {
      return true;
    }
  }
  return false;
}

document.addEventListener("htmx:confirm", function (event) {
  var trigger = event.detail.elt;
  if (!trigger || !trigger.closest) return;
  // the action buttons, and the other links that open a form in the same panel ("Correct the details")
  // (a link: the open form's own sending goes to the same panel, and is not leaving it)
  var opens = trigger.tagName === "A" && trigger.getAttribute("hx-target") === "#action-panel";
  if (!trigger.closest(".parley-actions") && !opens) return;
  var form = document.querySelector("#action-panel form");
  if (!form || !(form.hasAttribute("data-unsaved") || parleyFormChanged(form))) return;
  event.preventDefault();
  if (window.confirm("The open form has entries that are not saved. Leave it and open the other one?")) {
    event.detail.issueRequest(true);
  }
});

document.addEventListener("htmx:afterSwap", function (event) {
  if (!event.detail.target || event.detail.target.id !== "action-panel") return;
  var opened = event.detail.requestConfig && event.detail.requestConfig.elt;
  document.querySelectorAll(".parley-actions a").forEach(function (link) {
    if (link === opened) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  });
});

// Keyboard shortcuts for the daily work (with a modifier key, so that they never fire while typing):
// Ctrl+K (Cmd+K on a Mac) goes to the search box (the header's "Find a complaint", or the list's own
// search); Ctrl+Enter (Cmd+Enter) sends the form being filled in, as its button would (the form of an
// action just opened too, while its heading has the focus). The footer says
// so once this file runs (without it, neither works, and it says nothing).
document.addEventListener("keydown", function (event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
  if (event.key === "k" || event.key === "K") {
    var box = document.getElementById("quick-find") || document.getElementById("id_q");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  } else if (event.key === "Enter") {
    var target = event.target;
    var form = target && (target.form || (target.closest && target.closest("form")));
    if (!form && target && target.closest) {  // an action just opened: the focus is on its heading
      var opened = target.closest(".parley-action-form");
      form = opened && opened.querySelector("form");
    }
    if (!form) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }
});

document.addEventListener("DOMContentLoaded", function () {
  var help = document.getElementById("keyboard-help");
  if (help) help.hidden = false;
});

// Intake's "Add another person" / "Add another officer": the page comes back at the one just added
// (#person-2, without this file too, since the browser scrolls to it); the focus goes to its first field,
// once the page has loaded (the browser's own move to #person-2 comes before, and would take it away).
// After "Remove person 2" the page comes back at the section's heading, and the focus goes to the note
// under it that says who was removed (#people-removed). After "Find on the roster" it comes back at what
// was found for that officer (#officer-2-found).
window.addEventListener("load", function () {
  var hash = window.location.hash;
  if (/^#(people|officers)-heading$/.test(hash)) {
    var note = document.getElementById(hash.slice(1).replace("-heading", "-removed"));
    if (note) note.focus();
    return;
  }
  if (/^#[a-z0-9-]+-found$/.test(hash)) {  // "Find on the roster": the focus goes to what was found
    var found = document.getElementById(hash.slice(1));
    if (found) found.focus();
    return;
  }
  if (!/^#(person|officer)-[0-9]+$/.test(hash)) return;
  var added = document.getElementById(hash.slice(1));
  var first = added && added.querySelector("input, select, textarea");
  if (first) first.focus();
});

// A page that comes back after a save opens with what happened ("The acknowledgement is recorded."):
// the focus goes to that message, so that a screen reader reads it out and the keyboard starts from it,
// rather than from the top of the page (the body) where nothing says the save worked. A page that opens
// at a place with messages of its own (#notes: #notes-messages) focuses those; one that opens at a place
// without (#sessions, after a survey is saved) focuses the page's messages, at its top, so that what
// happened is seen. A page with an error summary leaves the focus on the summary; one where the focus
// has already moved (intake's "Add another person") leaves it there.
window.addEventListener("load", function () {
  if (document.getElementById("error-summary")) return;
  if (document.activeElement && document.activeElement !== document.body) return;
  var hash = window.location.hash;
  var placed = hash.length > 1 && document.getElementById(hash.slice(1) + "-messages");
  var box = placed || document.getElementById("messages");
  if (!box) return;
  box.setAttribute("tabindex", "-1");
  box.focus();
});

// A form sent through htmx that the server refused (an out-of-date page: 403; too large: 400; a
// failure: 500) would otherwise do nothing visible. Say so above the form, which keeps what was typed.
document.addEventListener("htmx:responseError", function (event) {
  var target = event.detail.target;
  if (!target) return;
  var old = target.querySelector(".parley-send-failed");
  if (old) old.remove();
  var xhr = event.detail.xhr;
  var status = xhr ? xhr.status : 0;
  var refused = status === 403 && xhr.getResponseHeader("X-Parley-Refused") === "role";
  var why = status === 403
    ? "The page was out of date (you may have signed in again in another tab)."
    : "The server could not take it (error " + status + ").";
  var alert = document.createElement("div");
  alert.className = "usa-alert usa-alert--error usa-alert--slim margin-bottom-2 parley-send-failed";
  alert.setAttribute("role", "alert");
  alert.setAttribute("tabindex", "-1");
  var body = document.createElement("div");
  body.className = "usa-alert__body";
  var text = document.createElement("p");
  text.className = "usa-alert__text";
  text.textContent = refused
    ? "Nothing was saved: your role does not allow this (it may have been changed since this page was " +
      "opened). Copy what you typed; if you think your role should allow it, ask the program administrator."
    : "This was not sent, so nothing was saved. " + why + " Copy what you typed, reload the page, and send it again.";
  body.appendChild(text);
  alert.appendChild(body);
  target.insertBefore(alert, target.firstChild);
  alert.focus();
});

// Before a session ends for inactivity (parley/accounts/idle.py; WCAG 2.2.1): shortly before the
// session could end, ask the server how long it has left (other tabs may have used it), and two
// minutes before the end (or half the limit, if shorter) show a dialog that counts down, with "Stay
// signed in". Once it has ended, say so and keep the page as it is (its first button stays on it).
// The server is asked again whenever the page comes back into view (a laptop woken from sleep: timers
// stop meanwhile), at most every ten seconds; asking neither extends the session nor is audited.
document.addEventListener("DOMContentLoaded", function () {
  var dialog = document.getElementById("idle-warning");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var limit = parseInt(dialog.dataset.idleSeconds, 10);
  var touch = parseInt(dialog.dataset.touchSeconds, 10);
  var lead = Math.min(120, Math.floor(limit / 2));
  var timer = null, ticker = null, deadline = 0, state = "", asked = 0, lastAsked = Date.now();  // the page itself
  var countdown = dialog.querySelector("[data-idle-countdown]");
  var problem = dialog.querySelector("[data-idle-problem]");

  function schedule(seconds) {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(1, seconds) * 1000);
  }
  function afterUse(event) {
    var xhr = event && event.detail && event.detail.xhr;
    if (xhr && xhr.status === 0) return;  // never reached Parley: the session was not used
    if (state === "warning" || state === "dismissed") check();
    else if (state !== "ended") schedule(limit - touch - lead);  // its earliest end, less the lead
  }

  function ask(method, url) {
    var headers = {"Accept": "application/json"};
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (method === "POST" && token) headers["X-CSRFToken"] = token.value;
    return fetch(url, {method: method, headers: headers, credentials: "same-origin"}).then(function (response) {
      if (response.status === 403) throw new Error("out of date");
      if (!response.ok && response.status !== 401) throw new Error("status " + response.status);
      return response.json();
    });
  }

  function inWords(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60, parts = [];
    if (m) parts.push(m + (m === 1 ? " minute" : " minutes"));
    if (s || !m) parts.push(s + (s === 1 ? " second" : " seconds"));
    return parts.join(" ");
  }
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = inWords(left);
    if (left <= 0) { clearInterval(ticker); check(); }
  }

  function show(which, left) {
    var changed = state !== which;
    state = which;
    clearInterval(ticker);
    if (which === "warning") {
      deadline = Date.now() + left * 1000;
      tick();
      ticker = setInterval(tick, 1000);
    }
    if (!changed && dialog.open) return;
    dialog.querySelectorAll("[data-idle-state]").forEach(function (part) {
      part.hidden = part.dataset.idleState !== which;
    });
    dialog.setAttribute("aria-labelledby", which === "ended" ? "idle-ended-heading" : "idle-warning-heading");
    dialog.setAttribute("aria-describedby", which === "ended" ? "idle-ended-text" : "idle-warning-text");
    if (which === "ended") {  // back to this page after signing in
      var signIn = dialog.querySelector("[data-idle-sign-in]");
      signIn.setAttribute("href", signIn.getAttribute("href").split("?")[0] + "?next=" +
        encodeURIComponent(window.location.pathname + window.location.search));
    }
    problem.hidden = true;
    if (dialog.open) dialog.close();  // opened again, so that screen readers announce what it says now
    dialog.showModal();
    dialog.querySelector(which === "ended" ? "[data-idle-close]" : "[data-idle-stay]").focus();
  }
  function hide() {
    clearInterval(ticker);
    problem.hidden = true;
    if (dialog.open) dialog.close();
  }

  function check() {
    var mine = ++asked;
    lastAsked = Date.now();
    ask("GET", dialog.dataset.statusUrl).then(function (session) {
      if (mine !== asked) return;  // a later question was sent meanwhile: its answer counts
      if (!session.signed_in) {
        if (state === "dismissed") return schedule(60);  // they chose to stay on the page: keep quiet
        return show("ended");
      }
      if (session.seconds_left <= 0) return schedule(2);  // ending this very moment
      if (session.seconds_left > lead + 5) {  // used meanwhile, here or in another tab (or signed in again)
        if (state) { state = ""; hide(); }
        return schedule(session.seconds_left - lead);
      }
      show("warning", session.seconds_left);
    }).catch(function () { if (mine === asked) schedule(30); });  // Parley out of reach: ask again soon
  }
  function checkSoon() {  // back in view: the timers may have slept
    if (Date.now() - lastAsked > 10000) check();
  }

  function stay() {
    var mine = ++asked;
    ask("POST", dialog.dataset.extendUrl).then(function (session) {
      if (mine !== asked) return;
      if (!session.signed_in) return show("ended");
      state = "";
      hide();
      schedule(session.seconds_left - lead);
    }).catch(function (error) {
      problem.setAttribute("role", "alert");  // set now, so that the page itself never carries an empty alert
      problem.textContent = error.message === "out of date"
        ? "This page is out of date (you signed in again elsewhere), so the session here was not extended. " +
          "Copy anything you have not sent, then reload the page."
        : "Parley could not be reached, so the session was not extended. Try again in a moment.";
      problem.hidden = false;
    });
  }

  dialog.querySelector("[data-idle-stay]").addEventListener("click", stay);
  dialog.querySelector("[data-idle-sign-out]").addEventListener("click", function () {
    var open = Array.prototype.some.call(document.querySelectorAll("main form"), parleyFormChanged);
    if (open && !window.confirm("A form on this page has entries that are not sent. Sign out and lose them?")) return;
    var signOut = document.getElementById("nav-sign-out");
    if (signOut) signOut.click();
  });
  dialog.querySelector("[data-idle-close]").addEventListener("click", function () {
    state = "dismissed";
    hide();
    schedule(60);
  });
  dialog.addEventListener("cancel", function (event) {  // Escape: in the warning, as good as "Stay signed in"
    event.preventDefault();
    if (state === "warning") stay(); else dialog.querySelector("[data-idle-close]").click();
  });
  window.addEventListener("focus", checkSoon);
  window.addEventListener("pageshow", checkSoon);
  window.addEventListener("online", checkSoon);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) checkSoon(); });
  document.addEventListener("htmx:afterRequest", afterUse);
  afterUse();
});

// Enter in a "find the officer by name or badge" box (intake's, or the identify form's: data-find names
// its button) finds, rather than saving the form (its default button); without this file, a save with
// words in the box and no DSN searches as well.
document.addEventListener("keydown", function (event) {
  var box = event.target;
  if (event.key !== "Enter" || !box.name) return;
  var find = null;
  if (box.getAttribute && box.getAttribute("data-find")) {
    find = document.getElementById(box.getAttribute("data-find"));
  } else if (/^officers-[0-9]+-lookup$/.test(box.name)) {
    find = document.getElementById("find-officer-" + (parseInt(box.name.split("-")[1], 10) + 1));
  }
  if (!find) return;
  event.preventDefault();
  find.click();
});
