// Draws a place's boundary on a Leaflet map. The page works without it: the boundary is also
// offered as a GeoJSON download, and the map region is only filled when JavaScript runs.
(function () {
  "use strict";
  var container = document.getElementById("place-map");
  if (!container || typeof L === "undefined") { return; }
  var source = document.getElementById(container.dataset.geojsonId);
  if (!source) { return; }
  var feature = JSON.parse(source.textContent);
  container.classList.add("bs-map--active");
  var map = L.map(container, { scrollWheelZoom: false });
  L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18,
    attribution: "&copy; OpenStreetMap contributors"
  }).addTo(map);
  var layer = L.geoJSON(feature).addTo(map);
  map.fitBounds(layer.getBounds());
})();
