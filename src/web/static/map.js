// The network map (/netwerk/kaart): shows the search's results, read from the JSON API, on a
// Leaflet map. Without JavaScript (or without Leaflet) the map stays hidden and the list below
// it is the whole page. Remote names are put in as text, never as HTML.
(function () {
  "use strict";
  var holder = document.getElementById("network-map");
  if (!holder || !window.L) {
    return;
  }
  holder.hidden = false;
  var map = L.map(holder, { scrollWheelZoom: false });
  L.tileLayer(holder.getAttribute("data-tiles"), {
    attribution: holder.getAttribute("data-attribution") || "",
    maxZoom: 19,
  }).addTo(map);
  map.setView([52.2, 5.3], 7);

  function webLink(text) {
    try {
      var url = new URL(text);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  fetch(holder.getAttribute("data-search"), { headers: { accept: "application/json" } })
    .then(function (response) {
      return response.ok ? response.json() : { items: [] };
    })
    .then(function (data) {
      var points = [];
      (data.items || []).forEach(function (item) {
        if (typeof item.latitude !== "number" || typeof item.longitude !== "number") {
          return;
        }
        var popup = document.createElement("div");
        var href = webLink(item.url || item.id);
        var title = document.createElement(href ? "a" : "strong");
        if (href) {
          title.href = href;
        }
        title.textContent = item.name;
        var meta = document.createElement("p");
        meta.textContent = [item.place, item.node].filter(Boolean).join(" · ");
        popup.appendChild(title);
        popup.appendChild(meta);
        L.marker([item.latitude, item.longitude], { title: item.name, alt: item.name })
          .bindPopup(popup)
          .addTo(map);
        points.push([item.latitude, item.longitude]);
      });
      if (points.length) {
        map.fitBounds(points, { maxZoom: 13, padding: [24, 24] });
      }
    })
    .catch(function () {});
})();
