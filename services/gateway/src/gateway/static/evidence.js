// The evidence form: a draft saves as you type (debounced PATCH); a submitted or approved item
// is only ever sent by its explicit save button. Uploads show a progress bar. The words it
// shows come from the form's data attributes (the page's language, from the catalogue).
(function () {
  "use strict";
  var form = document.getElementById("evidence-form");
  if (!form) return;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var state = document.getElementById("save-state");
  var revision = document.getElementById("revision");
  var words = form.dataset;
  var timer = null, saving = false, again = false;

  function number(text) {
    var v = (text || "").trim().replace(/\s/g, "");
    if (v === "") return undefined;
    if (v.split(",").length === 2 && v.indexOf(".") < 0) v = v.replace(",", ".");
    return isNaN(Number(v)) ? (text || "").trim() : Number(v);
  }

  function isoDate(text) {
    var v = (text || "").trim(), m = /^(\d{1,2})[./\- ](\d{1,2})[./\- ](\d{4})$/.exec(v);
    if (!v) return null;
    if (!m) return v;
    return m[3] + "-" + ("0" + m[2]).slice(-2) + "-" + ("0" + m[1]).slice(-2);
  }

  function body() {
    var fd = new FormData(form);
    var out = {
      revision: parseInt(revision.value || "0", 10),
      title: (fd.get("title") || "").trim(), description: (fd.get("description") || "").trim(),
      kind: fd.get("kind"), dimension: fd.get("dimension") || null, date: isoDate(fd.get("date")),
      sdgs: fd.getAll("sdgs").map(Number), participants: number(fd.get("participants")),
      age_groups: fd.getAll("age_groups"),
      partners: (fd.get("partners") || "").split(",").map(function (p) { return p.trim(); }).filter(Boolean),
      co_created: document.getElementById("co_created").checked,
      public: document.getElementById("public").checked
    };
    if (out.participants === undefined) out.participants = null;
    ["before", "after", "staff_share"].forEach(function (name) {
      var v = number(fd.get(name));
      if (v !== undefined) out[name] = v;
    });
    if ((fd.get("unit") || "").trim()) out.unit = fd.get("unit").trim();
    return out;
  }

  function save() {
    if (saving) { again = true; return; }
    saving = true;
    state.textContent = words.saving;
    fetch(form.dataset.api, {
      method: "PATCH", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify(body())
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.ok) {
          if (data.revision !== undefined) revision.value = data.revision;
          state.textContent = words.saved;
          state.dataset.saved = "1";
        } else {
          // the valid fields are saved even when one is not: keep the new revision
          if (data.item && data.item.revision !== undefined) revision.value = data.item.revision;
          state.textContent = words.notSaved + " " + ((document.documentElement.lang === "en" ? data.detail_en : data.detail) || "");
        }
      });
    }).catch(function () {
      state.textContent = words.offline;
    }).then(function () {
      saving = false;
      if (again) { again = false; save(); }
    });
  }

  // Autosave is for drafts only (the page says so with data-autosave).
  if (form.dataset.autosave === "1") {
    var later = function () { clearTimeout(timer); timer = setTimeout(save, 800); };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  var upload = document.getElementById("upload-form");
  if (upload) {
    upload.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var input = document.getElementById("file");
      if (!input.files.length) return;
      var bar = document.getElementById("upload-progress");
      var msg = document.getElementById("upload-state");
      var data = new FormData();
      data.append("file", input.files[0]);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", upload.dataset.api);
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      bar.hidden = false; bar.value = 0;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) bar.value = Math.round(e.loaded / e.total * 100);
      });
      xhr.onload = function () {
        var res = {};
        try { res = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300) {
          bar.value = 100;
          msg.textContent = upload.dataset.uploaded;
          var li = document.createElement("li");
          li.textContent = (res.attachment && res.attachment.filename) || res.filename || input.files[0].name;
          document.getElementById("attachments").appendChild(li);
          if (res.item && res.item.revision !== undefined) revision.value = res.item.revision;
        } else {
          msg.textContent = (document.documentElement.lang === "en" ? res.detail_en : res.detail) || upload.dataset.failed;
        }
      };
      xhr.onerror = function () { msg.textContent = upload.dataset.failed; };
      xhr.send(data);
    });
  }
})();
