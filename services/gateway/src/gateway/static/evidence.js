// The evidence form: saves drafts as you type (debounced PATCH) and uploads with a progress bar.
(function () {
  "use strict";
  var form = document.getElementById("evidence-form");
  if (!form) return;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var state = document.getElementById("save-state");
  var revision = document.getElementById("revision");
  var en = document.documentElement.lang === "en";
  var timer = null, saving = false, again = false;

  function body() {
    var fd = new FormData(form);
    var participants = (fd.get("participants") || "").trim();
    var out = {
      revision: parseInt(revision.value || "0", 10),
      title: fd.get("title") || "", description: fd.get("description") || "",
      kind: fd.get("kind"), dimension: fd.get("dimension"), date: fd.get("date") || null,
      sdgs: fd.getAll("sdgs").map(Number),
      participants: /^\d+$/.test(participants) ? parseInt(participants, 10) : null,
      age_groups: fd.getAll("age_groups"),
      partners: (fd.get("partners") || "").split(",").map(function (p) { return p.trim(); }).filter(Boolean),
      co_created: document.getElementById("co_created").checked,
      public: document.getElementById("public").checked
    };
    ["before", "after", "staff_share"].forEach(function (name) {
      var v = (fd.get(name) || "").trim().replace(",", ".");
      if (v !== "" && !isNaN(Number(v))) out[name] = Number(v);
    });
    if ((fd.get("unit") || "").trim()) out.unit = fd.get("unit").trim();
    return out;
  }

  function save() {
    if (saving) { again = true; return; }
    saving = true;
    state.textContent = en ? "Saving …" : "Gemmer …";
    fetch(form.dataset.api, {
      method: "PATCH", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify(body())
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.ok) {
          if (data.revision !== undefined) revision.value = data.revision;
          state.textContent = (en ? "Saved " : "Gemt ") + new Date().toLocaleTimeString();
          state.dataset.saved = "1";
        } else {
          // the valid fields are saved even when one is not: keep the new revision
          if (data.item && data.item.revision !== undefined) revision.value = data.item.revision;
          state.textContent = (en ? (data.detail_en || "Not saved") : (data.detail || "Ikke gemt"));
        }
      });
    }).catch(function () {
      state.textContent = en ? "Not saved: no connection" : "Ikke gemt: ingen forbindelse";
    }).then(function () {
      saving = false;
      if (again) { again = false; save(); }
    });
  }

  function later() { clearTimeout(timer); timer = setTimeout(save, 800); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);

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
          msg.textContent = en ? "Uploaded" : "Uploadet";
          var li = document.createElement("li");
          li.textContent = res.filename || input.files[0].name;
          document.getElementById("attachments").appendChild(li);
          if (res.item && res.item.revision !== undefined) revision.value = res.item.revision;
          if (res.attachment) li.textContent = res.attachment.filename;
        } else {
          msg.textContent = en ? (res.detail_en || "Upload failed") : (res.detail || "Upload mislykkedes");
        }
      };
      xhr.onerror = function () { msg.textContent = en ? "Upload failed" : "Upload mislykkedes"; };
      xhr.send(data);
    });
  }
})();
