// The review page's behaviour: tracks from the embedded WebVTT, seeking, highlighting.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var video = document.getElementById("video");
  var select = document.getElementById("subtitles");
  var transcript = document.getElementById("transcript");
  var lines = Array.prototype.slice.call(document.querySelectorAll(".line"));
  var chapters = Array.prototype.slice.call(document.querySelectorAll(".chapter"));
  var EPSILON = 0.001; // a seek lands on a line's very start: count it as inside

  // A file:// page may not fetch x.vtt (Chromium: each file is its own origin), but a
  // data: URL loads there and on a web host alike.
  var elements = Array.prototype.slice.call(video.querySelectorAll("track"));
  elements.forEach(function (element) {
    var text = data.vtt[element.getAttribute("data-vtt")] || "WEBVTT\n";
    element.src = "data:text/vtt;charset=utf-8," + encodeURIComponent(text);
  });

  function subtitleTracks() {
    var found = [];
    for (var i = 0; i < video.textTracks.length; i++) {
      if (video.textTracks[i].kind === "subtitles") found.push(video.textTracks[i]);
    }
    return found;
  }

  subtitleTracks().forEach(function (track, index) {
    var option = document.createElement("option");
    option.value = String(index);
    option.textContent = track.label;
    select.appendChild(option);
  });
  for (var i = 0; i < video.textTracks.length; i++) {
    if (video.textTracks[i].kind === "chapters") video.textTracks[i].mode = "hidden";
  }

  function showSubtitles() {
    subtitleTracks().forEach(function (track, index) {
      track.mode = String(index) === select.value ? "showing" : "disabled";
    });
  }
  select.addEventListener("change", showSubtitles);
  // The native menu may choose a track too: keep the select in step.
  video.textTracks.addEventListener("change", function () {
    var chosen = "";
    subtitleTracks().forEach(function (track, index) {
      if (track.mode === "showing") chosen = String(index);
    });
    select.value = chosen;
  });

  // The line playing: the latest to start of those not yet ended (one at most).
  function mark(items, time) {
    var current = null;
    items.forEach(function (item) {
      var start = parseFloat(item.getAttribute("data-start"));
      var end = parseFloat(item.getAttribute("data-end"));
      if (start <= time + EPSILON && time < end) current = item;
    });
    items.forEach(function (item) {
      if (item === current) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    });
    return current;
  }

  var shown = null;
  function follow() {
    var time = video.currentTime;
    mark(chapters, time);
    var line = mark(lines, time);
    if (line && line !== shown && transcript.scrollHeight > transcript.clientHeight + 1) {
      var top = line.offsetTop - transcript.offsetTop;
      if (top < transcript.scrollTop || top > transcript.scrollTop + transcript.clientHeight - 60) {
        transcript.scrollTop = Math.max(0, top - transcript.clientHeight / 3);
      }
    }
    shown = line;
  }
  ["timeupdate", "seeked", "seeking", "loadedmetadata"].forEach(function (name) {
    video.addEventListener(name, follow);
  });

  lines.concat(chapters).forEach(function (button) {
    button.addEventListener("click", function () {
      video.currentTime = parseFloat(button.getAttribute("data-start"));
      follow();
    });
  });
  follow();
})();
