// 铜陵公积金 staff console. Progressive enhancement only: every page works
// without this file; it adds dropping a file onto the attachments form, a
// print button on the approval form and the live preview of the body
// being written (the 预览 button does the same without it).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      window.print();
    });
  });
  var forms = document.querySelectorAll("form[data-dropzone]");
  Array.prototype.forEach.call(forms, function (form) {
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector(".dropzone");
    if (!input || !zone || typeof DataTransfer === "undefined") {
      return;
    }
    zone.hidden = false;
    var over = function (on) {
      return function (e) {
        e.preventDefault();
        zone.classList.toggle("over", on);
      };
    };
    zone.addEventListener("dragenter", over(true));
    zone.addEventListener("dragover", over(true));
    zone.addEventListener("dragleave", over(false));
    zone.addEventListener("drop", function (e) {
      over(false)(e);
      if (!e.dataTransfer || e.dataTransfer.files.length === 0) {
        return;
      }
      input.files = e.dataTransfer.files;
      zone.textContent = "正在上传 " + e.dataTransfer.files[0].name + " …";
      form.submit();
    });
  });
  var box = document.querySelector("[data-preview]");
  var body = document.getElementById("body");
  if (box && body && body.form && window.fetch && window.URLSearchParams) {
    var out = box.querySelector("[data-preview-body]");
    var form = body.form;
    var timer = null;
    var seq = 0;
    var refresh = function () {
      var token = form.querySelector("input[name=csrf]");
      var format = form.querySelector("input[name=body_format]");
      var params = new URLSearchParams();
      params.set("csrf", token ? token.value : "");
      params.set("body", body.value);
      params.set("body_format", format ? format.value : "markdown");
      var n = ++seq;
      fetch(box.getAttribute("data-preview"), { method: "POST", body: params, credentials: "same-origin" })
        .then(function (r) {
          return r.text().then(function (text) {
            if (n !== seq) {
              return;
            }
            if (r.status === 200) {
              out.innerHTML = text; // sanitised by the content service's renderer
              box.hidden = false;
            } else if (r.status === 422) {
              out.textContent = text;
              box.hidden = false;
            }
          });
        })
        .catch(function () {});
    };
    body.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
    if (body.value) {
      refresh();
    }
  }
})();
