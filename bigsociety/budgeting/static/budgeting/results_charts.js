// Draws one bar chart per budget from the JSON embedded in the results page. The tables
// beside the charts carry the same numbers and are the accessible baseline.
(function () {
  "use strict";
  var node = document.getElementById("pb-chart-data");
  if (!node || typeof Chart === "undefined") { return; }
  var charts = JSON.parse(node.textContent);
  charts.forEach(function (chart) {
    var canvas = document.getElementById(chart.id);
    if (!canvas) { return; }
    canvas.hidden = false;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: [{
          label: canvas.getAttribute("data-label"),
          data: chart.votes,
          backgroundColor: chart.funded.map(function (f) { return f ? "#00703c" : "#b1b4b6"; })
        }]
      },
      options: { indexAxis: "y", plugins: { legend: { display: false } } }
    });
  });
})();
