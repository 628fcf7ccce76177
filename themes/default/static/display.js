// Keeps the reader's display options (larger text, high contrast) from page to page. The
// options work on every page without this script (CSS `:has()` on the checkboxes); the script
// only remembers them, in localStorage, on this device.
(function () {
  'use strict';
  var ids = ['opt-large', 'opt-contrast'];
  var store;
  try { store = window.localStorage; } catch (e) { return; }
  ids.forEach(function (id) {
    var box = document.getElementById(id);
    if (!box) return;
    try { if (store.getItem('cms.' + id) === '1') box.checked = true; } catch (e) { /* storage off */ }
    box.addEventListener('change', function () {
      try { store.setItem('cms.' + id, box.checked ? '1' : '0'); } catch (e) { /* storage full or off */ }
    });
  });
})();
