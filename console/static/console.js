// 铜陵公积金 staff console. Progressive enhancement only: every page works
// without this file; it adds dropping a file onto the attachments form, a
// progress bar while a file uploads or an archive downloads, a print
// button on the approval form and the live preview of the body being
// written (the 预览 button does the same without it).
(function () {
  "use strict";

  // show puts the page the server answered in place of this one, as if
  // the browser had loaded it (the upload's answer: the revision page with
  // its message, or the page that says what was wrong), and enhances it.
  var show = function (html, url) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.title = doc.title;
    document.body = document.adoptNode(doc.body);
    if (url && window.history && history.replaceState) {
      history.replaceState(null, "", url);
    }
    var files = document.getElementById("files");
    if (files) {
      files.scrollIntoView();
    }
    enhance();
  };

  // upload sends the attachments form in the background with a progress
  // bar; it returns false where the browser cannot, and the form posts.
  var upload = function (form) {
    var bar = form.querySelector("progress");
    var status = form.querySelector("[data-upload-status]");
    var button = form.querySelector("button[type=submit]");
    if (!bar || !status || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) {
      return false;
    }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.max = e.total;
        bar.value = e.loaded;
        status.textContent = "正在上传 " + Math.round((e.loaded * 100) / e.total) + "%";
      }
    });
    xhr.addEventListener("load", function () {
      show(xhr.responseText, xhr.responseURL);
    });
    xhr.addEventListener("error", function () {
      bar.hidden = true;
      button.disabled = false;
      status.textContent = "上传失败，请检查网络后重试。";
    });
    bar.hidden = false;
    bar.removeAttribute("value");
    button.disabled = true;
    status.textContent = "正在上传…";
    xhr.send(new FormData(form));
    return true;
  };

  var sizeText = function (n) {
    return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.ceil(n / 1024) + " KB";
  };

  // download fetches what the form posts, shows how much has arrived, and
  // saves it under the name the server gave; a page instead of a file
  // (the form again, with what was wrong) replaces this one.
  var download = function (form) {
    var bar = form.querySelector("progress");
    var status = form.querySelector("[data-download-status]");
    var button = form.querySelector("button[type=submit]");
    if (!bar || !status || !window.fetch || !window.ReadableStream || !window.Blob || !window.URL || !URL.createObjectURL) {
      return false;
    }
    bar.hidden = false;
    bar.removeAttribute("value");
    button.disabled = true;
    status.textContent = "正在生成归档包…";
    var failed = function () {
      bar.hidden = true;
      button.disabled = false;
      status.textContent = "导出中断，请重试。";
    };
    fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
      .then(function (r) {
        var type = r.headers.get("Content-Type") || "";
        if (!r.ok || type.indexOf("application/zip") !== 0 || !r.body) {
          return r.text().then(function (html) {
            show(html, r.url);
          });
        }
        var m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(r.headers.get("Content-Disposition") || "");
        var name = m ? decodeURIComponent(m[1]) : "archive.zip";
        var reader = r.body.getReader();
        var chunks = [];
        var got = 0;
        var pump = function () {
          return reader.read().then(function (part) {
            if (part.done) {
              return;
            }
            chunks.push(part.value);
            got += part.value.length;
            status.textContent = "已接收 " + sizeText(got) + "…";
            return pump();
          });
        };
        return pump().then(function () {
          var url = URL.createObjectURL(new Blob(chunks, { type: "application/zip" }));
          var a = document.createElement("a");
          a.href = url;
          a.download = name;
          a.hidden = true;
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(function () {
            URL.revokeObjectURL(url);
          }, 60000);
          bar.max = 1;
          bar.value = 1;
          button.disabled = false;
          status.textContent = "已下载 " + name + "（" + sizeText(got) + "）";
        });
      })
      .catch(failed);
    return true;
  };

  var enhance = function () {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (b) {
      b.hidden = false;
      b.addEventListener("click", function () {
        window.print();
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-download]"), function (form) {
      form.addEventListener("submit", function (e) {
        if (download(form)) {
          e.preventDefault();
        }
      });
    });
    var forms = document.querySelectorAll("form[data-dropzone]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (e) {
        if (upload(form)) {
          e.preventDefault();
        }
      });
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
        if (!upload(form)) {
          form.submit();
        }
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
  };
  enhance();
})();
