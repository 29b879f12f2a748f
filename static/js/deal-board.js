// The deal board's enhancements; the board works without them (each card has its buttons).
// - Dragging a card to another column posts the same step as its button (deal_advance);
//   when the server refuses, the card goes back and its message is shown.
// - When a colleague moves a deal, the websocket says so and the card is fetched again,
//   as this person would see it, and put in its new column.
(function () {
  "use strict";
  var board = document.getElementById("deal-board");
  if (!board) return;
  var status = document.getElementById("deal-board-status");
  var moves = JSON.parse(document.getElementById("deal-stage-moves").textContent);

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", !!isError);
  }

  function csrfToken() {
    var input = board.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function column(stage) {
    return board.querySelector('.deal-cards[data-stage="' + stage + '"]');
  }

  function recount() {
    board.querySelectorAll(".deal-column").forEach(function (section) {
      var n = section.querySelectorAll(".deal-card").length;
      section.querySelector(".count").textContent = String(n);
    });
  }

  function place(card) {
    var list = column(card.dataset.stage);
    if (!list) return;
    list.insertBefore(card, list.firstChild);
  }

  function refreshCard(id) {
    var url = board.dataset.cardUrl.replace("/0/", "/" + id + "/");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        var old = document.getElementById("deal-" + id);
        if (response.status === 404) {
          if (old) old.remove();
          recount();
          return null;
        }
        if (!response.ok) throw new Error(String(response.status));
        return response.text().then(function (html) {
          var holder = document.createElement("ul");
          holder.innerHTML = html.trim();
          var card = holder.querySelector(".deal-card");
          if (old) old.remove();
          place(card);
          recount();
          return card;
        });
      });
  }

  function revert(evt) {
    var ref = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, ref);
    recount();
  }

  var pending = {};

  function onDrop(evt) {
    var card = evt.item;
    var from = card.dataset.stage;
    var to = evt.to.dataset.stage;
    if (from === to) return;
    var step = (moves[from] || {})[to];
    if (!step) {
      revert(evt);
      say(board.dataset.msgNoMove, true);
      return;
    }
    var url = board.dataset.advanceUrl
      .replace("/0/", "/" + card.dataset.deal + "/")
      .replace("/STEP/", "/" + step + "/");
    var body = new FormData();
    body.append("stage", from);
    card.classList.add("deal-busy");
    // This board's own move: its answer reports it, so its broadcast is not news here.
    pending[card.dataset.deal] = to;
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    })
      .then(function (response) {
        return response.json().catch(function () {
          return { ok: false, messages: [board.dataset.msgFailed] };
        });
      })
      .then(function (data) {
        card.classList.remove("deal-busy");
        say(data.messages.join(" "), !data.ok);
        if (!data.ok) {
          delete pending[card.dataset.deal];
          revert(evt);
        }
        return refreshCard(card.dataset.deal);
      })
      .catch(function () {
        delete pending[card.dataset.deal];
        card.classList.remove("deal-busy");
        revert(evt);
        say(board.dataset.msgFailed, true);
      });
  }

  if (window.Sortable) {
    board.querySelectorAll(".deal-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "deals",
        sort: false,
        draggable: ".deal-card[data-movable]",
        filter: "button, input",
        preventOnFilter: false,
        onAdd: onDrop,
      });
    });
  }

  if (!window.WebSocket) return;
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var socket = new WebSocket(scheme + location.host + board.dataset.ws);
  socket.onmessage = function (event) {
    var data = JSON.parse(event.data);
    if (data.type !== "deal.updated") return;
    var deal = data.deal;
    if (pending[deal.id] === deal.stage) {
      delete pending[deal.id];
      return;
    }
    var old = document.getElementById("deal-" + deal.id);
    if (old && old.dataset.stage === deal.stage) return;
    refreshCard(deal.id).then(function (card) {
      if (card && deal.by) {
        say(
          board.dataset.msgMoved
            .replace("__BY__", deal.by)
            .replace("__TITLE__", deal.title)
            .replace("__STAGE__", deal.stage_label),
          false
        );
      }
    });
  };
})();
