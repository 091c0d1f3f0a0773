// The session-expiry warning and autosave: an enhancement, every page works without it.
// Five minutes before the session ends, the forms marked data-autosave are saved on the server
// and a warning offers to stay signed in; while the person types, those forms are saved a
// moment after each change. Nothing typed depends on this script: each step is saved when its
// button is pressed, and a step posted after the session ended is carried through sign-in.
(function () {
  'use strict';
  var box = document.getElementById('session-warning');
  if (!box || !window.fetch || !window.URLSearchParams) return;
  var LEAD_MS = 5 * 60 * 1000;
  var text = document.getElementById('session-warning-text');
  // Counted from this device's clock and the seconds the server says are left, so a phone
  // whose clock is wrong still warns in time.
  var expires = Date.now() + 1000 * parseInt(box.getAttribute('data-remaining'), 10);
  var warnTimer, endTimer, saveTimer;

  function autosave() {
    var forms = document.querySelectorAll('form[data-autosave]');
    return Promise.all(Array.prototype.map.call(forms, function (f) {
      var body = new URLSearchParams(new FormData(f));
      body.set('go', 'autosave');
      return fetch(f.getAttribute('action'), { method: 'POST', body: body, credentials: 'same-origin', keepalive: true })
        .catch(function () {});
    }));
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    if (isNaN(expires)) return;
    var now = Date.now();
    warnTimer = setTimeout(warn, Math.max(0, expires - LEAD_MS - now));
    endTimer = setTimeout(ended, Math.max(0, expires - now));
  }

  function warn() {
    autosave().then(function () {
      box.hidden = false;
      text.textContent = box.getAttribute('data-warning');
    });
  }

  function ended() {
    box.hidden = false;
    text.textContent = box.getAttribute('data-ended');
    var f = box.querySelector('form');
    if (f) f.hidden = true;
  }

  box.querySelector('form').addEventListener('submit', function (e) {
    e.preventDefault();
    var body = new URLSearchParams(new FormData(e.target));
    body.set('js', '1');
    fetch('/session/extend', { method: 'POST', body: body, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (j) {
        expires = Date.now() + 1000 * j.remaining_seconds;
        box.setAttribute('data-expires', j.expires_at);
        text.textContent = '';
        box.hidden = true;
        schedule();
      })
      .catch(ended);
  });

  document.addEventListener('input', function (e) {
    if (!e.target.form || !e.target.form.hasAttribute('data-autosave')) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(autosave, 1500);
  });

  schedule();
})();
