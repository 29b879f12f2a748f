// Live notifications: keep the header badge and, on the notifications page, the list
// current as new ones arrive over the websocket. Pages work without it.
(function () {
  var link = document.getElementById("notifications-link");
  if (!link || !window.WebSocket) return;
  var badge = document.getElementById("notifications-badge");
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var socket = new WebSocket(scheme + location.host + link.dataset.ws);
  socket.onmessage = function (event) {
    var data = JSON.parse(event.data);
    if (data.type !== "notification") return;
    var n = data.notification;
    var count = (parseInt(badge.textContent, 10) || 0) + 1;
    badge.textContent = String(count);
    badge.hidden = false;
    var label = document.getElementById("notifications-badge-label");
    if (label) label.textContent = label.dataset.template.replace("__N__", String(count));
    var list = document.getElementById("notification-list");
    if (!list) return;
    var empty = document.getElementById("notifications-empty");
    if (empty) empty.remove();
    var item = document.createElement("li");
    item.className = "card unread";
    var title = document.createElement(n.url ? "a" : "span");
    if (n.url) title.href = n.url;
    title.textContent = n.title;
    item.appendChild(title);
    if (n.body) {
      var body = document.createElement("p");
      body.textContent = n.body;
      item.appendChild(body);
    }
    list.insertBefore(item, list.firstChild);
  };
})();
