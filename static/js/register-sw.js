// Installs the service worker, which only adds: every page works without it, and without script.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // Keep the offline page in the language of this visit.
      var lang = document.documentElement.lang;
      if (registration.active && sessionStorage.getItem("timebank-offline-lang") !== lang) {
        registration.active.postMessage("offline-page");
        sessionStorage.setItem("timebank-offline-lang", lang);
      }
    }).catch(function () { /* an older browser, or no storage: nothing is lost */ });
  });
}
