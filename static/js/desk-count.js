// The top bar's to-do number when the page was rendered without one (none cached for this user):
// fetched after the page has loaded, so no page waits for the desk's counts (core.views.desk_count).
document.addEventListener("DOMContentLoaded", function () {
  var badge = document.querySelector("#desk-total[data-count-url]");
  if (!badge) {
    return;
  }
  fetch(badge.getAttribute("data-count-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.ok ? response.json() : null;
    })
    .then(function (data) {
      if (!data) {
        return;
      }
      badge.textContent = String(data.total);
      badge.classList.remove("pending");
      badge.classList.toggle("bad", data.total > 0);
      badge.removeAttribute("data-count-url");
    })
    .catch(function () {});
});
