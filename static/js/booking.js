// The booking form: a suggested slot (a chip) puts its start in the Start field, which then asks the live check as
// if the person had typed it. Typing a time works as before; the page works without this file.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var chip = event.target.closest("button[data-start]");
    if (!chip) return;
    var input = document.getElementById("id_starts_at");
    if (!input) return;
    input.value = chip.getAttribute("data-start");
    input.dispatchEvent(new Event("change", { bubbles: true }));
    document.querySelectorAll("button[data-start]").forEach(function (other) {
      other.setAttribute("aria-pressed", other === chip ? "true" : "false");
    });
  });
})();
