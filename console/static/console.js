// 铜陵公积金 staff console. Progressive enhancement only: every page works
// without this file; it adds dropping a file onto the attachments form and
// a print button on the approval form.
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
})();
