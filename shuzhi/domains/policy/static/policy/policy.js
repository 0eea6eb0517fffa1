/* Policy library: on a phone the facets start folded so the results come first. */
(function () {
  "use strict";
  var facets = document.getElementById("facets");
  if (facets && window.matchMedia("(max-width: 991.98px)").matches) {
    facets.removeAttribute("open");
  }
})();
