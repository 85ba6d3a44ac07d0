// The job page's progress bar: polls the job's status JSON until it has finished, then shows
// the download (or the error and the button to start it again). Without JavaScript the page
// shows the state it was opened in, and a reload shows the next.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  var state = document.getElementById("job-state");
  var error = document.getElementById("job-error");
  var download = document.getElementById("job-download");
  var rerun = document.getElementById("job-rerun");
  var message = document.getElementById("job-message");
  var next = document.getElementById("job-next");
  var delay = 1000;

  function show(status) {
    bar.value = status.progress;
    bar.textContent = status.progress + "%";
    percent.textContent = status.progress + "%";
    state.textContent = status.state_label;
    if (status.error) {
      error.textContent = status.error;
      error.classList.remove("d-none");
    }
    if (status.download) { download.classList.remove("d-none"); }
    if (status.message) {
      message.textContent = status.message;
      message.classList.remove("d-none");
    }
    if (status.finished && status.url) {
      next.href = status.url;
      next.classList.remove("d-none");
    }
    if (status.state === "failed" || status.state === "expired") { rerun.classList.remove("d-none"); }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.next) { window.location.assign(status.next); return; }
        if (!status.finished) { window.setTimeout(poll, delay); }
      })
      .catch(function () {
        // A weak signal: try again, less often.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, 500);
})();
