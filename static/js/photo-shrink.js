// Photos made small before they leave the phone (progressive enhancement: without this
// script the form sends the camera's file and the server shrinks it, as before).
// Each <input type="file" data-shrink-photo="NAME"> gets, when a photo is chosen:
// - the photo turned upright (EXIF orientation, applied by createImageBitmap), scaled to at
//   most 1600 px and encoded as JPEG at 80 % quality, in place of the camera's file;
// - its capture time (EXIF DateTimeOriginal, read with exifr; else the file's own time) in the
//   hidden input named NAME, so that the server's stamp keeps the camera's time.
// The server still checks and re-encodes every photo.
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var QUALITY = 0.8;

  function captureTime(file) {
    var fallback = file.lastModified ? new Date(file.lastModified) : null;
    if (!window.exifr) return Promise.resolve(fallback);
    // exifr's lite build: parse(file) reads the EXIF block only (its `pick` option fails
    // there), and gives DateTimeOriginal as a Date in the phone's own time zone.
    return window.exifr
      .parse(file)
      .then(function (tags) { return (tags && tags.DateTimeOriginal) || fallback; })
      .catch(function () { return fallback; });
  }

  function shrink(file) {
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          if (blob) resolve(blob); else reject(new Error("toBlob"));
        }, "image/jpeg", QUALITY);
      });
    });
  }

  function replaceFile(input, blob, name) {
    var small = new File([blob], name.replace(/\.[^.]*$/, "") + ".jpg", {
      type: "image/jpeg", lastModified: Date.now(),
    });
    var list = new DataTransfer();
    list.items.add(small);
    input.files = list.files;
  }

  function prepare(input) {
    var form = input.form;
    var timeInput = form.querySelector('input[name="' + input.dataset.shrinkPhoto + '"]');
    var busy = 0;
    var submit = form.querySelector('[type="submit"]');
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file || !/^image\//.test(file.type) || input.dataset.shrunk === file.name) return;
      busy += 1;
      if (submit) submit.disabled = true;
      Promise.all([captureTime(file), shrink(file)])
        .then(function (done) {
          if (timeInput && done[0] instanceof Date && !isNaN(done[0])) {
            timeInput.value = done[0].toISOString();
          }
          if (done[1].size < file.size) {
            replaceFile(input, done[1], file.name);
            input.dataset.shrunk = input.files[0].name;
          }
        })
        .catch(function () { /* the camera's file goes as it is; the server shrinks it */ })
        .then(function () {
          busy -= 1;
          if (submit && busy === 0) submit.disabled = false;
          input.dispatchEvent(new CustomEvent("photo-ready", { bubbles: true }));
        });
    });
  }

  if (!window.createImageBitmap || !window.DataTransfer) return;
  document.querySelectorAll("input[type=file][data-shrink-photo]").forEach(prepare);
})();
