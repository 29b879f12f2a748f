// Draws an ECharts bar chart from a JSON blob rendered with Django's json_script.
// <div data-chart="ID"> reads <script id="ID" type="application/json">
//   {"labels": [...], "values": [...], "links": [...], "name": "..."}.
// Each bar links to the rows behind it; the table next to it holds the same figures.
(function () {
  "use strict";
  function draw(el) {
    var blob = document.getElementById(el.dataset.chart);
    if (!blob || !window.echarts) return;
    var data = JSON.parse(blob.textContent);
    if (!data.labels.length) return;
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 8, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: [{ name: data.name, type: "bar", data: data.values.map(Number) }],
    });
    chart.on("click", function (params) {
      var href = data.links && data.links[params.dataIndex];
      if (href) window.location.assign(href);
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.hidden = false;
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
