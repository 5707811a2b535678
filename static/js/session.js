// Nothing typed is lost (DESIGN §8), not even when a staff session times out.
//
// - Drafts: what is typed into a form with a text area (a suggestion, a reply, an
//   announcement) is kept in this browser's localStorage, under the signed-in user and the
//   page, and put back with a note when the form comes back empty (after a timeout and a new
//   login, a closed tab, a crash). A draft is keyed by the page's own GET address and the
//   address the form is sent to, so the page that shows a refused form again (rendered by
//   the POST, at the action's address) finds it too. It is removed once the form was sent
//   and the portal moved on, by 清除草稿, by 退出, and after a week (whoever's it is: a phone
//   shared by a family keeps no one's old drafts).
// - Staff idle timeout (yichuan/middleware.py): a few minutes before the server signs staff
//   out, a dialog says so and offers 继续, which posts to the keep-alive address; typing in a
//   form counts as activity too. When the time is up, the page goes to the login page, which
//   comes back here (the page's GET address) after the new login.
//
// The CSP allows no inline script: the settings come as data attributes on this script's
// element (templates/partials/_session.html).
(function () {
  "use strict";
  const script = document.currentScript;
  const config = script.dataset;
  const DRAFTS = "yichuan.draft.v1:";
  const DRAFT_PREFIX = DRAFTS + config.user + ":";
  const DEADLINE_KEY = "yichuan.idle-deadline.v1:" + config.user;
  const DRAFT_MAX_AGE = 7 * 24 * 3600 * 1000;
  const SKIPPED_TYPES = ["hidden", "password", "file", "submit", "button", "reset", "image"];

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage disabled: the page works as before
    }
  }
  const store = storage();

  function read(key) {
    try {
      return JSON.parse(store.getItem(key));
    } catch (error) {
      return null;
    }
  }

  function write(key, value) {
    try {
      store.setItem(key, JSON.stringify(value));
    } catch (error) {
      // full or refused: the draft is not kept, the form still works
    }
  }

  // --- drafts --------------------------------------------------------------------------------

  function draftFields(form) {
    return Array.from(form.elements).filter(function (field) {
      return field.name && !field.disabled && field.name !== "csrfmiddlewaretoken"
        && !SKIPPED_TYPES.includes(field.type) && field.dataset.noDraft === undefined;
    });
  }

  function fieldValue(field) {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked;
    }
    if (field.type === "select-multiple") {
      return Array.from(field.selectedOptions).map(function (option) { return option.value; });
    }
    return field.value;
  }

  function setFieldValue(field, value) {
    if (field.type === "checkbox" || field.type === "radio") {
      field.checked = Boolean(value);
    } else if (field.type === "select-multiple") {
      Array.from(field.options).forEach(function (option) {
        option.selected = value.includes(option.value);
      });
    } else {
      field.value = value;
    }
    // Counters and other behaviours of the field see the restored text.
    field.dispatchEvent(new Event("input", {bubbles: true}));
    field.dispatchEvent(new Event("change", {bubbles: true}));
  }

  function fieldKey(field, index) {
    return field.name + "#" + index;
  }

  function snapshot(form) {
    const values = {};
    draftFields(form).forEach(function (field, index) {
      values[fieldKey(field, index)] = fieldValue(field);
    });
    return values;
  }

  function typedSomething(form) {
    return draftFields(form).some(function (field) {
      return field.tagName === "TEXTAREA" && field.value.trim() !== "";
    });
  }

  function trackedForms() {
    return Array.from(document.querySelectorAll("form")).filter(function (form) {
      return form.method === "post" && form.dataset.noDraft === undefined
        && form.querySelector("textarea") !== null;
    });
  }

  function referrerPath() {
    try {
      const url = new URL(document.referrer);
      return url.origin === location.origin ? url.pathname + url.search : "";
    } catch (error) {
      return "";
    }
  }

  // The address to come back to: the page's own GET address, given by the server; a page
  // rendered by a POST (a form shown again with its errors, at an address that only takes
  // POSTs) has none and is the page the form was sent from.
  const pageUrl = config.pageUrl || referrerPath() || location.pathname;
  const renderedByPost = config.pageUrl === undefined;

  function formAction(form) {
    // The resolved address: the page's own one when the attribute is absent (form.action
    // would be a field of the form named "action", if it had one).
    try {
      return new URL(form.getAttribute("action") || location.href, location.href).pathname;
    } catch (error) {
      return form.getAttribute("action") || "";
    }
  }

  // The page's forms by key: its GET address, the form's address and which of the forms
  // sent there it is.
  function keyedForms(forms) {
    const byKey = {};
    const seen = {};
    forms.forEach(function (form) {
      const action = formAction(form);
      seen[action] = (seen[action] || 0) + 1;
      byKey[DRAFT_PREFIX + pageUrl + "|" + action + "|" + seen[action]] = form;
    });
    return byKey;
  }

  function removeDraft(key) {
    if (store) {
      store.removeItem(key);
    }
  }

  function saveDraft(form, key) {
    if (!typedSomething(form)) {
      removeDraft(key);
      return;
    }
    write(key, {page: pageUrl, from: location.pathname + location.search, saved: Date.now(),
      values: snapshot(form)});
  }

  function showRestoredNote(form, key, initial) {
    const template = document.getElementById("draft-restored-note");
    if (!template) {
      return;
    }
    const note = template.content.firstElementChild.cloneNode(true);
    note.querySelector("[data-draft-clear]").addEventListener("click", function () {
      removeDraft(key);
      draftFields(form).forEach(function (field, index) {
        const value = initial[fieldKey(field, index)];
        if (value !== undefined) {
          setFieldValue(field, value);
        }
      });
      note.remove();
      const first = draftFields(form)[0];
      if (first) {
        first.focus();
      }
    });
    form.prepend(note);
  }

  function restoreDraft(form, key, draft) {
    const initial = snapshot(form);
    draftFields(form).forEach(function (field, index) {
      const value = draft.values[fieldKey(field, index)];
      if (value === undefined) {
        return;
      }
      if (field.tagName === "SELECT" && typeof value === "string"
          && !Array.from(field.options).some(function (option) { return option.value === value; })) {
        return; // the choice is no longer offered
      }
      setFieldValue(field, value);
    });
    showRestoredNote(form, key, initial);
  }

  // Drafts older than a week go, whoever's they are (the device may be shared).
  function forgetOldDrafts() {
    Object.keys(store).filter(function (key) { return key.startsWith(DRAFTS); })
      .forEach(function (key) {
        const draft = read(key);
        if (!draft || typeof draft.saved !== "number" || Date.now() - draft.saved > DRAFT_MAX_AGE) {
          removeDraft(key);
        }
      });
  }

  // A draft whose form was sent is done once that sending led to a page without that form,
  // or back to it empty (the portal's redirect after success). The form shown again by the
  // POST's answer (refused, with its errors), or filled in, keeps the draft; a sending that
  // met the login page (the session had timed out) arrives here from the login page, and
  // the draft is restored.
  function forgetSentDrafts(pageForms) {
    const cameFrom = referrerPath();
    Object.keys(store).filter(function (key) { return key.startsWith(DRAFT_PREFIX); })
      .forEach(function (key) {
        const draft = read(key);
        if (!draft || !draft.sent || cameFrom !== draft.from) {
          return;
        }
        const form = pageForms[key];
        if (form === undefined || (!renderedByPost && !typedSomething(form))) {
          removeDraft(key);
        } else {
          delete draft.sent;
          write(key, draft);
        }
      });
  }

  function setUpDrafts() {
    if (!store) {
      return;
    }
    forgetOldDrafts();
    const byKey = keyedForms(trackedForms());
    forgetSentDrafts(byKey);
    Object.keys(byKey).forEach(function (key) {
      const form = byKey[key];
      const draft = read(key);
      if (draft && draft.values && !typedSomething(form)) {
        delete draft.sent;
        write(key, draft);
        restoreDraft(form, key, draft);
      }
      let pending = null;
      form.addEventListener("input", function () {
        window.clearTimeout(pending);
        pending = window.setTimeout(function () { saveDraft(form, key); }, 300);
      });
      form.addEventListener("change", function () { saveDraft(form, key); });
      form.addEventListener("submit", function () {
        window.clearTimeout(pending);
        saveDraft(form, key);
        const saved = read(key);
        if (saved) {
          saved.sent = Date.now();
          write(key, saved);
        }
      });
    });
    // Signing out on purpose leaves nothing of this account's drafts on the device.
    document.addEventListener("submit", function (event) {
      if (event.target.getAttribute("action") === config.logoutUrl) {
        Object.keys(store).filter(function (key) { return key.startsWith(DRAFT_PREFIX); })
          .forEach(removeDraft);
      }
    });
  }

  // --- the staff idle timeout ------------------------------------------------------------

  function setUpIdleWarning() {
    if (config.idleLeft === undefined) {
      return;
    }
    const dialog = document.getElementById("idle-warning");
    const text = document.getElementById("idle-warning-text");
    const timeout = Number(config.idleTimeout) * 1000;
    const warning = Number(config.idleWarning) * 1000;
    // Typing pings at most as often as the server stamps activity.
    const pingEvery = Math.max(1000, Number(config.idleStampEvery) * 1000);
    const GRACE = 2000;
    let deadline = Date.now() + Number(config.idleLeft) * 1000;
    let lastPing = 0;
    let leaving = false;

    function shareDeadline() {
      // Other tabs of the same session see the activity of this one.
      if (store) {
        write(DEADLINE_KEY, deadline);
      }
    }

    function currentDeadline() {
      const shared = store ? Number(read(DEADLINE_KEY)) || 0 : 0;
      return Math.max(deadline, shared);
    }

    function leave() {
      leaving = true;
      location.assign(config.loginUrl + "?next=" + encodeURIComponent(pageUrl));
    }

    function ping() {
      lastPing = Date.now();
      return fetch(config.keepaliveUrl, {
        method: "POST", credentials: "same-origin", redirect: "manual",
        headers: {"X-CSRFToken": config.csrf, "X-Requested-With": "XMLHttpRequest"},
      }).then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401
            || response.status === 403) {
          leave(); // signed out already (elsewhere, or the server's clock was first)
          return;
        }
        if (!response.ok) {
          return;
        }
        return response.json().then(function (body) {
          if (typeof body.idle_seconds_left === "number") {
            deadline = Date.now() + body.idle_seconds_left * 1000;
            shareDeadline();
          }
        });
      }).catch(function () {
        // offline for a moment: the next tick or keystroke tries again
      });
    }

    function hideWarning() {
      if (dialog.open) {
        dialog.close();
      }
    }

    function tick() {
      if (leaving) {
        return;
      }
      const left = currentDeadline() - Date.now();
      if (left <= -GRACE) {
        // A moment after the server's deadline, so the login page surely finds the session
        // ended rather than extending it.
        hideWarning();
        leave();
      } else if (left <= warning) {
        const minutes = Math.max(1, Math.ceil(left / 60000));
        const phrase = minutes === 1 ? text.dataset.textOne : text.dataset.textOther;
        text.textContent = phrase.replace("{minutes}", String(minutes));
        if (!dialog.open) {
          dialog.showModal();
        }
      } else {
        hideWarning();
      }
    }

    dialog.querySelector("[data-idle-continue]").addEventListener("click", function () {
      // Assume the ping succeeds, so the dialog does not open again while it is under way;
      // its answer sets the real deadline (or leaves, if the session had already ended).
      deadline = Date.now() + timeout;
      hideWarning();
      ping();
    });
    // Escape closes the dialog; it means the person is here, as 继续 does.
    dialog.addEventListener("cancel", function () { ping(); });
    document.addEventListener("input", function () {
      if (Date.now() - lastPing >= pingEvery && !dialog.open) {
        ping();
      }
    });
    shareDeadline();
    window.setInterval(tick, 1000);
    document.addEventListener("visibilitychange", tick);
  }

  // After the other scripts of the page have set up their fields (forms.js counts the
  // characters of a restored text too).
  function start() {
    setUpDrafts();
    setUpIdleWarning();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
