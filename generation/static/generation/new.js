/* New generation page: task types, photos (previews, drag and drop), the point picker,
   templates and the price. Everything works without it; it only makes the page nicer. */
(function () {
  "use strict";
  var form = document.getElementById("new-form");
  if (!form) return;
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var strings = data.strings;
  var input = document.getElementById("id_images");
  var dropzone = document.getElementById("dropzone");
  var previews = document.getElementById("previews");
  var prompt = document.getElementById("id_prompt");
  var templateField = form.querySelector("input[name=template]");
  var xField = document.getElementById("id_x");
  var yField = document.getElementById("id_y");
  var picker = document.getElementById("point-picker");
  var pickerImage = document.getElementById("point-image");
  var marker = document.getElementById("point-marker");
  var files = [];
  var notice = null;

  function fill(text, values) {
    return text.replace(/%\((\w+)\)[sd]/g, function (_, key) { return values[key]; });
  }

  function currentType() {
    var checked = form.querySelector("input[name=task_type]:checked");
    return checked ? checked.value : "edit";
  }

  function showNotice(text) {
    if (!notice) {
      notice = document.createElement("p");
      notice.className = "field-error";
      notice.setAttribute("role", "alert");
      dropzone.parentNode.insertBefore(notice, previews);
    }
    notice.textContent = text;
    notice.hidden = !text;
  }

  function updateType() {
    var type = currentType();
    form.querySelectorAll("[data-show-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-show-for").split(" ").indexOf(type) < 0;
    });
    form.querySelectorAll("[data-hide-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-hide-for").split(" ").indexOf(type) >= 0;
    });
    form.querySelectorAll("#presets .chip").forEach(function (chip) {
      chip.hidden = chip.getAttribute("data-task-type") !== type;
    });
    var presets = document.getElementById("presets");
    if (presets) presets.hidden = !presets.querySelector(".chip:not([hidden])");
    updatePrice();
    updatePicker();
    checkCount();
  }

  function updatePrice() {
    var price = data.prices[currentType()];
    var priceEl = document.getElementById("price");
    var balanceEl = document.getElementById("balance");
    var warning = document.getElementById("price-warning");
    if (price === undefined || !priceEl) return;
    priceEl.textContent = fill(price === 1 ? strings.credit : strings.credits, { count: price });
    var balance = parseInt(balanceEl.getAttribute("data-balance"), 10);
    warning.hidden = !(balance < price);
  }

  function syncInput() {
    if (typeof DataTransfer === "undefined") return;
    var transfer = new DataTransfer();
    files.forEach(function (file) { transfer.items.add(file); });
    input.files = transfer.files;
  }

  function keptCount() {
    return form.querySelectorAll("input[name=kept]:checked").length;
  }

  function addFiles(list) {
    var problems = [];
    if (notice) showNotice("");
    Array.prototype.forEach.call(list, function (file) {
      if (!/^image\/(jpeg|png|webp|gif)$/.test(file.type)) {
        problems.push(fill(strings.notImage, { name: file.name }));
      } else if (file.size > data.maxBytes) {
        problems.push(fill(strings.tooBig, { name: file.name, limit: Math.round(data.maxBytes / 1048576) }));
      } else if (files.length + keptCount() >= data.maxImages) {
        problems.push(strings.tooMany);
      } else {
        files.push(file);
      }
    });
    syncInput();
    renderPreviews();
    if (problems.length) {
      showNotice(problems.filter(function (p, i) { return problems.indexOf(p) === i; }).join(" "));
    }
  }

  function checkCount() {
    var needs = data.needs[currentType()] || [0, data.maxImages];
    var count = files.length + keptCount();
    var tooMany = needs[1] > 0 && count > needs[1];
    if (tooMany) showNotice(needs[1] === 1 ? strings.onlyFusion : strings.tooMany);
    else if (notice && (notice.textContent === strings.onlyFusion || notice.textContent === strings.tooMany)) showNotice("");
  }

  function renderPreviews() {
    previews.querySelectorAll("li[data-new]").forEach(function (li) {
      var img = li.querySelector("img");
      if (img) URL.revokeObjectURL(img.src);
      li.remove();
    });
    var offset = previews.querySelectorAll("li[data-kept]").length;
    files.forEach(function (file, index) {
      var li = document.createElement("li");
      li.className = "preview";
      li.setAttribute("data-new", "");
      var img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = fill(strings.photo, { n: offset + index + 1 }) + ": " + file.name;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button small secondary";
      button.textContent = "✕";
      button.setAttribute("aria-label", fill(strings.remove, { n: offset + index + 1 }));
      button.addEventListener("click", function () {
        files.splice(index, 1);
        syncInput();
        renderPreviews();
        input.focus();
      });
      var name = document.createElement("span");
      name.className = "file-name";
      name.textContent = file.name;
      li.appendChild(img);
      li.appendChild(name);
      li.appendChild(button);
      previews.appendChild(li);
    });
    updatePicker();
    checkCount();
  }

  function firstPhotoUrl() {
    var kept = form.querySelector("li[data-kept] input[name=kept]:checked");
    if (kept) return kept.closest("li").querySelector("img").src;
    var fresh = previews.querySelector("li[data-new] img");
    return fresh ? fresh.src : "";
  }

  function updatePicker() {
    if (!picker) return;
    var url = currentType() === "hotspot" ? firstPhotoUrl() : "";
    picker.hidden = !url;
    if (url && pickerImage.src !== url) pickerImage.src = url;
    placeMarker();
  }

  function placeMarker() {
    var x = parseInt(xField.value, 10);
    var y = parseInt(yField.value, 10);
    if (isNaN(x) || isNaN(y) || !pickerImage.naturalWidth) { marker.hidden = true; return; }
    marker.hidden = false;
    marker.style.left = (100 * x / pickerImage.naturalWidth) + "%";
    marker.style.top = (100 * y / pickerImage.naturalHeight) + "%";
  }

  function useTemplate(el) {
    var type = el.getAttribute("data-task-type");
    var radio = document.getElementById("task-type-" + type);
    if (radio) radio.checked = true;
    prompt.value = el.getAttribute("data-prompt");
    var ratio = el.getAttribute("data-aspect-ratio");
    if (ratio) {
      var ratioInput = form.querySelector("input[name=aspect_ratio][value='" + ratio + "']");
      if (ratioInput) ratioInput.checked = true;
    }
    if (templateField) templateField.value = el.getAttribute("data-template");
    var library = el.closest("details");
    if (library) library.open = false;
    updateType();
    prompt.focus();
  }

  form.querySelectorAll("input[name=task_type]").forEach(function (radio) {
    radio.addEventListener("change", updateType);
  });
  form.querySelectorAll("input[name=kept]").forEach(function (box) {
    box.addEventListener("change", function () { updatePicker(); checkCount(); });
  });
  form.querySelectorAll("[data-template]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      event.preventDefault();
      useTemplate(el);
    });
  });
  prompt.addEventListener("input", function () { if (templateField) templateField.value = ""; });

  input.addEventListener("change", function () {
    // The input now holds only this choice; add it to the photos chosen before.
    addFiles(Array.prototype.slice.call(input.files));
  });
  ["dragenter", "dragover"].forEach(function (name) {
    dropzone.addEventListener(name, function (event) {
      event.preventDefault();
      dropzone.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    dropzone.addEventListener(name, function () { dropzone.classList.remove("dragging"); });
  });
  dropzone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) addFiles(event.dataTransfer.files);
  });

  pickerImage.addEventListener("load", placeMarker);
  pickerImage.addEventListener("click", function (event) {
    var rect = pickerImage.getBoundingClientRect();
    var x = Math.round((event.clientX - rect.left) / rect.width * pickerImage.naturalWidth);
    var y = Math.round((event.clientY - rect.top) / rect.height * pickerImage.naturalHeight);
    xField.value = Math.max(0, Math.min(pickerImage.naturalWidth - 1, x));
    yField.value = Math.max(0, Math.min(pickerImage.naturalHeight - 1, y));
    placeMarker();
  });
  xField.addEventListener("input", placeMarker);
  yField.addEventListener("input", placeMarker);

  form.addEventListener("submit", function () {
    var button = document.getElementById("submit-button");
    window.setTimeout(function () { button.disabled = true; }, 0);
    button.classList.add("busy");
  });

  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();
  updateType();
})();
