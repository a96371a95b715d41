// Enhances the crime area page: a trend chart (Chart.js) and a map of the listed crimes
// (Leaflet). Without JavaScript the tables carry the same figures and the list is the map.
(function () {
  "use strict";
  var canvas = document.getElementById("crime-trend");
  if (canvas && typeof Chart !== "undefined") {
    var trend = JSON.parse(document.getElementById(canvas.dataset.source).textContent);
    canvas.parentElement.hidden = false;
    new Chart(canvas, {
      type: "line",
      data: { labels: trend.labels, datasets: [{ label: trend.label, data: trend.counts, borderColor: "#1d70b8", backgroundColor: "#1d70b8" }] },
      options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
  var container = document.getElementById("crime-map");
  if (!container || typeof L === "undefined") { return; }
  var data = JSON.parse(document.getElementById(container.dataset.source).textContent);
  container.classList.add("bs-map--active");
  var map = L.map(container, { scrollWheelZoom: false });
  map.attributionControl.setPrefix(false);
  L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18, attribution: "&copy; OpenStreetMap contributors"
  }).addTo(map);
  // The view must be set before vector layers are added.
  var outline = data.boundary ? L.geoJSON(data.boundary, { style: { color: "#0b0c0c", weight: 2, fill: false } }) : null;
  if (outline && outline.getBounds().isValid()) {
    map.fitBounds(outline.getBounds());
  } else if (data.points.length) {
    map.setView([data.points[0][0], data.points[0][1]], 15);
  } else {
    map.setView([51.5, -0.1], 12);
  }
  if (outline) { outline.addTo(map); }
  data.points.forEach(function (p) {
    L.circleMarker([p[0], p[1]], { radius: 5, color: "#d4351c" }).bindPopup(p[2] + ": " + p[3]).addTo(map);
  });
})();
