// The dashboard's monthly trend chart. The figures come from the page itself
// (json_script #trend-data), so the chart and the table beside it never disagree.
(function () {
  "use strict";
  const source = document.getElementById("trend-data");
  const canvas = document.getElementById("trend-chart");
  if (!source || !canvas || typeof window.Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const colours = ["#6c757d", "#b02a37", "#fd7e14", "#198754", "#0d6efd"];
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: data.series.map(function (series, index) {
        return {
          label: series.label,
          data: series.data,
          borderColor: colours[index % colours.length],
          backgroundColor: colours[index % colours.length],
          tension: 0.2,
        };
      }),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
})();
