// Searchable place filters (templates/_autocomplete.html): suggestions from /api/v1/autocomplete/<kind>/?q=,
// the chosen place's id goes into the hidden input of the same filter. No inline script (the CSP forbids it).
(function () {
  function setup(input) {
    var hidden = input.form.querySelector('input[type="hidden"][name="' + input.dataset.target + '"]');
    var list = document.getElementById(input.getAttribute("list"));
    var choices = {};
    var timer = null;
    var asked = "";

    // Several places (templates/_autocomplete_many.html): a pick adds a ticked box before the input.
    function add(id, label) {
      var box = input.parentNode.querySelector('input[type="checkbox"][value="' + id + '"]');
      if (!box) {
        var wrap = document.createElement("label");
        wrap.className = "inline";
        box = document.createElement("input");
        box.type = "checkbox";
        box.name = input.dataset.target;
        box.value = id;
        wrap.appendChild(box);
        wrap.appendChild(document.createTextNode(" " + label + " "));
        input.parentNode.insertBefore(wrap, input);
      }
      box.checked = true;
      input.value = "";
    }

    function pick() {
      var id = choices[input.value];
      if (id !== undefined && input.dataset.multiple) {
        add(id, input.value);
      } else if (id !== undefined) {
        hidden.value = id;
      } else if (input.value.trim() === "") {
        hidden.value = "";
      }
    }

    function ask() {
      var q = input.value.trim();
      if (q === asked) return;
      asked = q;
      fetch(input.dataset.autocomplete + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) {
          if (q !== asked) return;
          list.textContent = "";
          choices = {};
          rows.forEach(function (row) {
            var label = row.detail ? row.name + "（" + row.detail + "）" : row.name;
            choices[label] = row.id;
            var option = document.createElement("option");
            option.value = label;
            list.appendChild(option);
          });
          pick();
        });
    }

    input.addEventListener("input", function () {
      pick();
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("change", pick);
    input.form.addEventListener("submit", pick);
  }

  document.querySelectorAll("input[data-autocomplete]").forEach(setup);
})();
