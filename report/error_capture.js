// rungs report: runs before anything else on the page, so that an error anywhere (Chart.js,
// report.js, the data) shows in the page's #errors element instead of leaving a blank
// chart, and so that tests (tests/report/html_report_test.cpp) can see it in the DOM.
// Chart.js reports some problems (a canvas it cannot use) with console.error only: those
// are shown too.
(function () {
  "use strict";
  var pending = [];  // errors before <body> exists
  function record(text) {
    var box = document.getElementById("errors");
    if (!box) {
      pending.push(text);
      return;
    }
    box.hidden = false;
    box.textContent += text + "\n";
  }
  document.addEventListener("DOMContentLoaded", function () {
    pending.splice(0).forEach(record);
  });
  window.rungsRecordError = record;
  var consoleError = console.error;
  console.error = function () {
    record("console.error: " + Array.prototype.map.call(arguments, String).join(" "));
    return consoleError.apply(console, arguments);
  };
  window.addEventListener("error", function (event) {
    record("Error: " + event.message + (event.filename ? " (" + event.filename + ":" + event.lineno + ")" : ""));
  });
  window.addEventListener("unhandledrejection", function (event) {
    record("Unhandled rejection: " + (event.reason && event.reason.stack ? event.reason.stack : event.reason));
  });
})();
