// The chart on the data request statistics page. The table beside it is the accessible
// baseline; the chart is hidden from assistive technology and only drawn when Chart.js loads.
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("request-statistics-chart");
    var source = document.getElementById("request-statistics-data");
    if (!canvas || !source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Answered on time", data: data.on_time, backgroundColor: "#00703c" },
          { label: "Answered late", data: data.late, backgroundColor: "#d4351c" },
          { label: "Overdue, not answered", data: data.overdue, backgroundColor: "#f47738" }
        ]
      },
      options: {
        responsive: true,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
