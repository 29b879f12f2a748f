// Region picker: turns each <input data-region-picker> (a region typed by name, which works
// without a script) into three linked lists, province → city → district, that put the chosen
// region's 6-digit code (GB/T 2260) into the input. The lists come from data-regions-url.
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-region-picker]");
  if (!inputs.length || !window.fetch) return;
  // The words come from the page (data-region-labels, translated like the rest of the site).
  var text = JSON.parse(inputs[0].dataset.regionLabels || "{}");

  function option(value, label) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    return o;
  }

  function fill(select, items, placeholder) {
    select.innerHTML = "";
    select.appendChild(option("", placeholder));
    (items || []).forEach(function (item) { select.appendChild(option(item[0], item[1])); });
    select.disabled = !items || !items.length;
  }

  function enhance(input, tree) {
    var wrap = document.createElement("div");
    wrap.className = "region-picker";
    wrap.setAttribute("role", "group");
    var id = input.id;
    var label = document.querySelector('label[for="' + id + '"]');
    if (label && !label.id) label.id = id + "_label";
    var lists = ["province", "city", "district"].map(function (level) {
      var select = document.createElement("select");
      select.id = id + "_" + level;
      select.dataset.level = level;
      // Read out as "地区 省份": the field's label, then which of the three lists this is.
      var name = document.createElement("span");
      name.className = "visually-hidden";
      name.id = select.id + "_name";
      name.textContent = text[level];
      select.setAttribute("aria-labelledby", (label ? label.id + " " : "") + name.id);
      ["aria-describedby", "aria-invalid"].forEach(function (attr) {
        if (input.hasAttribute(attr)) select.setAttribute(attr, input.getAttribute(attr));
      });
      wrap.appendChild(name);
      wrap.appendChild(select);
      return select;
    });
    var province = lists[0], city = lists[1], district = lists[2];
    // The label's click and the error summary's link (#id_region_code) lead to the first list.
    input.id = id + "_code";
    province.id = id;
    if (label) wrap.setAttribute("aria-labelledby", label.id);

    function children(select, items) {
      var found = (items || []).filter(function (item) { return item[0] === select.value; })[0];
      return found ? found[2] : null;
    }
    function sync() {
      input.value = district.value || city.value || province.value;
    }
    province.addEventListener("change", function () {
      fill(city, children(province, tree), text.wholeProvince);
      fill(district, null, text.pickDistrict);
      sync();
    });
    city.addEventListener("change", function () {
      var districts = (children(city, children(province, tree)) || []).map(function (d) {
        return [d[0], d[1]];
      });
      fill(district, districts, city.value ? text.wholeCity : text.pickDistrict);
      sync();
    });
    district.addEventListener("change", sync);

    fill(province, tree, text.pickProvince);
    fill(city, null, text.pickCity);
    fill(district, null, text.pickDistrict);
    var code = input.dataset.regionCode || "";
    if (code) {
      [code.slice(0, 2) + "0000", code.slice(0, 4) + "00", code].forEach(function (value, i) {
        var select = lists[i];
        if (select.querySelector('option[value="' + value + '"]')) {
          select.value = value;
          select.dispatchEvent(new Event("change"));
        }
      });
    }
    input.type = "hidden";
    input.value = code;
    input.parentNode.insertBefore(wrap, input);
  }

  fetch(inputs[0].dataset.regionsUrl, { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
    .then(function (tree) { inputs.forEach(function (input) { enhance(input, tree); }); })
    .catch(function () { /* Without the lists the input still takes a region's name. */ });
})();
