// Phone notifications on the profile page: shown only where the browser can take them (service worker, Push API and
// notifications); the page works without this file. The subscription goes to the server with the CSRF token.
(function () {
  var controls = document.querySelector(".push-controls");
  if (!controls || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return;
  }
  var section = controls.closest(".push-section");
  var state = controls.querySelector(".push-state");
  var buttonOn = controls.querySelector('[data-push="on"]');
  var buttonOff = controls.querySelector('[data-push="off"]');

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function show(subscribed, text) {
    buttonOn.hidden = subscribed;
    buttonOff.hidden = !subscribed;
    state.textContent = text || "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": controls.dataset.csrf }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok) { throw new Error(answer.error || controls.dataset.textFailed); }
        return answer;
      });
    });
  }

  function registration() {
    return navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    });
  }

  buttonOn.addEventListener("click", function () {
    buttonOn.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error(controls.dataset.textDenied); }
      return registration();
    }).then(function (reg) {
      return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(controls.dataset.key) });
    }).then(function (subscription) {
      return post(controls.dataset.onUrl, subscription.toJSON());
    }).then(function (answer) {
      show(true, answer.message || controls.dataset.textOn);
    }).catch(function (error) {
      show(false, error && error.message ? error.message : controls.dataset.textFailed);
    }).then(function () { buttonOn.disabled = false; });
  });

  buttonOff.addEventListener("click", function () {
    buttonOff.disabled = true;
    registration().then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) { return null; }
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return post(controls.dataset.offUrl, { endpoint: endpoint }).catch(function () { return null; });
      });
    }).then(function () {
      show(false, controls.dataset.textOff);
    }).catch(function () {
      show(true, controls.dataset.textFailed);
    }).then(function () { buttonOff.disabled = false; });
  });

  navigator.serviceWorker.getRegistration("/").then(function (reg) {
    return reg ? reg.pushManager.getSubscription() : null;
  }).then(function (subscription) {
    show(Boolean(subscription) && Notification.permission === "granted");
  }).catch(function () { show(false); }).then(function () {
    if (section) { section.hidden = false; }
    controls.hidden = false;
  });
})();
