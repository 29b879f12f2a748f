// Draws an ECharts bar chart from a JSON blob rendered with Django's json_script.
// <div data-chart="ID"> reads <script id="ID" type="application/json">
//   {"labels": [...], "values": [...], "links": [...], "name": "..."}, or stacked bars:
//   {"labels": [...], "series": [{"name", "colour", "values"}], "horizontal": true}.
// Bars may carry a target: "target": {"name", "value"} draws one line across the chart,
// "lines": [{"name", "values"}] a line through one target per bar (null where none).
// Each bar links to the rows behind it; the table next to it holds the same figures.
(function () {
  "use strict";
  function draw(el) {
    var blob = document.getElementById(el.dataset.chart);
    if (!blob || !window.echarts) return;
    var data = JSON.parse(blob.textContent);
    if (!data.labels.length) return;
    // Shown before init: ECharts sizes its canvas from the element, 0 wide while hidden.
    el.hidden = false;
    var chart = window.echarts.init(el);
    var category = { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: !data.horizontal && data.labels.length > 6 ? 30 : 0 } };
    var value = { type: "value" };
    var series = data.series
      ? data.series.map(function (s) {
          return { name: s.name, type: "bar", stack: data.stacked ? "all" : undefined, itemStyle: { color: s.colour }, data: s.values.map(Number) };
        })
      : [{ name: data.name, type: "bar", data: data.values.map(Number) }];
    if (data.target) {
      series[0].markLine = {
        symbol: "none",
        label: { formatter: data.target.name + " " + data.target.value },
        lineStyle: { type: "dashed", color: "#c0392b" },
        data: [data.horizontal ? { xAxis: Number(data.target.value) } : { yAxis: Number(data.target.value) }],
      };
    }
    (data.lines || []).forEach(function (line) {
      series.push({
        name: line.name, type: "line", connectNulls: false, lineStyle: { type: "dashed" },
        data: line.values.map(function (v) { return v === null ? null : Number(v); }),
      });
    });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: data.series || data.lines ? {} : undefined,
      grid: { left: 8, right: 8, bottom: 8, top: data.series || data.lines || data.target ? 32 : 8, containLabel: true },
      xAxis: data.horizontal ? value : category,
      yAxis: data.horizontal ? category : value,
      series: series,
    });
    chart.on("click", function (params) {
      var href = params.seriesType === "bar" && data.links && data.links[params.dataIndex];
      if (href) window.location.assign(href);
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
