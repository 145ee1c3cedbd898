// Kwartier: small progressive enhancements. Every page works without this file.
// - A "copy" button beside an initiative's handle.
// - After a form came back with errors, focus goes to the error summary.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
  for (const holder of document.querySelectorAll("[data-copy]")) {
    const text = holder.getAttribute("data-copy");
    if (!navigator.clipboard || !text) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    button.textContent = holder.getAttribute("data-copy-label") || "Copy";
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(text);
      button.textContent = holder.getAttribute("data-copied-label") || "Copied";
    });
    holder.append(" ", button);
  }
});
